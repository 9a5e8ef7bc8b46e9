//! The command line: global connection and output options, and one subcommand per
//! operation of the API plus `demo`.

use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::failure::FailureKind;
use codearts_repo::{DEFAULT_LIMIT, MAX_LIMIT, MIN_LIMIT};

use crate::parse::parse_duration;
use crate::query_args::{self, QueryArgs};

/// `--page-size` help, with the documented range (from the spec, through the SDK).
fn page_size_help() -> String {
    format!(
        "Items per request (the API allows {MIN_LIMIT} to {MAX_LIMIT}) [default: up to \
         {MAX_LIMIT}, no more than --limit]"
    )
}

/// Help text after the options: where credentials come from (named by the SDK's own
/// constants), the exit codes, and the demo.
fn after_help() -> String {
    use codearts_repo::credentials::{
        AK_VAR, CREDENTIALS_FILE_VAR, DEFAULT_CREDENTIALS_FILE, PROJECT_ID_VAR, SECURITY_TOKEN_VAR,
        SK_VAR, TOKEN_VAR,
    };
    let exit_codes: Vec<String> = FailureKind::ALL
        .iter()
        .map(|kind| format!("{} {}", kind.exit_code(), kind.meaning()))
        .collect();
    let exit_codes = exit_codes.join(", ");
    let demo = if cfg!(feature = "demo") {
        "\n\nTry it with no account: codearts-repo demo"
    } else {
        ""
    };
    format!(
        "Credentials, when no credential flag is given, come from the SDK's default chain: \
         {TOKEN_VAR}; else {AK_VAR} and {SK_VAR} (with {PROJECT_ID_VAR} and \
         {SECURITY_TOKEN_VAR}); else the credentials file {CREDENTIALS_FILE_VAR} or \
         ~/{DEFAULT_CREDENTIALS_FILE}, section [basic].\n\n\
         Exit codes: 0 success, {exit_codes}.{demo}"
    )
}

/// Environment variable standing for `--endpoint`.
pub(crate) const ENDPOINT_VAR: &str = "CODEARTS_REPO_ENDPOINT";
/// Environment variable standing for `--region`.
pub(crate) const REGION_VAR: &str = "CODEARTS_REPO_REGION";
/// Environment variable standing for `--output`.
pub(crate) const OUTPUT_VAR: &str = "CODEARTS_REPO_OUTPUT";

/// Push events and commit history of Huawei Cloud CodeArts Repo repositories.
#[derive(Debug, Parser)]
#[command(name = "codearts-repo", version, after_help = after_help())]
pub(crate) struct Cli {
    /// Where to connect and how to authenticate.
    #[command(flatten)]
    pub(crate) connection: ConnectionArgs,

    /// Output format [default: table when stdout is a terminal, json otherwise].
    #[arg(
        long,
        short = 'o',
        global = true,
        value_enum,
        value_name = "FORMAT",
        env = OUTPUT_VAR,
        help_heading = "Output"
    )]
    pub(crate) output: Option<OutputFormat>,

    /// Log what the SDK does on stderr: -v each request (operation, attempts, status,
    /// duration, request id), -vv each attempt and retry, -vvv everything, the HTTP stack
    /// included. RUST_LOG, when set, chooses instead (such as RUST_LOG=codearts_repo=debug).
    #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count, help_heading = "Output")]
    pub(crate) verbose: u8,

    /// Run against an embedded emulator with synthetic data (the demo's) instead of the service.
    #[cfg(feature = "demo")]
    #[arg(long, global = true, help_heading = "Connection",
          conflicts_with_all = ["endpoint", "region"])]
    pub(crate) emulator: bool,

    /// Never draw a progress bar (one is drawn on stderr only when it is a terminal).
    #[arg(long, global = true, help_heading = "Output")]
    pub(crate) no_progress: bool,

    /// Write CSV cells that start with =, +, -, @, a tab or a carriage return as they are. By
    /// default they get a leading ' so that a spreadsheet opening the file shows them as
    /// text instead of running them as formulas.
    #[arg(long, global = true, help_heading = "Output")]
    pub(crate) no_formula_guard: bool,

    /// The operation to run.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    /// Aligned columns for reading.
    Table,
    /// One JSON document: an array, or an object for a single result.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// Comma-separated values with a header row.
    Csv,
}

