//! The top-level README's Rust examples are compiled: each must stand verbatim in the SDK
//! crate's README, whose examples run as doctests of `codearts-repo`.

/// The bodies of the fenced code blocks of `markdown` whose info string starts with `rust`.
fn rust_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match current.as_mut() {
            None if line.starts_with("```rust") => current = Some(String::new()),
            None => {}
            Some(_) if line.starts_with("```") => blocks.extend(current.take()),
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
        }
    }
    blocks
}

#[test]
fn top_readme_examples_are_the_crate_readme_doctests() {
    let root = codearts_repo_tests::workspace_root();
    let read = |path: &str| {
        std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    let top = read("README.md");
    let compiled = rust_blocks(&read("crates/codearts-repo/README.md"));
    let examples = rust_blocks(&top);
    assert!(!examples.is_empty(), "README.md has no Rust example");
    for example in examples {
        assert!(
            compiled.contains(&example),
            "README.md has a Rust example that crates/codearts-repo/README.md (whose examples \
             are compiled as doctests) does not hold verbatim:\n{example}"
        );
    }
}

#[test]
fn rust_blocks_are_found() {
    let text = "intro\n```rust,no_run\nfn a() {}\n```\n```sh\nls\n```\n```rust\nfn b() {}\n```\n";
    assert_eq!(rust_blocks(text), ["fn a() {}\n", "fn b() {}\n"]);
}

/// The test the READMEs show as their emulator example, run by the SDK's test suite.
const EMULATOR_EXAMPLE: &str = "crates/codearts-repo/tests/readme_emulator.rs";

/// The READMEs that show it.
const EMULATOR_EXAMPLE_READMES: [&str; 3] = [
    "README.md",
    "crates/codearts-repo/README.md",
    "crates/codearts-repo-emulator/README.md",
];

#[test]
fn the_readmes_emulator_example_is_a_test_of_the_suite() {
    let root = codearts_repo_tests::workspace_root();
    let read = |path: &str| {
        std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    let source = read(EMULATOR_EXAMPLE);
    // The file's opening comment, then a blank line, then what the READMEs show.
    let (_, example) = source
        .split_once("\n\n")
        .unwrap_or_else(|| panic!("{EMULATOR_EXAMPLE} has no blank line after its comment"));
    assert!(example.contains("#[tokio::test]"), "{example}");
    for readme in EMULATOR_EXAMPLE_READMES {
        assert!(
            rust_blocks(&read(readme))
                .iter()
                .any(|block| block == example),
            "{readme} does not show {EMULATOR_EXAMPLE} verbatim (everything after its opening \
             comment, in a ```rust block)"
        );
    }
}

#[test]
fn every_published_crate_packages_the_license_and_a_readme() {
    let root = codearts_repo_tests::workspace_root();
    let license = std::fs::read_to_string(root.join("LICENSE")).expect("LICENSE");
    assert!(license.contains("Apache License") && license.contains("Version 2.0"));
    let crates = std::fs::read_dir(root.join("crates")).expect("crates/");
    let mut seen = 0;
    for entry in crates {
        let dir = entry.expect("a crate directory").path();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let copy = std::fs::read_to_string(dir.join("LICENSE"))
            .unwrap_or_else(|e| panic!("crates/{name}/LICENSE: {e}"));
        assert_eq!(copy, license, "crates/{name}/LICENSE differs from LICENSE");
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).expect("Cargo.toml");
        assert!(
            manifest.contains("readme = \"README.md\"") && dir.join("README.md").is_file(),
            "crates/{name} names no README.md of its own as its readme"
        );
        seen += 1;
    }
    assert!(seen >= 6, "{seen} crates");
}
