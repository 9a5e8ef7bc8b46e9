//! The client every example uses: a region from `CODEARTS_REPO_REGION` (default
//! cn-north-4), or a custom endpoint from `CODEARTS_REPO_ENDPOINT` (plain http allowed, for
//! the emulator); credentials from the default chain (`CODEARTS_REPO_TOKEN`,
//! `HUAWEICLOUD_SDK_AK`/`HUAWEICLOUD_SDK_SK`, `~/.huaweicloud/credentials`).

use codearts_repo::Client;

/// Builds the client from the environment.
pub(crate) fn client() -> codearts_repo::Result<Client> {
    let builder = Client::builder();
    let builder = match std::env::var("CODEARTS_REPO_ENDPOINT") {
        Ok(endpoint) => builder.endpoint(endpoint).allow_http(true),
        Err(_) => builder.region(
            std::env::var("CODEARTS_REPO_REGION")
                .unwrap_or_else(|_| codearts_repo::DEFAULT_REGION.into()),
        ),
    };
    builder.build()
}