/// Endpoint, credentials, timeouts and retries.
#[derive(Debug, Default, Args)]
#[command(next_help_heading = "Connection")]
pub(crate) struct ConnectionArgs {
    /// Region id, such as cn-north-4 [default: the SDK's default region].
    #[arg(long, global = true, value_name = "REGION", help = format!(
        "Region id, such as cn-north-4 [env: {REGION_VAR}] [default: the SDK's default region]"
    ))]
    pub(crate) region: Option<String>,

    /// Service address instead of a region's, such as http://127.0.0.1:8080 for a local server.
    #[arg(long, global = true, value_name = "URL", conflicts_with = "region", help = format!(
        "Service address instead of a region's, such as http://127.0.0.1:8080 for a local \
         server [env: {ENDPOINT_VAR}, used when neither --endpoint nor --region is given; it \
         wins over {REGION_VAR}]"
    ))]
    pub(crate) endpoint: Option<String>,

    /// IAM token, sent as X-Auth-Token (prefer the environment: flags are visible to other users).
    #[arg(
        long,
        global = true,
        value_name = "TOKEN",
        conflicts_with = "access_key"
    )]
    pub(crate) token: Option<String>,

    /// Access key id for AK/SK request signing; needs --secret-key.
    #[arg(long, global = true, value_name = "AK", requires = "secret_key")]
    pub(crate) access_key: Option<String>,

    /// Secret access key for AK/SK request signing; needs --access-key.
    #[arg(long, global = true, value_name = "SK", requires = "access_key")]
    pub(crate) secret_key: Option<String>,

    /// Security token of temporary AK/SK credentials.
    #[arg(long, global = true, value_name = "TOKEN", requires = "access_key")]
    pub(crate) security_token: Option<String>,

    /// Project id sent (and signed) as X-Project-Id with AK/SK credentials.
    #[arg(long, global = true, value_name = "ID", requires = "access_key")]
    pub(crate) signing_project_id: Option<String>,

    /// AK/SK signing algorithm, as the official SDKs name them: SDK-HMAC-SHA256 (default),
    /// SDK-HMAC-SM3, SDK-ECDSA-P256-SHA256 or SDK-SM2-SM3.
    #[arg(long, global = true, value_name = "ALGORITHM", requires = "access_key",
          value_parser = |s: &str| s.parse::<codearts_repo::SigningAlgorithm>().map_err(|e| e.to_string()))]
    pub(crate) signing_algorithm: Option<codearts_repo::SigningAlgorithm>,

    /// Time allowed to open a connection, such as 5s.
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) connect_timeout: Option<Duration>,

    /// Time allowed for one attempt of one request, such as 30s.
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) attempt_timeout: Option<Duration>,

    /// Time allowed for one request including its retries, such as 2m.
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) timeout: Option<Duration>,

    /// Attempts per request, the first included (1 turns retries off).
    #[arg(long, global = true, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=20))]
    pub(crate) max_attempts: Option<u32>,

    /// Pages requested at the same time when a listing spans several pages.
    #[arg(long, global = true, value_name = "N",
          help = format!(
              "Pages requested at the same time when a listing spans several pages; more is \
               faster on a distant region and loads the service more [default: {}]",
              codearts_repo::DEFAULT_MAX_CONCURRENT_PAGES
          ),
          value_parser = clap::value_parser!(u64).range(1..=codearts_repo::MAX_CONCURRENT_PAGES_LIMIT as u64))]
    pub(crate) concurrent_pages: Option<u64>,
}

/// The operations.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// A repository's push events, newest first.
    Events(EventsArgs),
    /// A repository's most recent push.
    LastPush(LastPushArgs),
    /// A repository's commits, or with --by-day a per-day histogram of them.
    Commits(CommitsArgs),
    /// Your own most recent pushes, across repositories.
    RecentPushes(RecentPushesArgs),
    /// Start an embedded emulator with synthetic data and tour every command against it.
    #[cfg(feature = "demo")]
    Demo,
    /// Print a completion script for a shell, such as
    /// `codearts-repo completions bash > ~/.local/share/bash-completion/completions/codearts-repo`.
    Completions(CompletionsArgs),
    /// Print the manual page (roff), such as `codearts-repo man > codearts-repo.1`.
    #[command(hide = true)]
    Man,
}

