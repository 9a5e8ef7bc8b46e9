//! Lists the signed-in user's recent pushes.
//!
//! ```text
//! cargo run -p codearts-repo --example list_recent_push_events -- [size] [project-id]
//! ```
//!
//! With neither `CODEARTS_REPO_ENDPOINT` nor `CODEARTS_REPO_REGION` set it runs against an
//! embedded emulator; see `support/mod.rs`.

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
    let mut request = target.client.list_recent_push_events();
    if let Some(size) = args.first() {
        request = request.size(size.parse()?);
    }
    if let Some(project_id) = args.get(1) {
        request = request.project_id(project_id);
    }
    let page = request.send().await?;
    for push in page.items {
        let repository = push
            .repository
            .map(|r| r.path_with_namespace.unwrap_or_default())
            .unwrap_or_default();
        let data = push.push_data.unwrap_or_default();
        writeln!(
            out,
            "{}  {:<40}  {}  {}",
            push.created_at.map(|t| t.to_string()).unwrap_or_default(),
            repository,
            data.ref_.unwrap_or_default(),
            data.commit_title.unwrap_or_default()
        )?;
    }
    Ok(())
}
