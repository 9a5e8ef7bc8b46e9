//! `-v`/`--verbose` and `RUST_LOG`: the SDK's tracing (a span per request, per attempt,
//! and the retries' events) written on stderr.

use std::io;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

use crate::failure::{Failure, FailureKind};

/// The variable that, when set, chooses what is logged instead of `-v`.
const LOG_VAR: &str = "RUST_LOG";

/// What each count of `-v` logs: the request spans (info), then the attempts and retries
/// (debug), then everything (the HTTP stack included).
fn directives(verbose: u8) -> Option<&'static str> {
    match verbose {
        0 => None,
        1 => Some("codearts_repo=info,codearts_repo_runtime=info"),
        2 => Some("codearts_repo=debug,codearts_repo_runtime=debug"),
        _ => Some("trace"),
    }
}

/// Installs a subscriber writing on stderr when `RUST_LOG` is set or `-v` was given;
/// otherwise nothing is traced. Each request is logged once, when its span closes, with
/// its fields (operation, attempts, status, duration, request id).
pub(crate) fn init(verbose: u8) -> Result<(), Failure> {
    let from_env = std::env::var_os(LOG_VAR).is_some_and(|value| !value.is_empty());
    let filter = if from_env {
        EnvFilter::try_from_env(LOG_VAR).map_err(|e| {
            Failure::new(FailureKind::Usage, format!("{LOG_VAR} cannot be read: {e}"))
        })?
    } else {
        match directives(verbose) {
            Some(directives) => EnvFilter::new(directives),
            None => return Ok(()),
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_span_events(FmtSpan::CLOSE)
        .with_writer(io::stderr)
        .with_ansi(false)
        .try_init()
        .map_err(|e| Failure::new(FailureKind::Other, format!("could not start logging: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_v_logs_more() {
        assert_eq!(directives(0), None);
        for verbose in 1..=3 {
            let directives = directives(verbose).unwrap();
            assert!(EnvFilter::try_new(directives).is_ok(), "{directives}");
        }
        assert_eq!(directives(3), directives(9));
    }
}
