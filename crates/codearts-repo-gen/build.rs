//! Generates the wire-level client from the spec this crate packages.

use std::path::PathBuf;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let spec = manifest_dir.join(codearts_repo_codegen::PACKAGED_SPEC_PATH);
    println!("cargo:rerun-if-changed={}", spec.display());
    match codearts_repo_codegen::generate(&spec) {
        Ok(generated) => {
            let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"))
                .join("codearts_repo.rs");
            if let Err(e) = std::fs::write(&out, generated.source) {
                eprintln!("error: cannot write {}: {e}", out.display());
                std::process::exit(1);
            }
        }
        Err(e) => {
            // One line naming the spec and the problem, instead of a backtrace.
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
