//! A session with the service: the SDK client built from the connection flags, and the
//! operations run through it, walking pages and writing what comes back.

use std::io::{self, BufWriter};
use std::pin::pin;

use codearts_repo::spec::ValueError;
use codearts_repo::spec::operations::{
    list_commits, list_personal_recent_push_events, list_repository_events,
};
use codearts_repo::{Client, Credentials, DayCounts, Page, RetryConfig};
use futures::{Stream, StreamExt};
use serde::Serialize;
use serde_json::Value;

use crate::cli::{
    Command, CommitsArgs, ConnectionArgs, EventsArgs, LastPushArgs, OutputFormat, PagingArgs,
    RecentPushesArgs, RepositoryArg,
};
use crate::columns::{COMMIT_COLUMNS, EVENT_COLUMNS, LAST_PUSH_COLUMNS, RECENT_PUSH_COLUMNS};
use crate::failure::{Failure, FailureKind};
use crate::output::{self, DayCount, RecordWriter, Shape, write_day_counts};
use crate::progress::Progress;

/// How a hint names the SDK's default provider chain, before it found anything.
const DEFAULT_CHAIN: &str = "the SDK's default chain";

/// The hint of a command that names no repository (and has no preset one).
const NO_REPOSITORY_HINT: &str = if cfg!(feature = "demo") {
    "pass the numeric id of a repository, or use --emulator to try one"
} else {
    "pass the numeric id of a repository"
};

/// What a service started by this process (the embedded emulator) sets for a session: its
/// address, its credentials and the repository read when a command names none. Empty, the
/// default, for the real service.
#[derive(Default)]
pub(crate) struct Presets {
    /// Address used instead of the connection flags' endpoint or region.
    pub(crate) endpoint: Option<String>,
    /// Credentials used when no credential flag is given, with how a hint names them.
    pub(crate) credentials: Option<(Credentials, &'static str)>,
    /// Repository read when a command names none.
    pub(crate) repository: Option<u32>,
}

/// A client ready to use, and how to present what it returns.
pub(crate) struct Session {
    client: Client,
    /// Where the credentials came from, for the hint of an authentication failure.
    credential_source: String,
    /// Repository used when none is given (the first emulated one, with `--emulator`).
    default_repository: Option<u32>,
    format: OutputFormat,
    width: Option<usize>,
    progress: bool,
    /// Whether CSV cells that a spreadsheet would run as formulas are neutralised.
    formula_guard: bool,
}

/// Applies the paging flags to a list builder: the offset, the page size only when
/// `--page-size` was given (the SDK picks it otherwise), and the cap as `max_items`, so
/// the SDK's walk is the one place the cap is enforced.
macro_rules! paged {
    ($request:expr, $paging:expr) => {{
        let paging = &$paging;
        let mut request = $request.offset(paging.offset);
        if let Some(size) = paging.page_size {
            request = request.limit(size);
        }
        if let Some(cap) = paging.cap() {
            request = request.max_items(usize::try_from(cap).unwrap_or(usize::MAX));
        }
        request
    }};
}

impl Session {
    /// Builds the client from the connection flags (and `--concurrent-pages`, `pages`) and
    /// the `presets` of a local service: against its address, and with its credentials
    /// unless credentials were given.
    pub(crate) fn connect(
        args: &ConnectionArgs,
        pages: Option<u64>,
        presets: Presets,
        format: OutputFormat,
        progress: bool,
    ) -> Result<Self, Failure> {
        let mut builder =
            Client::builder().user_agent(concat!("codearts-repo-cli/", env!("CARGO_PKG_VERSION")));
        let endpoint = presets.endpoint.or(args.endpoint.clone());
        if let Some(endpoint) = &endpoint {
            // Plain HTTP is allowed for an address the user typed (or the embedded emulator):
            // the SDK then names both schemes when another is given.
            builder = builder.endpoint(endpoint).allow_http(true);
        } else if let Some(region) = &args.region {
            builder = builder.region(region);
        }
        let flagged = credentials(args).or(presets.credentials);
        let flagged_source = flagged.as_ref().map(|(_, source)| *source);
        if let Some((credentials, _)) = flagged {
            builder = builder.credentials(credentials);
        }
        if let Some(timeout) = args.connect_timeout {
            builder = builder.connect_timeout(timeout);
        }
        if let Some(timeout) = args.attempt_timeout {
            builder = builder.attempt_timeout(timeout);
        }
        if let Some(timeout) = args.timeout {
            builder = builder.operation_timeout(timeout);
        }
        if let Some(attempts) = args.max_attempts {
            builder = builder.retry(RetryConfig::default().max_attempts(attempts));
        }
        if let Some(pages) = pages {
            // Bounded to 1..=MAX_CONCURRENT_PAGES_LIMIT by the argument parser.
            builder = builder.max_concurrent_pages(usize::try_from(pages).unwrap_or(1));
        }
        let client = builder
            .build()
            .map_err(|e| Failure::from_sdk(e, flagged_source.unwrap_or(DEFAULT_CHAIN)))?;
        // Without a flag, the SDK says which variable or file it used.
        let credential_source =
            flagged_source.map_or_else(|| client.credentials_source().to_string(), str::to_string);
        Ok(Self {
            client,
            credential_source,
            default_repository: presets.repository,
            format,
            width: output::stdout_width(),
            progress,
            formula_guard: true,
        })
    }

