//! What the probe found: each stage's outcome, and the findings of one target.

use std::time::Duration;

use crate::failure::Failure;
use crate::info::Info;
use crate::trust::Roots;
use crate::url::{Target, UrlError};

use super::cluster::ClusterFacts;
use super::connections::ConnectionFacts;
use super::dns::DnsFacts;
use super::keyspace::Sample;
use super::pubsub::PubsubFacts;
use super::sentinel::SentinelFacts;
use super::session::{AuthFacts, PingDenied, ServerConfig};
use super::tcp::TcpFacts;
use super::tls::TlsFacts;
use super::write::WriteFacts;

/// What a stage came to.
#[derive(Debug, Clone)]
pub enum Outcome<T> {
    /// It ran and found these facts.
    Done(T),
    /// It failed; partial facts when there are some (e.g. the chain of a rejected certificate).
    Failed(Failure, Option<Box<T>>),
    /// It did not run: why, as a cause checks may branch on and as words to show.
    Skipped(Skip),
}

/// Why a stage did not run. Checks branch on [`Skip::cause`], never on the words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    /// The kind of reason.
    pub cause: SkipCause,
    /// The reason in words, for the report.
    pub why: String,
}

/// The kinds of reason a stage did not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipCause {
    /// The probe never came to it: the state every stage starts in.
    NotRun,
    /// An earlier stage failed or did not run.
    NotReached,
    /// This subcommand or a flag does not ask for it.
    NotAsked,
    /// The server refused the command it needs (ACL, a renamed command, a proxy).
    Forbidden,
    /// It does not apply to this target (a Unix socket, a plaintext URL, no cluster mode).
    NotApplicable,
}

impl std::ops::Deref for Skip {
    type Target = str;
    fn deref(&self) -> &str {
        &self.why
    }
}

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.why)
    }
}

/// The stages a failure can make later stages skip, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StageId {
    /// Name resolution.
    Dns,
    /// TCP connect or the Unix socket.
    Tcp,
    /// Plaintext or TLS.
    Scheme,
    /// The TLS handshake.
    Tls,
    /// AUTH / HELLO / SELECT.
    Auth,
    /// PING samples.
    Ping,
    /// INFO.
    Info,
    /// CONFIG GET.
    Config,
    /// Cluster topology.
    Cluster,
    /// The keyspace sample.
    Keyspace,
    /// CLIENT LIST.
    Connections,
    /// The pub/sub round trip.
    Pubsub,
    /// The write probe.
    Write,
}

impl StageId {
    /// Every stage, in order.
    pub const ALL: [StageId; 13] = [
        StageId::Dns,
        StageId::Tcp,
        StageId::Scheme,
        StageId::Tls,
        StageId::Auth,
        StageId::Ping,
        StageId::Info,
        StageId::Config,
        StageId::Cluster,
        StageId::Keyspace,
        StageId::Connections,
        StageId::Pubsub,
        StageId::Write,
    ];
}

/// A stage's outcome and how long it took.
#[derive(Debug, Clone)]
pub struct Stage<T> {
    /// The outcome.
    pub outcome: Outcome<T>,
    /// Time spent in it.
    pub took: Duration,
}

impl<T> Stage<T> {
    pub(crate) fn skipped(cause: SkipCause, why: impl Into<String>) -> Self {
        Stage {
            outcome: Outcome::Skipped(Skip {
                cause,
                why: why.into(),
            }),
            took: Duration::ZERO,
        }
    }

    /// Skipped because an earlier stage failed or did not run.
    pub(crate) fn not_reached(why: impl Into<String>) -> Self {
        Self::skipped(SkipCause::NotReached, why)
    }

    /// Skipped because nothing asked for it.
    pub(crate) fn not_asked(why: impl Into<String>) -> Self {
        Self::skipped(SkipCause::NotAsked, why)
    }

    /// Skipped because the server refused the command it needs.
    pub(crate) fn forbidden(why: impl Into<String>) -> Self {
        Self::skipped(SkipCause::Forbidden, why)
    }

    /// Skipped because it does not apply to this target.
    pub(crate) fn not_applicable(why: impl Into<String>) -> Self {
        Self::skipped(SkipCause::NotApplicable, why)
    }

    pub(crate) fn done(facts: T, took: Duration) -> Self {
        Stage {
            outcome: Outcome::Done(facts),
            took,
        }
    }

    pub(crate) fn failed(failure: Failure, took: Duration) -> Self {
        Stage {
            outcome: Outcome::Failed(failure, None),
            took,
        }
    }

    /// The facts, if the stage succeeded.
    pub fn facts(&self) -> Option<&T> {
        match &self.outcome {
            Outcome::Done(t) => Some(t),
            _ => None,
        }
    }
}

/// What the port turned out to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speaks {
    /// A TLS server answered.
    Tls,
    /// Plaintext RESP answered.
    Resp,
}

