//! The hand-written runtime under the generated CodeArts Repo client.
//!
//! `codearts-repo-gen` holds only code that progenitor generates from the spec; everything
//! a request needs besides lives here, one concern per module, as smithy-rs keeps its
//! runtime crates apart from generated code:
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`secret`] | [`Secret`](secret::Secret), a value whose `Debug` is redacted |
//! | [`auth`] | [`Auth`](auth::Auth): credentials checked once, as they are sent |
//! | [`metadata`] | temporary credentials from the ECS metadata service, refreshed ahead of expiry |
//! | [`iam`] | IAM: project ids by region, OIDC id tokens exchanged for temporary credentials |
//! | [`signing`] | the four AK/SK signatures of the official SDKs, for signing and verifying |
//! | [`prepare`] | one attempt made ready to send: canonical query, `Host`, authentication |
//! | [`retry`] | the [`RetryPolicy`](retry::RetryPolicy) and what is retryable |
//! | [`call`] | the per-operation deadline in, the [`CallRecord`](call::CallRecord) out |
//! | [`failover`] | a region's several endpoints, the next one tried when a connection fails |
//! | [`exec`] | [`ClientState`] and the attempt loop, [`execute`](exec::execute) |
//! | [`mod@response`] | reading an answer whole within the attempt's bounds and a size limit |
//! | [`error_body`] | error bodies of every shape read into the documented one |
//! | [`causes`] | an error's message with its chain of causes, in one line |
//! | [`lenient`] | tolerant types standing in for some of the spec's schemas |
//! | [`pacing`] | the [`Pacer`](pacing::Pacer): the rate a throttling service allows, learned from its 429s |
//! | [`headers`] | header names |
//! | [`intercept`] | the [`Interceptor`](intercept::Interceptor) hook around every attempt |
//! | [`params`] | the documented parameters of an operation as data, and the one reader of their values |
//! | [`time_bound`] | [`TimeBound`](time_bound::TimeBound), a date or instant bound, and its one parser |
//!
//! The generated client names [`ClientState`] as its inner type and the
//! [`lenient`] types in place of some schemas (see `codearts-repo-codegen`); its
//! `ClientHooks` implementation delegates to [`exec::execute`].
//!
//! Most users want the `codearts-repo` crate, which wraps all of this.

pub mod auth;
pub mod call;
pub mod causes;
pub mod error_body;
pub mod exec;
pub mod failover;
pub mod headers;
pub mod iam;
pub mod intercept;
pub mod lenient;
pub mod metadata;
pub mod pacing;
pub mod params;
pub mod prepare;
pub mod response;
pub mod retry;
pub mod secret;
pub mod signing;
pub mod time_bound;

pub use exec::ClientState;
