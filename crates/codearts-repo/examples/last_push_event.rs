//! Shows a repository's most recent push.
//!
//! ```text
//! cargo run -p codearts-repo --example last_push_event -- [repository-id]
//! ```
//!
//! With neither `CODEARTS_REPO_ENDPOINT` nor `CODEARTS_REPO_REGION` set it runs against an
//! embedded emulator (and the repository id may be left out); see `support/mod.rs`.

use std::error::Error;
use std::io::Write;

mod support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    run(&support::process_env, &args, &mut std::io::stdout().lock()).await
}

/// The example, with its environment, arguments and output given.
pub(crate) async fn run(
    env: &dyn Fn(&str) -> Option<String>,
    args: &[String],
    out: &mut dyn Write,
) -> Result<(), Box<dyn Error>> {
    let target = support::connect(env).await?;
    let repository_id = target.repository_id(args.first(), "last_push_event <repository-id>")?;
    match target.client.last_push_event(repository_id).send().await {
        Ok(Some(push)) => writeln!(
            out,
            "{} pushed {} at {}",
            push.repository
                .and_then(|r| r.path_with_namespace)
                .unwrap_or_default(),
            push.ref_.unwrap_or_default(),
            push.created_at.map(|t| t.to_string()).unwrap_or_default()
        )?,
        Ok(None) => writeln!(out, "repository {repository_id} has no pushes yet")?,
        Err(e) if e.is_not_found() => writeln!(
            out,
            "no repository {repository_id} (request id {:?})",
            e.request_id()
        )?,
        Err(e) => return Err(e.into()),
    }
    Ok(())
}
