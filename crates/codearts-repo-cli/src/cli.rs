//! The command line: one subcommand per operation of the API plus `demo`, each with the
//! options it uses (connection, output, paging), which may also be typed before its name.

use std::ffi::OsString;
use std::time::Duration;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

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
///
/// Each command has only the options it uses (`codearts-repo COMMAND --help` lists them);
/// they may be typed before the command's name as well as after it.
#[derive(Debug, Parser)]
#[command(name = "codearts-repo", version, after_help = after_help())]
pub(crate) struct Cli {
    /// The operation to run.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// `-v`: how much of what the SDK does is logged.
#[derive(Debug, Default, Args)]
pub(crate) struct LogArgs {
    /// Log what the SDK does on stderr: -v each request (operation, attempts, status,
    /// duration, request id), -vv each attempt and retry, -vvv everything, the HTTP stack
    /// included. RUST_LOG, when set, chooses instead (such as RUST_LOG=codearts_repo=debug).
    #[arg(long, short = 'v', action = clap::ArgAction::Count, help_heading = "Output")]
    pub(crate) verbose: u8,
}

/// How the records of an operation are written.
#[derive(Debug, Default, Args)]
pub(crate) struct OutputArgs {
    /// Output format [default: table when stdout is a terminal, json otherwise].
    #[arg(
        long,
        short = 'o',
        value_enum,
        value_name = "FORMAT",
        env = OUTPUT_VAR,
        help_heading = "Output"
    )]
    pub(crate) output: Option<OutputFormat>,

    /// Write CSV cells that start with =, +, -, @, a tab or a carriage return as they are. By
    /// default they get a leading ' so that a spreadsheet opening the file shows them as
    /// text instead of running them as formulas.
    #[arg(long, help_heading = "Output")]
    pub(crate) no_formula_guard: bool,
}

/// The options of every operation of the API: where to connect, how to write, what to log.
#[derive(Debug, Default, Args)]
pub(crate) struct CommonArgs {
    /// Where to connect and how to authenticate.
    #[command(flatten)]
    pub(crate) connection: ConnectionArgs,

    /// How to write what comes back.
    #[command(flatten)]
    pub(crate) output: OutputArgs,

    /// What to log.
    #[command(flatten)]
    pub(crate) log: LogArgs,
}

/// The options of the operations that walk pages (`events`, `commits`).
#[derive(Debug, Default, Args)]
pub(crate) struct WalkArgs {
    /// Pages requested at the same time when a listing spans several pages.
    #[arg(long, value_name = "N", help_heading = "Connection",
          help = format!(
              "Pages requested at the same time when a listing spans several pages; more is \
               faster on a distant region and loads the service more [default: {}]",
              codearts_repo::DEFAULT_MAX_CONCURRENT_PAGES
          ),
          value_parser = clap::value_parser!(u64).range(1..=codearts_repo::MAX_CONCURRENT_PAGES_LIMIT as u64))]
    pub(crate) concurrent_pages: Option<u64>,

    /// Never draw a progress bar (one is drawn on stderr only when it is a terminal).
    #[arg(long, help_heading = "Output")]
    pub(crate) no_progress: bool,
}

