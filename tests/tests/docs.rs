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
