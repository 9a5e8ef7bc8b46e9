//! Shows a repository's most recent push.
//!
//! ```text
//! cargo run -p codearts-repo --example last_push_event -- <repository-id>
//! ```
//!
//! Configuration: see `support/mod.rs`.

mod support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let repository_id: u32 = std::env::args()
        .nth(1)
        .ok_or("usage: last_push_event <repository-id>")?
        .parse()?;
    match support::client()?
        .last_push_event(repository_id)
        .send()
        .await
    {
        Ok(Some(push)) => println!(
            "{} pushed {} at {}",
            push.repository
                .and_then(|r| r.path_with_namespace)
                .unwrap_or_default(),
            push.ref_.unwrap_or_default(),
            push.created_at.map(|t| t.to_string()).unwrap_or_default()
        ),
        Ok(None) => println!("repository {repository_id} has no pushes yet"),
        Err(e) if e.is_not_found() => println!(
            "no repository {repository_id} (request id {:?})",
            e.request_id()
        ),
        Err(e) => return Err(e.into()),
    }
    Ok(())
}
