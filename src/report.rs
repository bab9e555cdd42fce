//! The report users script against (JSON contract `version: 1`); data only, no logic.

use serde::{Deserialize, Serialize};

use crate::verdict::{Check, Status, Tool};

pub mod url;

/// What was checked, redacted.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TargetInfo {
    /// The URL with the password as `****`.
    pub url: String,
    /// Scheme as written (lower case), when the URL parsed.
    pub scheme: Option<String>,
    /// Host, or socket path.
    pub host: Option<String>,
    /// Port, for TCP.
    pub port: Option<u16>,
    /// Database.
    pub db: Option<u32>,
    /// User name from the URL.
    pub username: Option<String>,
    /// Whether the URL asks for TLS.
    pub tls: Option<bool>,
}

/// One target's report: one JSON line.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Contract version.
    pub version: u32,
    /// The tool.
    pub tool: Tool,
    /// The target.
    pub target: TargetInfo,
    /// Worst status among the checks: `pass`, `warn` or `fail`.
    pub verdict: Status,
    /// Wall time of the target's check.
    pub elapsed_ms: f64,
    /// Every check in stage order.
    pub checks: Vec<Check>,
}

impl Report {
    /// Counts checks with a status.
    pub fn count(&self, status: Status) -> usize {
        self.checks.iter().filter(|c| c.status == status).count()
    }
}

/// What `redcheck tls` adds to a report: the handshake and the whole chain.
#[derive(Debug, Clone, Serialize)]
pub struct Handshake {
    /// Negotiated version, e.g. `TLS 1.3`.
    pub version: String,
    /// Negotiated cipher suite.
    pub cipher: String,
    /// Negotiated ALPN protocol.
    pub alpn: Option<String>,
    /// The name sent as SNI and verified.
    pub server_name: String,
    /// Which roots were used: `system`, `bundled`, `custom-ca`, `insecure`.
    pub trust: crate::trust::TrustSource,
    /// How many roots were loaded.
    pub roots: usize,
    /// Null when verified, else the failure reason.
    pub verification_error: Option<&'static str>,
    /// Whether the server asked for a client certificate.
    pub client_cert_requested: bool,
    /// The presented chain, leaf first.
    pub chain: Vec<crate::x509::CertInfo>,
}

/// A report with the handshake details (`redcheck tls`).
#[derive(Debug, Clone, Serialize)]
pub struct TlsReport {
    /// The usual report (checks up to `tls`).
    #[serde(flatten)]
    pub report: Report,
    /// The handshake, when the server got as far as presenting a certificate.
    pub handshake: Option<Handshake>,
}

/// `redcheck url`: what the URL says and how each client reads it (JSON contract `version: 1`).
#[derive(Debug, Clone, Serialize)]
pub struct UrlReport {
    /// Contract version.
    pub version: u32,
    /// The tool.
    pub tool: Tool,
    /// The URL with the password as `****`.
    pub url: String,
    /// `fail` when redcheck cannot use the URL, `warn` when a lint warns or a client rejects
    /// it, else `pass`.
    pub verdict: Status,
    /// Why redcheck cannot use the URL, or null.
    pub error: Option<String>,
    /// The parsed parts, when it parses.
    pub parts: Option<UrlParts>,
    /// Every lint.
    pub lints: Vec<LintInfo>,
    /// How each client library reads it.
    pub clients: Vec<crate::clients::Reading>,
    /// Clients that know a scheme redcheck does not parse.
    pub known_by: Vec<&'static str>,
}

/// A URL's parts as redcheck reads them; never the password itself.
#[derive(Debug, Clone, Serialize)]
pub struct UrlParts {
    /// Scheme, lower case.
    pub scheme: String,
    /// Whether the scheme asks for TLS.
    pub tls: bool,
    /// Host, for TCP.
    pub host: Option<String>,
    /// Port, for TCP.
    pub port: Option<u16>,
    /// Socket path, for Unix sockets.
    pub socket: Option<String>,
    /// Database.
    pub db: u32,
    /// ACL user name.
    pub username: Option<String>,
    /// Whether a password is set (it is never shown).
    pub password_set: bool,
    /// `?protocol=`.
    pub protocol: Option<u8>,
    /// Certificate verification is off (`#insecure`, `?ssl_cert_reqs=none`).
    pub insecure: bool,
    /// `?ssl_ca_certs=`.
    pub ca_file: Option<String>,
    /// Query parameters in order, `password` masked.
    pub params: Vec<(String, String)>,
    /// The Sentinel part of a Sentinel URL (absent otherwise); `host`/`port` are the first
    /// Sentinel's, the credentials above the data nodes'.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sentinel: Option<SentinelParts>,
}

