//! The embedded emulator: a local CodeArts Repo server with seeded synthetic data, started
//! in this process for `demo` and `--emulator`.

use codearts_repo::Credentials;
use codearts_repo_emulator::{Emulator, SyntheticConfig};

use crate::failure::{Failure, FailureKind};
use crate::session::Presets;

/// Seed of the embedded emulator's data: fixed, so every run shows the same data.
pub(crate) const EMULATOR_SEED: u64 = 1;

/// Starts the embedded emulator on an ephemeral local port.
pub(crate) async fn start() -> Result<Emulator, Failure> {
    Emulator::builder()
        .seed(EMULATOR_SEED)
        .synthetic(
            SyntheticConfig::default()
                .repositories(3)
                .commits_per_repository(400)
                .events_per_repository(120)
                .users(5),
        )
        .start()
        .await
        .map_err(|e| {
            Failure::new(
                FailureKind::Other,
                format!("could not start the embedded emulator: {e}"),
            )
        })
}

/// What a session against `emulator` uses unless told otherwise: its address, its token
/// and its first repository.
pub(crate) fn presets(emulator: &Emulator) -> Presets {
    Presets {
        endpoint: Some(emulator.base_url().to_string()),
        credentials: Some((
            Credentials::token(&emulator.credentials().token),
            "the embedded emulator's token",
        )),
        repository: emulator.repository_ids().first().copied(),
    }
}
