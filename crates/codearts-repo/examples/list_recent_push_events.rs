//! Lists the signed-in user's recent pushes.
//!
//! ```text
//! cargo run -p codearts-repo --example list_recent_push_events -- [size] [project-id]
//! ```
//!
//! Configuration: see `support/mod.rs`.

mod support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let client = support::client()?;
    let mut request = client.list_recent_push_events();
    if let Some(size) = args.next() {
        request = request.size(size.parse()?);
    }
    if let Some(project_id) = args.next() {
        request = request.project_id(project_id);
    }
    let page = request.send().await?;
    for push in page.items {
        let repository = push
            .repository
            .map(|r| r.path_with_namespace.unwrap_or_default())
            .unwrap_or_default();
        let data = push.push_data.unwrap_or_default();
        println!(
            "{}  {:<40}  {}  {}",
            push.created_at.map(|t| t.to_string()).unwrap_or_default(),
            repository,
            data.ref_.unwrap_or_default(),
            data.commit_title.unwrap_or_default()
        );
    }
    Ok(())
}