/// A target ready to probe: the URL as given, parsed, and its trust roots when it uses TLS.
pub struct Prepared {
    /// The URL, redacted.
    pub shown: String,
    /// The parsed target, or why it could not be parsed.
    pub target: Result<Target, UrlError>,
    /// Trust roots for `rediss://` targets.
    pub roots: Option<Roots>,
}

/// Everything the probe found about one target.
pub struct Findings {
    /// The URL, redacted.
    pub shown: String,
    /// The parsed target.
    pub target: Option<Target>,
    /// Why the URL could not be used, when it could not.
    pub url_error: Option<UrlError>,
    /// URL parsing.
    pub url: Stage<()>,
    /// Name resolution.
    pub dns: Stage<DnsFacts>,
    /// TCP connect (or the Unix socket).
    pub tcp: Stage<TcpFacts>,
    /// Plaintext vs TLS agreement between the URL and the port.
    pub scheme: Stage<Speaks>,
    /// The TLS handshake.
    pub tls: Stage<TlsFacts>,
    /// Authentication and protocol negotiation.
    pub auth: Stage<AuthFacts>,
    /// Round-trip samples.
    pub ping: Stage<Vec<Duration>>,
    /// The INFO facts.
    pub info: Stage<Info>,
    /// Settings read with `CONFIG GET` (idle timeout, keep-alive, buffer limits).
    pub config: Stage<ServerConfig>,
    /// Set when the ACL forbids PING: `ping` then holds round trips timed another way.
    pub ping_denied: Option<PingDenied>,
    /// Cluster state and the reachability of the nodes it announces.
    pub cluster: Stage<ClusterFacts>,
    /// The keyspace sample of the URL's database.
    pub keyspace: Stage<Sample>,
    /// `CLIENT LIST`: the other connections.
    pub connections: Stage<ConnectionFacts>,
    /// The pub/sub round trip.
    pub pubsub: Stage<PubsubFacts>,
    /// The opt-in write probe.
    pub write: Stage<WriteFacts>,
    /// The Sentinels of a Sentinel URL: what each answered, the master and replicas they announce.
    pub sentinel: Stage<SentinelFacts>,
    /// Set when a plain URL reached a Sentinel: the names it monitors and their addresses.
    pub at_sentinel: Option<Vec<(String, String)>>,
    /// Wall time of the whole probe.
    pub elapsed: Duration,
}

impl Findings {
    /// Findings for `shown` with no stage reached yet.
    pub(crate) fn new(shown: String) -> Self {
        let not_run = || "not reached";
        Findings {
            shown,
            target: None,
            url_error: None,
            url: Stage::skipped(SkipCause::NotRun, not_run()),
            dns: Stage::skipped(SkipCause::NotRun, not_run()),
            tcp: Stage::skipped(SkipCause::NotRun, not_run()),
            scheme: Stage::skipped(SkipCause::NotRun, not_run()),
            tls: Stage::skipped(SkipCause::NotRun, not_run()),
            auth: Stage::skipped(SkipCause::NotRun, not_run()),
            ping: Stage::skipped(SkipCause::NotRun, not_run()),
            info: Stage::skipped(SkipCause::NotRun, not_run()),
            config: Stage::skipped(SkipCause::NotRun, not_run()),
            ping_denied: None,
            cluster: Stage::skipped(SkipCause::NotRun, not_run()),
            keyspace: Stage::skipped(SkipCause::NotRun, not_run()),
            connections: Stage::skipped(SkipCause::NotRun, not_run()),
            pubsub: Stage::skipped(SkipCause::NotRun, not_run()),
            write: Stage::skipped(SkipCause::NotRun, not_run()),
            sentinel: Stage::not_applicable("not a Sentinel URL"),
            at_sentinel: None,
            elapsed: Duration::ZERO,
        }
    }

    /// Marks every stage from `from` on as skipped because of `why`.
    pub(crate) fn skip_from(&mut self, from: StageId, why: &str) {
        for id in StageId::ALL.into_iter().filter(|id| *id >= from) {
            match id {
                StageId::Dns => self.dns = Stage::not_reached(why),
                StageId::Tcp => self.tcp = Stage::not_reached(why),
                StageId::Scheme => self.scheme = Stage::not_reached(why),
                StageId::Tls => self.tls = Stage::not_reached(why),
                StageId::Auth => self.auth = Stage::not_reached(why),
                StageId::Ping => self.ping = Stage::not_reached(why),
                StageId::Info => self.info = Stage::not_reached(why),
                StageId::Config => self.config = Stage::not_reached(why),
                StageId::Cluster => self.cluster = Stage::not_reached(why),
                StageId::Keyspace => self.keyspace = Stage::not_reached(why),
                StageId::Connections => self.connections = Stage::not_reached(why),
                StageId::Pubsub => self.pubsub = Stage::not_reached(why),
                StageId::Write => self.write = Stage::not_reached(why),
            }
        }
    }
}