    /// Turns the CSV formula guard off (`--no-formula-guard`) or on (the default).
    pub(crate) fn formula_guard(mut self, on: bool) -> Self {
        self.formula_guard = on;
        self
    }

    /// Runs one operation.
    pub(crate) async fn execute(&self, command: Command) -> Result<(), Failure> {
        match command {
            Command::Events(args) => self.events(args).await,
            Command::LastPush(args) => self.last_push(args).await,
            Command::Commits(args) => self.commits(args).await,
            Command::RecentPushes(args) => self.recent_pushes(args).await,
            #[cfg(feature = "demo")]
            Command::Demo(_) => Err(Failure::new(
                FailureKind::Usage,
                "the demo cannot run inside another command",
            )),
            Command::Completions(_) | Command::Man => Err(Failure::new(
                FailureKind::Usage,
                "completions and the manual page need no session",
            )),
        }
    }

    /// The day of the newest commit of a repository's default branch, if it has one (the
    /// demo's histogram ends there).
    #[cfg(feature = "demo")]
    pub(crate) async fn newest_commit_day(
        &self,
        repository: u32,
    ) -> Result<Option<chrono::NaiveDate>, Failure> {
        let page = self
            .client
            .list_commits(repository)
            .order_by_date(true)
            .limit(1)
            .send()
            .await
            .map_err(|e| self.sdk_failure(e))?;
        Ok(page
            .items
            .first()
            .and_then(|commit| commit.committed_date.as_ref())
            .and_then(|date| date.to_utc())
            .map(|date| date.date_naive()))
    }

    fn repository(&self, arg: &RepositoryArg) -> Result<u32, Failure> {
        arg.repository_id
            .or(self.default_repository)
            .ok_or_else(|| {
                Failure::new(FailureKind::Usage, "a REPOSITORY_ID is required")
                    .hint(NO_REPOSITORY_HINT)
            })
    }

    fn sdk_failure(&self, error: codearts_repo::Error) -> Failure {
        Failure::from_sdk(error, &self.credential_source)
    }

    async fn events(&self, args: EventsArgs) -> Result<(), Failure> {
        let repository = self.repository(&args.repository)?;
        let mut request = self.client.list_repository_events(repository);
        let mut params = list_repository_events::Params::default();
        args.query
            .apply(|name, value| params.set(name, value))
            .map_err(usage)?;
        request = request.with_params(params);
        request = paged!(request, args.paging);
        let writer = self.writer(Shape::List, EVENT_COLUMNS, "no events");
        self.write_pages(request.pages(), &args.paging, "events", writer)
            .await
    }

    async fn last_push(&self, args: LastPushArgs) -> Result<(), Failure> {
        let repository = self.repository(&args.repository)?;
        let push = self
            .client
            .last_push_event(repository)
            .send()
            .await
            .map_err(|e| self.sdk_failure(e))?;
        // A repository nobody pushed to has no last push: JSON `null`, a table says so.
        let mut writer = self.writer(Shape::Single, LAST_PUSH_COLUMNS, "no push yet");
        if let Some(push) = &push {
            writer.record(&to_value(push)?)?;
        }
        writer.finish()?;
        Ok(())
    }

    async fn commits(&self, args: CommitsArgs) -> Result<(), Failure> {
        let repository = self.repository(&args.repository)?;
        let mut request = self.client.list_commits(repository);
        let mut params = list_commits::Params::default();
        args.query
            .apply(|name, value| params.set(name, value))
            .map_err(usage)?;
        request = request.with_params(params);
        request = paged!(request, args.paging);
        if args.by_day {
            // The SDK's walk asks the page that reaches the cap for only the commits the
            // cap leaves, so every page's date_title counts exactly the commits walked.
            let mut days = DayCounts::default();
            self.walk(request.pages(), &args.paging, "commits", |page| {
                days.add(&page.date_title);
                Ok(())
            })
            .await?;
            let mut days: Vec<DayCount> = days
                .newest_first()
                .into_iter()
                .map(|(day, commits_count)| DayCount { day, commits_count })
                .collect();
            days.reverse();
            let mut out = stdout();
            write_day_counts(&mut out, self.format, &days, self.width, self.formula_guard)?;
            return Ok(());
        }
        let writer = self.writer(Shape::List, COMMIT_COLUMNS, "no commits");
        self.write_pages(request.pages(), &args.paging, "commits", writer)
            .await
    }

