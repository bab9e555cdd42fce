//! A verdict: what a check concluded, in the shape the JSON contract (`version: 1`) carries.
//! Checks make them; reports, renderers and exit codes read them.

use serde::Serialize;
use serde_json::{Map, Value};

/// How a check came out, from best to worst (skip sits apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Did not run.
    Skip,
    /// Fine.
    Pass,
    /// Worth knowing, nothing wrong.
    Info,
    /// Likely to cause trouble.
    Warn,
    /// Broken.
    Fail,
}

impl Status {
    /// Whether this status makes the run fail: a failure, or a warning under `--strict`. The
    /// one place the strict rule lives.
    pub fn fails(self, strict: bool) -> bool {
        self == Status::Fail || (strict && self == Status::Warn)
    }
}

/// Defines [`CheckId`] with its stable JSON id, so the enum and the strings cannot drift.
macro_rules! check_ids {
    ($($variant:ident => $id:literal,)*) => {
        /// A check's stable id: `checks[].id` in the JSON contract.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum CheckId {
            $(
                #[doc = concat!("`", $id, "`")]
                $variant,
            )*
        }

        impl CheckId {
            /// Every id.
            #[cfg(test)]
            pub const ALL: &[CheckId] = &[$(CheckId::$variant),*];

            /// The id as it appears in JSON.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(CheckId::$variant => $id,)*
                }
            }
        }
    };
}

check_ids! {
    Url => "url",
    Dns => "dns",
    Tcp => "tcp",
    Scheme => "scheme",
    Tls => "tls",
    Auth => "auth",
    Ping => "ping",
    Server => "server",
    Memory => "memory",
    Eviction => "eviction",
    Keyspace => "keyspace",
    Clients => "clients",
    Errors => "errors",
    Persistence => "persistence",
    Replication => "replication",
    Resets => "resets",
    Workloads => "workloads",
    Connections => "connections",
    Cluster => "cluster",
    Version => "version",
    Pubsub => "pubsub",
    Write => "write",
    Sentinel => "sentinel",
    Master => "master",
    Replicas => "replicas",
    Latency => "latency",
    Idle => "idle",
}

// Tests build and compare checks by their JSON ids; the binary never does.
#[cfg(test)]
impl CheckId {
    /// The id named `s` (tests only; panics on an unknown one).
    pub fn named(s: &str) -> CheckId {
        *Self::ALL
            .iter()
            .find(|id| id.as_str() == s)
            .unwrap_or_else(|| panic!("no check id {s}"))
    }
}

#[cfg(test)]
impl PartialEq<&str> for CheckId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for CheckId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for CheckId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `pad`, so that `{:<11}` aligns a column of ids.
        f.pad(self.as_str())
    }
}

/// One verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Stable id: `url dns tcp scheme tls auth ping server memory eviction` and more.
    pub id: CheckId,
    /// The verdict.
    pub status: Status,
    /// One line.
    pub summary: String,
    /// What to do, or null.
    pub hint: Option<String>,
    /// Time spent, or null for derived checks.
    pub duration_ms: Option<f64>,
    /// Facts behind the verdict; `reason` on failures.
    pub data: Map<String, Value>,
}

/// The tool that wrote the report.
#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    /// Always `redcheck`.
    pub name: &'static str,
    /// Its version.
    pub version: &'static str,
}

/// Milliseconds with microsecond precision.
#[allow(clippy::cast_precision_loss)]
pub fn millis(d: std::time::Duration) -> f64 {
    (d.as_nanos() as f64 / 1_000.0).round() / 1_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_ids_are_unique_kebab_case_and_documented_in_the_readme() {
        let readme = include_str!("../README.md");
        let mut seen = std::collections::HashSet::new();
        for id in CheckId::ALL {
            let s = id.as_str();
            assert!(seen.insert(s), "duplicate id {s}");
            assert!(s.bytes().all(|b| b.is_ascii_lowercase()), "{s}");
            assert!(
                readme.contains(&format!("`{s}`")),
                "README does not name check `{s}`"
            );
            assert_eq!(serde_json::to_value(id).ok(), Some(serde_json::json!(s)));
            assert_eq!(format!("{id:<12}|"), format!("{s:<12}|"), "Display pads");
        }
    }
}