/// `completions` options.
#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum, value_name = "SHELL")]
    pub(crate) shell: clap_complete::Shell,
}

/// The repository an operation reads.
#[derive(Debug, Args)]
pub(crate) struct RepositoryArg {
    #[cfg_attr(
        feature = "demo",
        doc = "Numeric repository id [with --emulator: the first emulated repository]."
    )]
    #[cfg_attr(not(feature = "demo"), doc = "Numeric repository id.")]
    #[arg(value_name = "REPOSITORY_ID")]
    pub(crate) repository_id: Option<u32>,
}

/// How many items to fetch, walking pages as needed.
#[derive(Debug, Args)]
#[command(next_help_heading = "Paging")]
pub(crate) struct PagingArgs {
    /// Fetch at most N items (1 or more), over as many pages as that takes.
    #[arg(long, value_name = "N", default_value_t = u64::from(DEFAULT_LIMIT),
          allow_negative_numbers = true, value_parser = parse_limit)]
    pub(crate) limit: u64,

    /// Fetch every item, page after page.
    #[arg(long, conflicts_with = "limit")]
    pub(crate) all: bool,

    /// Items to skip before the first one returned.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub(crate) offset: u32,

    /// Items per request (the API allows 1 to 100) [default: up to 100, no more than --limit].
    #[arg(long, value_name = "N", help = page_size_help(),
          value_parser = clap::value_parser!(u32).range(i64::from(MIN_LIMIT)..=i64::from(MAX_LIMIT)))]
    pub(crate) page_size: Option<u32>,
}

/// `--limit`: a whole number of items, at least 1; `--all` stands for no limit.
fn parse_limit(text: &str) -> Result<u64, String> {
    const EXPECTED: &str =
        "expected a whole number of items, at least 1 (--all fetches every item)";
    match text.trim().parse::<i128>() {
        Ok(n) if n >= 1 => {
            u64::try_from(n).map_err(|_| format!("{n} is too large: use --all to fetch every item"))
        }
        Ok(n) => Err(format!("{n} is less than 1: {EXPECTED}")),
        Err(_) => Err(EXPECTED.to_string()),
    }
}

impl Cli {
    /// Fills `--endpoint` or `--region` from [`ENDPOINT_VAR`] or [`REGION_VAR`] (read
    /// through `var`; an empty value counts as unset) when neither flag was given and no
    /// embedded emulator was asked for: a flag always wins, and of the two variables the
    /// endpoint, the more precise. Done after parsing rather than by clap, for which a
    /// variable would conflict with the other flag like a typed one.
    pub(crate) fn apply_environment(&mut self, var: impl Fn(&str) -> Option<String>) {
        #[cfg(feature = "demo")]
        if self.emulator {
            return;
        }
        let connection = &mut self.connection;
        if connection.endpoint.is_some() || connection.region.is_some() {
            return;
        }
        let var = |name: &str| var(name).filter(|value| !value.is_empty());
        connection.endpoint = var(ENDPOINT_VAR);
        if connection.endpoint.is_none() {
            connection.region = var(REGION_VAR);
        }
    }
}

impl PagingArgs {
    /// The most items to fetch, or `None` for all of them: handed to the SDK's walk
    /// (`max_items`), the one place the cap is enforced.
    pub(crate) fn cap(&self) -> Option<u64> {
        (!self.all).then_some(self.limit)
    }
}

/// `events` options.
#[derive(Debug, Args)]
pub(crate) struct EventsArgs {
    /// The repository.
    #[command(flatten)]
    pub(crate) repository: RepositoryArg,

    /// The operation's query parameters, from the spec.
    #[command(flatten)]
    pub(crate) query: QueryArgs<query_args::ListRepositoryEvents>,

    /// How many events.
    #[command(flatten)]
    pub(crate) paging: PagingArgs,
}

/// `last-push` options.
#[derive(Debug, Args)]
pub(crate) struct LastPushArgs {
    /// The repository.
    #[command(flatten)]
    pub(crate) repository: RepositoryArg,
}

