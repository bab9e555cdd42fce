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
    /// It did not run, for this reason.
    Skipped(String),
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
    pub(crate) fn skipped(why: impl Into<String>) -> Self {
        Stage {
            outcome: Outcome::Skipped(why.into()),
            took: Duration::ZERO,
        }
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
            url: Stage::skipped(not_run()),
            dns: Stage::skipped(not_run()),
            tcp: Stage::skipped(not_run()),
            scheme: Stage::skipped(not_run()),
            tls: Stage::skipped(not_run()),
            auth: Stage::skipped(not_run()),
            ping: Stage::skipped(not_run()),
            info: Stage::skipped(not_run()),
            config: Stage::skipped(not_run()),
            ping_denied: None,
            cluster: Stage::skipped(not_run()),
            keyspace: Stage::skipped(not_run()),
            connections: Stage::skipped(not_run()),
            pubsub: Stage::skipped(not_run()),
            write: Stage::skipped(not_run()),
            sentinel: Stage::skipped("not a Sentinel URL"),
            at_sentinel: None,
            elapsed: Duration::ZERO,
        }
    }

    /// Marks every stage from `from` on as skipped because of `why`.
    pub(crate) fn skip_from(&mut self, from: &str, why: &str) {
        let order = [
            "dns",
            "tcp",
            "scheme",
            "tls",
            "auth",
            "ping",
            "info",
            "config",
            "cluster",
            "keyspace",
            "connections",
            "pubsub",
            "write",
        ];
        let start = order.iter().position(|s| *s == from).unwrap_or(order.len());
        for name in &order[start..] {
            let why = why.to_string();
            match *name {
                "dns" => self.dns = Stage::skipped(why),
                "tcp" => self.tcp = Stage::skipped(why),
                "scheme" => self.scheme = Stage::skipped(why),
                "tls" => self.tls = Stage::skipped(why),
                "auth" => self.auth = Stage::skipped(why),
                "ping" => self.ping = Stage::skipped(why),
                "info" => self.info = Stage::skipped(why),
                "config" => self.config = Stage::skipped(why),
                "cluster" => self.cluster = Stage::skipped(why),
                "keyspace" => self.keyspace = Stage::skipped(why),
                "connections" => self.connections = Stage::skipped(why),
                "pubsub" => self.pubsub = Stage::skipped(why),
                _ => self.write = Stage::skipped(why),
            }
        }
    }
}