/// `demo` options.
#[cfg(feature = "demo")]
#[derive(Debug, Default, Args)]
pub(crate) struct DemoArgs {
    /// Output format of the tour's commands [default: table].
    #[arg(long, short = 'o', value_enum, value_name = "FORMAT", env = OUTPUT_VAR,
          help_heading = "Output")]
    pub(crate) output: Option<OutputFormat>,

    /// Never draw a progress bar (one is drawn on stderr only when it is a terminal).
    #[arg(long, help_heading = "Output")]
    pub(crate) no_progress: bool,

    /// What to log.
    #[command(flatten)]
    pub(crate) log: LogArgs,
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
    #[arg(long, value_name = "REGION", help = format!(
        "Region id, such as cn-north-4 [env: {REGION_VAR}] [default: the SDK's default region]"
    ))]
    pub(crate) region: Option<String>,

    /// Service address instead of a region's, such as http://127.0.0.1:8080 for a local server.
    #[arg(long, value_name = "URL", conflicts_with = "region", help = format!(
        "Service address instead of a region's, such as http://127.0.0.1:8080 for a local \
         server [env: {ENDPOINT_VAR}, used when neither --endpoint nor --region is given; it \
         wins over {REGION_VAR}]"
    ))]
    pub(crate) endpoint: Option<String>,

    /// IAM token, sent as X-Auth-Token (prefer the environment: flags are visible to other users).
    #[arg(long, value_name = "TOKEN", conflicts_with = "access_key")]
    pub(crate) token: Option<String>,

    /// Access key id for AK/SK request signing; needs --secret-key.
    #[arg(long, value_name = "AK", requires = "secret_key")]
    pub(crate) access_key: Option<String>,

    /// Secret access key for AK/SK request signing; needs --access-key.
    #[arg(long, value_name = "SK", requires = "access_key")]
    pub(crate) secret_key: Option<String>,

    /// Security token of temporary AK/SK credentials.
    #[arg(long, value_name = "TOKEN", requires = "access_key")]
    pub(crate) security_token: Option<String>,

    /// Project id sent (and signed) as X-Project-Id with AK/SK credentials.
    #[arg(long, value_name = "ID", requires = "access_key")]
    pub(crate) signing_project_id: Option<String>,

    /// AK/SK signing algorithm, as the official SDKs name them: SDK-HMAC-SHA256 (default),
    /// SDK-HMAC-SM3, SDK-ECDSA-P256-SHA256 or SDK-SM2-SM3.
    #[arg(long, value_name = "ALGORITHM", requires = "access_key",
          value_parser = |s: &str| s.parse::<codearts_repo::SigningAlgorithm>().map_err(|e| e.to_string()))]
    pub(crate) signing_algorithm: Option<codearts_repo::SigningAlgorithm>,

    /// Time allowed to open a connection, such as 5s.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) connect_timeout: Option<Duration>,

    /// Time allowed for one attempt of one request, such as 30s.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) attempt_timeout: Option<Duration>,

    /// Time allowed for one request including its retries, such as 2m.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) timeout: Option<Duration>,

    /// Attempts per request, the first included (1 turns retries off).
    #[arg(long, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=20))]
    pub(crate) max_attempts: Option<u32>,

    /// Run against an embedded emulator with synthetic data (the demo's) instead of the service.
    #[cfg(feature = "demo")]
    #[arg(long, conflicts_with_all = ["endpoint", "region"])]
    pub(crate) emulator: bool,
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
    Demo(DemoArgs),
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
    /// variable would conflict with the other flag like a typed one. Commands that do not
    /// connect are left alone.
    pub(crate) fn apply_environment(&mut self, var: impl Fn(&str) -> Option<String>) {
        let Some(common) = self.command.common_mut() else {
            return;
        };
        let connection = &mut common.connection;
        #[cfg(feature = "demo")]
        if connection.emulator {
            return;
        }
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

impl Command {
    /// The connection, output and logging options of an operation of the API.
    pub(crate) fn common(&self) -> Option<&CommonArgs> {
        match self {
            Self::Events(args) => Some(&args.common),
            Self::LastPush(args) => Some(&args.common),
            Self::Commits(args) => Some(&args.common),
            Self::RecentPushes(args) => Some(&args.common),
            _ => None,
        }
    }

    fn common_mut(&mut self) -> Option<&mut CommonArgs> {
        match self {
            Self::Events(args) => Some(&mut args.common),
            Self::LastPush(args) => Some(&mut args.common),
            Self::Commits(args) => Some(&mut args.common),
            Self::RecentPushes(args) => Some(&mut args.common),
            _ => None,
        }
    }

    /// The walk options of an operation that walks pages.
    pub(crate) fn walk(&self) -> Option<&WalkArgs> {
        match self {
            Self::Events(args) => Some(&args.walk),
            Self::Commits(args) => Some(&args.walk),
            _ => None,
        }
    }

    /// How many `-v` were given (0 for the commands without the flag).
    pub(crate) fn verbose(&self) -> u8 {
        match self {
            #[cfg(feature = "demo")]
            Self::Demo(args) => args.log.verbose,
            other => other.common().map_or(0, |common| common.log.verbose),
        }
    }
}

/// Moves the options typed before the subcommand's name to just after it, so that
/// `codearts-repo --token T events 1` is read as `codearts-repo events --token T 1`: each
/// option belongs to the subcommands that use it, and only they accept it, wherever it is
/// typed. Which options take a value comes from the subcommands' definitions. A line whose
/// options before the name include the command's own (`--help`, `--version`), or with no
/// subcommand's name, is left as it is for clap to answer.
pub(crate) fn hoist_options(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut args: Vec<OsString> = args.into_iter().collect();
    let mut command = Cli::command();
    // With the `--help` and `--version` options clap adds.
    command.build();
    let options: Vec<&clap::Arg> = command
        .get_subcommands()
        .flat_map(|sub| sub.get_arguments())
        .collect();
    let takes_value = |matches: &dyn Fn(&clap::Arg) -> bool| {
        options
            .iter()
            .any(|arg| matches(arg) && arg.get_action().takes_values())
    };
    let mut at = 1;
    while let Some(word) = args.get(at).and_then(|word| word.to_str()) {
        if word == "--" || word == "-" || !word.starts_with('-') {
            break;
        }
        if let Some(long) = word.strip_prefix("--") {
            let name = long.split('=').next().unwrap_or(long);
            if command
                .get_arguments()
                .any(|arg| arg.get_long() == Some(name))
            {
                return args;
            }
            if !long.contains('=') && takes_value(&|arg| arg.get_long() == Some(name)) {
                at += 1;
            }
        } else {
            let shorts = &word[1..];
            for (i, short) in shorts.char_indices() {
                if command
                    .get_arguments()
                    .any(|arg| arg.get_short() == Some(short))
                {
                    return args;
                }
                if takes_value(&|arg| arg.get_short() == Some(short)) {
                    // The value is the rest of the word, or the next word.
                    if i + short.len_utf8() == shorts.len() {
                        at += 1;
                    }
                    break;
                }
            }
        }
        at += 1;
    }
    let is_subcommand = args
        .get(at)
        .and_then(|word| word.to_str())
        .is_some_and(|name| command.find_subcommand(name).is_some());
    if at > 1 && is_subcommand {
        let name = args.remove(at);
        args.insert(1, name);
    }
    args
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

    /// How pages are walked.
    #[command(flatten)]
    pub(crate) walk: WalkArgs,

    /// Connection, output and logging.
    #[command(flatten)]
    pub(crate) common: CommonArgs,
}

/// `last-push` options.
#[derive(Debug, Args)]
pub(crate) struct LastPushArgs {
    /// The repository.
    #[command(flatten)]
    pub(crate) repository: RepositoryArg,

    /// Connection, output and logging.
    #[command(flatten)]
    pub(crate) common: CommonArgs,
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

    /// How pages are walked.
    #[command(flatten)]
    pub(crate) walk: WalkArgs,

    /// Connection, output and logging.
    #[command(flatten)]
    pub(crate) common: CommonArgs,
}

/// `recent-pushes` options.
#[derive(Debug, Args)]
pub(crate) struct RecentPushesArgs {
    /// The operation's query parameters, from the spec.
    #[command(flatten)]
    pub(crate) query: QueryArgs<query_args::ListRecentPushEvents>,

    /// Connection, output and logging.
    #[command(flatten)]
    pub(crate) common: CommonArgs,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    /// A command line as `main` parses it: options typed before the subcommand moved after it.
    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(hoist_options(args.iter().map(OsString::from)))
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn limit_and_all_make_the_cap() {
        let cli = parse(&["codearts-repo", "events", "7", "--limit", "5"]).unwrap();
        let Command::Events(events) = cli.command else {
            panic!("events")
        };
        assert_eq!(events.paging.cap(), Some(5));
        assert_eq!(events.paging.page_size, None, "the SDK picks the page size");
        let cli = parse(&["codearts-repo", "events", "7", "--all"]).unwrap();
        let Command::Events(events) = cli.command else {
            panic!("events")
        };
        assert_eq!(events.paging.cap(), None);
    }

    #[test]
    fn options_go_before_or_after_the_subcommand() {
        for args in [
            &[
                "c",
                "commits",
                "7",
                "--endpoint",
                "http://127.0.0.1:1",
                "-o",
                "csv",
                "-vv",
            ][..],
            &[
                "c",
                "--endpoint",
                "http://127.0.0.1:1",
                "-ocsv",
                "-vv",
                "commits",
                "7",
            ],
            &[
                "c",
                "--endpoint=http://127.0.0.1:1",
                "-v",
                "commits",
                "-v",
                "--output",
                "csv",
                "7",
            ],
            &[
                "c",
                "-vo",
                "csv",
                "--endpoint",
                "http://127.0.0.1:1",
                "commits",
                "-v",
                "7",
            ],
        ] {
            let cli = parse(args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
            let common = cli.command.common().unwrap();
            assert_eq!(common.output.output, Some(OutputFormat::Csv), "{args:?}");
            assert_eq!(
                common.connection.endpoint.as_deref(),
                Some("http://127.0.0.1:1"),
                "{args:?}"
            );
            assert_eq!(cli.command.verbose(), 2, "{args:?}");
            let Command::Commits(commits) = cli.command else {
                panic!("commits")
            };
            assert_eq!(commits.repository.repository_id, Some(7), "{args:?}");
        }
        // A value that looks like a subcommand stays the option's value.
        let cli = parse(&["c", "--region", "events", "last-push", "1"]).unwrap();
        assert!(matches!(cli.command, Command::LastPush(_)));
        assert_eq!(
            cli.command.common().unwrap().connection.region.as_deref(),
            Some("events")
        );
        // The command's own options are not moved; words after `--` neither.
        assert_eq!(
            hoist_options(["c", "--version", "events"].map(OsString::from)),
            ["c", "--version", "events"]
        );
        assert_eq!(
            hoist_options(["c", "--token", "t", "--", "events"].map(OsString::from)),
            ["c", "--token", "t", "--", "events"]
        );
    }

    #[test]
    fn each_subcommand_accepts_only_the_options_it_uses() {
        let refused = |args: &[&str]| {
            let error = parse(args).expect_err("refused");
            assert_eq!(
                error.kind(),
                clap::error::ErrorKind::UnknownArgument,
                "{args:?}: {error}"
            );
        };
        refused(&["c", "last-push", "1", "--concurrent-pages", "2"]);
        refused(&["c", "--concurrent-pages", "2", "recent-pushes"]);
        refused(&["c", "last-push", "1", "--no-progress"]);
        refused(&["c", "completions", "bash", "--token", "t"]);
        refused(&["c", "-v", "completions", "bash"]);
        assert!(
            parse(&[
                "c",
                "events",
                "1",
                "--concurrent-pages",
                "2",
                "--no-progress"
            ])
            .is_ok()
        );
        assert!(parse(&["c", "--concurrent-pages", "2", "commits", "1"]).is_ok());
        #[cfg(feature = "demo")]
        {
            refused(&["c", "demo", "--endpoint", "http://x"]);
            refused(&["c", "--token", "t", "demo"]);
            refused(&["c", "demo", "--emulator"]);
            refused(&["c", "demo", "--no-formula-guard"]);
            assert!(parse(&["c", "-v", "demo", "-o", "json", "--no-progress"]).is_ok());
        }
        // The help of each lists what it accepts, and nothing else.
        let mut command = Cli::command();
        command.build();
        let longs = |name: &str| -> Vec<String> {
            command
                .find_subcommand(name)
                .unwrap()
                .get_arguments()
                .filter_map(|arg| arg.get_long().map(str::to_string))
                .collect()
        };
        assert!(!longs("last-push").contains(&"concurrent-pages".to_string()));
        assert!(longs("events").contains(&"concurrent-pages".to_string()));
        assert!(longs("completions").iter().all(|long| long == "help"));
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
            let mut cli = parse(args).unwrap();
            cli.apply_environment(var);
            let connection = &cli.command.common().unwrap().connection;
            (connection.endpoint.clone(), connection.region.clone())
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
        let guard = |args: &[&str]| {
            !parse(args)
                .unwrap()
                .command
                .common()
                .unwrap()
                .output
                .no_formula_guard
        };
        assert!(guard(&["codearts-repo", "events", "7", "-o", "csv"]));
        assert!(!guard(&[
            "codearts-repo",
            "events",
            "7",
            "--no-formula-guard"
        ]));
        assert!(!guard(&[
            "codearts-repo",
            "--no-formula-guard",
            "last-push",
            "7"
        ]));
    }

    #[test]
    fn follow_needs_a_path_and_limit_excludes_all() {
        assert!(parse(&["codearts-repo", "commits", "7", "--follow"]).is_err());
        assert!(parse(&["codearts-repo", "events", "7", "--all", "--limit", "3"]).is_err());
        assert!(parse(&["codearts-repo", "events", "7", "--limit", "0"]).is_err());
    }
}