    async fn recent_pushes(&self, args: RecentPushesArgs) -> Result<(), Failure> {
        let mut params = list_personal_recent_push_events::Params::default();
        args.query
            .apply(|name, value| params.set(name, value))
            .map_err(usage)?;
        let request = self.client.list_recent_push_events().with_params(params);
        let pushes = request.send().await.map_err(|e| self.sdk_failure(e))?;
        let mut writer = self.writer(Shape::List, RECENT_PUSH_COLUMNS, "no recent pushes");
        for push in &pushes.items {
            writer.record(&to_value(push)?)?;
        }
        writer.finish()?;
        Ok(())
    }

    fn writer(
        &self,
        shape: Shape,
        columns: &'static [output::Column],
        empty_note: &'static str,
    ) -> RecordWriter<BufWriter<io::Stdout>> {
        RecordWriter::new(
            self.format,
            shape,
            columns,
            stdout(),
            self.width,
            empty_note,
        )
        .formula_guard(self.formula_guard)
    }

    /// Walks pages and writes their items as records.
    async fn write_pages<T, S>(
        &self,
        pages: S,
        paging: &PagingArgs,
        noun: &'static str,
        mut writer: RecordWriter<BufWriter<io::Stdout>>,
    ) -> Result<(), Failure>
    where
        T: Serialize,
        S: Stream<Item = Result<Page<T>, codearts_repo::Error>>,
    {
        self.walk(pages, paging, noun, |page| {
            for item in &page.items {
                writer.record(&to_value(item)?)?;
            }
            // A pipe sees each page as it arrives.
            writer.flush()?;
            Ok(())
        })
        .await?;
        writer.finish()?;
        Ok(())
    }

    /// Walks the pages the SDK yields (it stops them at the cap), handing each to
    /// `on_page`; draws progress as pages arrive.
    async fn walk<T, S>(
        &self,
        pages: S,
        paging: &PagingArgs,
        noun: &'static str,
        mut on_page: impl FnMut(&Page<T>) -> Result<(), Failure>,
    ) -> Result<(), Failure>
    where
        S: Stream<Item = Result<Page<T>, codearts_repo::Error>>,
    {
        let mut progress = Progress::new(self.progress, noun);
        let mut pages = pin!(pages);
        let mut received = 0u64;
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| {
                let failure = self.sdk_failure(e);
                if received == 0 {
                    return failure;
                }
                // Every item before the failure was written once: say where to go on.
                let resume = u64::from(paging.offset).saturating_add(received);
                failure.hint(format!(
                    "{received} {noun} were written before the failure; to go on from there, \
                     run the same command with --offset {resume}"
                ))
            })?;
            received = received.saturating_add(page.items.len() as u64);
            // For the progress bar only: how many items the walk will yield in all.
            let expected = page
                .total
                .map(|total| total.saturating_sub(u64::from(paging.offset)))
                .map(|total| paging.cap().map_or(total, |cap| total.min(cap)));
            progress.suspend(|| on_page(&page))?;
            progress.page(page.items.len() as u64, expected);
        }
        Ok(())
    }
}

/// Stdout, buffered: output is written in large pieces even when it streams.
fn stdout() -> BufWriter<io::Stdout> {
    BufWriter::with_capacity(64 * 1024, io::stdout())
}

/// A record as the JSON the service sent.
fn to_value(item: &impl Serialize) -> Result<Value, Failure> {
    serde_json::to_value(item).map_err(|e| {
        Failure::new(
            FailureKind::Other,
            format!("could not write a record as JSON: {e}"),
        )
    })
}

/// Credentials given by flags, with how a hint names them; `None` leaves the choice to the
/// presets or the SDK's default chain.
fn credentials(args: &ConnectionArgs) -> Option<(Credentials, &'static str)> {
    if let Some(token) = &args.token {
        return Some((Credentials::token(token), "the --token flag"));
    }
    if let (Some(ak), Some(sk)) = (&args.access_key, &args.secret_key) {
        let mut credentials = Credentials::access_key(ak, sk);
        if let Some(project) = &args.signing_project_id {
            credentials = credentials.project_id(project);
        }
        if let Some(token) = &args.security_token {
            credentials = credentials.security_token(token);
        }
        if let Some(algorithm) = args.signing_algorithm {
            credentials = credentials.signing_algorithm(algorithm);
        }
        return Some((credentials, "the --access-key and --secret-key flags"));
    }
    None
}

/// A flag's value that its operation's parameters refused (clap's parser, the same as the
/// SDK's, has checked it already, so this is a safeguard).
fn usage(error: ValueError) -> Failure {
    Failure::new(
        FailureKind::Usage,
        format!("invalid {}: {error}", error.parameter),
    )
}