/// What a Sentinel URL says about the Sentinels.
#[derive(Debug, Clone, Serialize)]
pub struct SentinelParts {
    /// Every Sentinel, `host:port`.
    pub sentinels: Vec<String>,
    /// The master name to ask for.
    pub master_name: String,
    /// Where the name was written: `path`, `fragment`, `query` or `--sentinel-master`.
    pub master_from: &'static str,
    /// ACL user for the Sentinels.
    pub username: Option<String>,
    /// Whether a Sentinel password is set (never shown).
    pub password_set: bool,
}

/// A lint in a report.
#[derive(Debug, Clone, Serialize)]
pub struct LintInfo {
    /// Stable id.
    pub id: &'static str,
    /// `warn` or `info`.
    pub level: &'static str,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub hint: String,
}

/// What `redcheck memory` adds to a report: the numbers behind the verdicts.
#[derive(Debug, Clone, Serialize)]
pub struct MemoryReport {
    /// The usual report, kept to the memory, eviction, keyspace and clients checks (and any
    /// failure that explains why they could not run).
    #[serde(flatten)]
    pub report: Report,
    /// The numbers from INFO, when it could be read.
    pub numbers: Option<MemoryNumbers>,
}

/// INFO's memory, keyspace and client facts.
#[derive(Debug, Clone, Serialize)]
pub struct MemoryNumbers {
    /// Used, RSS, maxmemory, policy, fragmentation.
    pub memory: crate::info::MemoryFacts,
    /// Used memory as a share of maxmemory, when there is one.
    pub used_percent: Option<f64>,
    /// Keys and keys with TTL per database.
    pub keyspace: Vec<crate::info::DbKeys>,
    /// Connection counters.
    pub clients: crate::info::ClientFacts,
}

/// What `redcheck latency` adds to a report: the samples' statistics and histogram.
#[derive(Debug, Clone, Serialize)]
pub struct LatencyReport {
    /// The usual report, kept to the connection checks and `latency`.
    #[serde(flatten)]
    pub report: Report,
    /// The sampling, when a connection was made.
    pub latency: Option<LatencySummary>,
}

/// Statistics and histogram of the round trips.
#[derive(Debug, Clone, Serialize)]
pub struct LatencySummary {
    /// min, percentiles, max and mean; null without samples.
    pub stats: Option<crate::latency::Stats>,
    /// Time between the starts of two round trips.
    pub interval_ms: f64,
    /// Why sampling ended: `count`, `interrupted` or `failed`.
    pub ended: &'static str,
    /// Log-spaced buckets from the fastest sample to the slowest.
    pub histogram: Vec<crate::latency::Bucket>,
}

impl Report {
    /// The Sentinel topology the `sentinel` check carries in its `data`, when there is one.
    pub fn topology(&self) -> Option<Topology> {
        self.checks
            .iter()
            .find(|c| c.id == crate::verdict::CheckId::Sentinel)
            .and_then(|c| serde_json::from_value(serde_json::Value::Object(c.data.clone())).ok())
            .filter(|t: &Topology| !t.sentinels.is_empty())
    }
}

/// What the Sentinels of a Sentinel URL said: `data` of the `sentinel` check (JSON contract).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Topology {
    /// The master name asked for.
    pub master_name: String,
    /// The master address most answering Sentinels announce, or null.
    pub master: Option<String>,
    /// The Sentinels (as given) that announced it.
    pub announced_by: Vec<String>,
    /// Whether every answering Sentinel announced the same address.
    pub agree: bool,
    /// The quorum the Sentinels report for the master.
    pub quorum: Option<u32>,
    /// `SENTINEL ckquorum`'s answer (`OK …` or `NOQUORUM …`), from the first Sentinel that gave one.
    pub ckquorum: Option<String>,
    /// Master flags from `SENTINEL master` (`master`, `s_down`, `o_down`, `failover_in_progress`…).
    pub flags: Vec<String>,
    /// `failover-state` while a failover runs.
    pub failover_state: Option<String>,
    /// Every Sentinel of the URL.
    pub sentinels: Vec<SentinelEntry>,
    /// The replicas the Sentinels announce, dialled.
    pub replicas: Vec<ReplicaEntry>,
    /// Other Sentinels the answering ones know (`SENTINEL sentinels`).
    pub known_sentinels: Vec<String>,
    /// Every master name the Sentinels monitor (`SENTINEL masters`).
    pub monitored: Vec<String>,
}

/// One Sentinel of the URL.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SentinelEntry {
    /// `host:port` as given.
    pub address: String,
    /// Whether it answered every question.
    pub ok: bool,
    /// Where it failed (`dns`, `tcp`, `tls`, `auth`, `sentinel`), or null.
    pub stage: Option<String>,
    /// The failure's reason code, or null.
    pub reason: Option<String>,
    /// The failure's cause, or null.
    pub error: Option<String>,
    /// PING round trip in milliseconds, or null.
    pub ms: Option<f64>,
    /// Whether the connection used TLS.
    pub tls: bool,
    /// Whether AUTH was sent (a Sentinel password was given).
    pub authenticated: bool,
    /// The master address it announces, or null (unknown name, or no answer).
    pub master: Option<String>,
    /// The master's flags as it sees them.
    pub flags: Vec<String>,
}