/// `commits` options.
#[derive(Debug, Args)]
pub(crate) struct CommitsArgs {
    /// The repository.
    #[command(flatten)]
    pub(crate) repository: RepositoryArg,

    /// The operation's query parameters, from the spec.
    #[command(flatten)]
    pub(crate) query: QueryArgs<query_args::ListCommits>,

    /// Print the number of commits per day (merged over every page walked) instead of commits.
    #[arg(long)]
    pub(crate) by_day: bool,

    /// How many commits.
    #[command(flatten)]
    pub(crate) paging: PagingArgs,
}

/// `recent-pushes` options.
#[derive(Debug, Args)]
pub(crate) struct RecentPushesArgs {
    /// The operation's query parameters, from the spec.
    #[command(flatten)]
    pub(crate) query: QueryArgs<query_args::ListRecentPushEvents>,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn limit_and_all_make_the_cap() {
        let cli = Cli::try_parse_from(["codearts-repo", "events", "7", "--limit", "5"]).unwrap();
        let Command::Events(events) = cli.command else {
            panic!("events")
        };
        assert_eq!(events.paging.cap(), Some(5));
        assert_eq!(events.paging.page_size, None, "the SDK picks the page size");
        let cli = Cli::try_parse_from(["codearts-repo", "events", "7", "--all"]).unwrap();
        let Command::Events(events) = cli.command else {
            panic!("events")
        };
        assert_eq!(events.paging.cap(), None);
    }

    #[test]
    fn global_flags_go_before_or_after_the_subcommand() {
        let cli = Cli::try_parse_from([
            "codearts-repo",
            "commits",
            "7",
            "--endpoint",
            "http://127.0.0.1:1",
            "-o",
            "csv",
        ])
        .unwrap();
        assert_eq!(cli.output, Some(OutputFormat::Csv));
        assert_eq!(
            cli.connection.endpoint.as_deref(),
            Some("http://127.0.0.1:1")
        );
    }

    #[test]
    fn the_environment_fills_what_no_flag_gave() {
        let env = |endpoint: Option<&str>, region: Option<&str>| {
            let (endpoint, region) = (endpoint.map(str::to_string), region.map(str::to_string));
            move |name: &str| match name {
                ENDPOINT_VAR => endpoint.clone(),
                REGION_VAR => region.clone(),
                _ => None,
            }
        };
        let parsed = |args: &[&str], var| {
            let mut cli = Cli::try_parse_from(args).unwrap();
            cli.apply_environment(var);
            (cli.connection.endpoint, cli.connection.region)
        };
        let both = || env(Some("http://e"), Some("r-env"));
        assert_eq!(
            parsed(&["c", "last-push", "1"], both()),
            (Some("http://e".into()), None)
        );
        assert_eq!(
            parsed(&["c", "last-push", "1"], env(Some(""), Some("r-env"))),
            (None, Some("r-env".into()))
        );
        assert_eq!(
            parsed(&["c", "last-push", "1", "--region", "r"], both()),
            (None, Some("r".into()))
        );
        assert_eq!(
            parsed(&["c", "last-push", "1", "--endpoint", "http://f"], both()),
            (Some("http://f".into()), None)
        );
        #[cfg(feature = "demo")]
        assert_eq!(
            parsed(&["c", "--emulator", "last-push"], both()),
            (None, None)
        );
    }

    #[test]
    fn the_formula_guard_is_on_unless_turned_off() {
        let cli = Cli::try_parse_from(["codearts-repo", "events", "7", "-o", "csv"]).unwrap();
        assert!(!cli.no_formula_guard);
        let cli =
            Cli::try_parse_from(["codearts-repo", "events", "7", "--no-formula-guard"]).unwrap();
        assert!(cli.no_formula_guard);
    }

    #[test]
    fn follow_needs_a_path_and_limit_excludes_all() {
        assert!(Cli::try_parse_from(["codearts-repo", "commits", "7", "--follow"]).is_err());
        assert!(
            Cli::try_parse_from(["codearts-repo", "events", "7", "--all", "--limit", "3"]).is_err()
        );
        assert!(Cli::try_parse_from(["codearts-repo", "events", "7", "--limit", "0"]).is_err());
    }
}
