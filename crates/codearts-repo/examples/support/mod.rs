//! The client every example uses, from the environment (read through a lookup, so that the
//! test running the examples can give its own):
//!
//! - `CODEARTS_REPO_ENDPOINT`: a custom endpoint (plain `http://` allowed, for an emulator
//!   you started), with credentials from the default chain (`CODEARTS_REPO_TOKEN`,
//!   `HUAWEICLOUD_SDK_AK`/`HUAWEICLOUD_SDK_SK`, `~/.huaweicloud/credentials`);
//! - else `CODEARTS_REPO_REGION`: a region such as `cn-north-4`, credentials likewise;
//! - else, with both unset: an emulator embedded in the example (`codearts-repo-emulator`,
//!   seeded synthetic data), with its token; one line on stderr says so. The repository id
//!   arguments are then optional, defaulting to the emulator's first repository.

// Each example uses a part of it (`list_recent_push_events` takes no repository id).
#![allow(dead_code)]

use std::error::Error;

use codearts_repo::{Client, Credentials};
use codearts_repo_emulator::{Emulator, SyntheticConfig};

/// Variable naming a custom endpoint.
pub(crate) const ENDPOINT_VAR: &str = "CODEARTS_REPO_ENDPOINT";
/// Variable naming a region.
pub(crate) const REGION_VAR: &str = "CODEARTS_REPO_REGION";

/// What an example talks to.
pub(crate) struct Target {
    /// The client.
    pub(crate) client: Client,
    /// The embedded emulator, when neither variable is set; it serves while this lives.
    pub(crate) emulator: Option<Emulator>,
}

impl Target {
    /// The repository id given as an argument, else the embedded emulator's first one.
    pub(crate) fn repository_id(
        &self,
        argument: Option<&String>,
        usage: &str,
    ) -> Result<u32, Box<dyn Error>> {
        match (argument, &self.emulator) {
            (Some(id), _) => Ok(id.parse()?),
            (None, Some(emulator)) => Ok(emulator.repository_ids()[0]),
            (None, None) => Err(format!("usage: {usage}").into()),
        }
    }
}

/// Connects as the [module docs](self) say, reading variables through `env`.
pub(crate) async fn connect(
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Target, Box<dyn Error>> {
    let set = |name: &str| env(name).filter(|value| !value.trim().is_empty());
    let builder = Client::builder();
    let (builder, emulator) = match (set(ENDPOINT_VAR), set(REGION_VAR)) {
        (Some(endpoint), _) => (builder.endpoint(endpoint).allow_http(true), None),
        (None, Some(region)) => (builder.region(region), None),
        (None, None) => {
            let emulator = Emulator::builder()
                .seed(7)
                .synthetic(
                    SyntheticConfig::default()
                        .repositories(2)
                        .commits_per_repository(300)
                        .events_per_repository(150),
                )
                .start()
                .await?;
            eprintln!(
                "{ENDPOINT_VAR} and {REGION_VAR} are unset: using an embedded emulator with \
                 synthetic data at {} (repositories {:?})",
                emulator.base_url(),
                emulator.repository_ids()
            );
            let builder = builder
                .endpoint(emulator.base_url())
                .allow_http(true)
                .credentials(Credentials::token(&emulator.credentials().token));
            (builder, Some(emulator))
        }
    };
    let builder = match emulator {
        Some(_) => builder,
        None => builder.credentials(Credentials::default_chain_with(&|name| env(name))?),
    };
    Ok(Target {
        client: builder.build()?,
        emulator,
    })
}

/// The process's environment, for `main`.
pub(crate) fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}