/// One replica the Sentinels announce.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ReplicaEntry {
    /// `host:port` as announced.
    pub address: String,
    /// The Sentinels' flags for it (`slave`, `s_down`…).
    pub flags: Vec<String>,
    /// Whether connect + auth + ROLE worked.
    pub reachable: bool,
    /// The role it reports (`slave`, `master`), or null.
    pub role: Option<String>,
    /// Connect-to-ROLE time in milliseconds, or null.
    pub ms: Option<f64>,
    /// The failure's reason code, or null.
    pub reason: Option<String>,
    /// The failure's cause, or null.
    pub error: Option<String>,
}

/// `redcheck idle`: the connection checks, the verdict, and every rung of the ladder.
#[derive(Debug, Clone, Serialize)]
pub struct IdleReport {
    /// The checks (connection stages, `resets`, and `idle` with the verdict).
    #[serde(flatten)]
    pub report: Report,
    /// The ladder, when connections could be opened.
    pub idle: Option<IdleSummary>,
}

/// What the ladder found.
#[derive(Debug, Clone, Serialize)]
pub struct IdleSummary {
    /// Connections held idle at once (one per rung).
    pub connections: usize,
    /// TCP keep-alive set on each (`--keepalive`), in seconds.
    pub keepalive_seconds: Option<f64>,
    /// How long a PING could go unanswered before counting as silence, in seconds.
    pub answer_within_seconds: f64,
    /// The longest idle time that was survived.
    pub survived_seconds: Option<f64>,
    /// The shortest idle time that was cut.
    pub cut_seconds: Option<f64>,
    /// When the close or reset arrived, when it came on its own before the PING.
    pub cut_at_seconds: Option<f64>,
    /// Who cut: `server-timeout`, `closed`, `reset`, `silence`; null when nothing was cut.
    pub cut_by: Option<&'static str>,
    /// The server's `timeout`, when CONFIG GET could read it.
    pub server_timeout_seconds: Option<u64>,
    /// Whether Ctrl-C ended the run.
    pub interrupted: bool,
    /// Every rung, shortest idle first.
    pub rungs: Vec<RungInfo>,
}

/// One rung of the ladder.
#[derive(Debug, Clone, Serialize)]
pub struct RungInfo {
    /// The idle time it was to wait, in seconds.
    pub idle_seconds: f64,
    /// `alive`, `closed`, `reset`, `silent`, `broken`, `not-opened`, `not-probed`.
    pub fate: &'static str,
    /// Idle time when its PING went out.
    pub probed_after_seconds: Option<f64>,
    /// What arrived while it waited (`eof`, `reset`, `bytes`), and when.
    pub noticed: Option<&'static str>,
    /// Idle time when that arrived.
    pub noticed_after_seconds: Option<f64>,
    /// Round trip of the answered PING.
    pub rtt_ms: Option<f64>,
    /// The error or the refusal, when there was one.
    pub detail: Option<String>,
}

/// What `redcheck keys` adds to a report: the namespace table of each database sampled.
#[derive(Debug, Clone, Serialize)]
pub struct KeysReport {
    /// The usual report, kept to the eviction, workloads, keyspace and memory checks (and any
    /// failure that explains why they could not run). Its verdicts judge every sample together.
    #[serde(flatten)]
    pub report: Report,
    /// One entry per database (and cluster primary) sampled.
    pub databases: Vec<DbSample>,
    /// Databases or primaries that could not be sampled, and why.
    pub problems: Vec<String>,
}

/// The sample of one database on one server.
#[derive(Debug, Clone, Serialize)]
pub struct DbSample {
    /// The primary, in a cluster.
    pub node: Option<String>,
    /// The database.
    pub db: u32,
    /// DBSIZE when sampling started.
    pub dbsize: u64,
    /// Keys read.
    pub sampled: u64,
    /// Keys the sample stands for (DBSIZE, or the estimated matches of `--pattern`).
    pub estimated_total: u64,
    /// Whether counts are scaled estimates.
    pub estimate: bool,
    /// Why sampling ended.
    pub stopped: crate::probe::keyspace::Stop,
    /// SCAN calls.
    pub scans: u32,
    /// Estimated share of the keyspace SCAN walked, in percent.
    pub scanned_percent: f64,
    /// Wall time, pauses included.
    pub took_ms: f64,
    /// Share of that time spent waiting on the server.
    pub busy_percent: f64,
    /// Keys whose TYPE or PTTL the ACL refused.
    pub unreadable: u64,
    /// Why MEMORY USAGE was not read, when it was refused.
    pub memory_note: Option<String>,
    /// Namespaces, biggest first.
    pub namespaces: Vec<crate::keyspace::Namespace>,
    /// The largest keys seen (by MEMORY USAGE).
    pub biggest: Vec<crate::keyspace::Key>,
}
