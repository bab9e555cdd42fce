//! Parse the text of the Redis `INFO` reply into typed facts.

use serde::Serialize;

/// Parsed `INFO` reply: sections of `key:value` fields, in server order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Info {
    sections: Vec<(String, Vec<(String, String)>)>,
}

/// Identity and basics of the server (`# Server`, plus role).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ServerFacts {
    /// Product, lower case: "redis", "valkey", "keydb", "dragonfly" or "unknown".
    pub name: String,
    /// The product's own version (not the compatibility `redis_version` of forks).
    pub version: Option<String>,
    /// Leading number of `version`.
    pub major: Option<u32>,
    /// "standalone", "cluster" or "sentinel".
    pub mode: Option<String>,
    /// "master" or "replica" ("slave" is normalised).
    pub role: Option<String>,
    /// Seconds since the server started.
    pub uptime_seconds: Option<u64>,
    /// Operating system string the server reports.
    pub os: Option<String>,
    /// TCP port the server listens on (0 when TCP is off).
    pub tcp_port: Option<u16>,
}

/// Memory usage and limits (`# Memory`).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct MemoryFacts {
    /// `used_memory` in bytes.
    pub used_bytes: Option<u64>,
    /// `used_memory_human`, as the server printed it.
    pub used_human: Option<String>,
    /// `maxmemory` in bytes; `Some(0)` means no limit.
    pub maxmemory_bytes: Option<u64>,
    /// `maxmemory_policy`, e.g. "noeviction".
    pub maxmemory_policy: Option<String>,
    /// `mem_fragmentation_ratio`.
    pub fragmentation_ratio: Option<f64>,
    /// `used_memory_rss` in bytes.
    pub rss_bytes: Option<u64>,
}

/// Key counts of one logical database (`# Keyspace`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct DbKeys {
    /// Database index.
    pub db: u32,
    /// Number of keys.
    pub keys: u64,
    /// Number of keys with a TTL.
    pub expires: u64,
    /// Sampled average TTL in ms, as reported (0 when none was sampled).
    pub avg_ttl_ms: Option<u64>,
}

/// Client connection counters (`# Clients`, `# Stats`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ClientFacts {
    /// `connected_clients`.
    pub connected: Option<u64>,
    /// `maxclients` (absent before Redis 6).
    pub maxclients: Option<u64>,
    /// `blocked_clients`.
    pub blocked: Option<u64>,
    /// `rejected_connections`.
    pub rejected_connections: Option<u64>,
    /// `total_connections_received`.
    pub total_connections_received: Option<u64>,
}

/// Loading, RDB and AOF state (`# Persistence`).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct PersistenceFacts {
    /// True while the dataset is being loaded.
    pub loading: bool,
    /// `loading_loaded_perc`, 0..100.
    pub loading_percent: Option<f64>,
    /// `loading_eta_seconds`.
    pub loading_eta_seconds: Option<u64>,
    /// `rdb_last_bgsave_status` is "ok".
    pub rdb_last_bgsave_ok: Option<bool>,
    /// `aof_enabled:1`.
    pub aof_enabled: bool,
    /// `aof_last_write_status` is "ok".
    pub aof_last_write_ok: Option<bool>,
}

/// Replication role and link (`# Replication`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ReplicationFacts {
    /// "master" or "replica" ("slave" is normalised).
    pub role: Option<String>,
    /// `connected_slaves`.
    pub connected_replicas: Option<u64>,
    /// `master_host` (replicas only).
    pub master_host: Option<String>,
    /// `master_port` (replicas only).
    pub master_port: Option<u16>,
    /// `master_link_status` is "up" (replicas only).
    pub master_link_up: Option<bool>,
}

impl Info {
    /// INFO text -> typed facts. Pure; never panics on any input.
    pub fn parse(text: &str) -> Info {
        // A RESP3 verbatim string may reach us with its "txt:" format prefix.
        let text = text.strip_prefix("txt:").unwrap_or(text);
        let mut info = Info::default();
        let mut current = info.section_index("");
        for line in text.lines() {
            let line = line.trim_end_matches('\r');
            if let Some(name) = line.strip_prefix('#') {
                current = info.section_index(name.trim());
            } else if let Some((key, value)) = line.split_once(':') {
                let key = key.trim();
                if !key.is_empty() {
                    let fields = &mut info.sections[current].1;
                    fields.push((key.to_string(), value.trim().to_string()));
                }
            }
        }
        info.sections
            .retain(|(name, fields)| !name.is_empty() || !fields.is_empty());
        info
    }

    /// Parse raw reply bytes, replacing invalid UTF-8.
    #[cfg(test)]
    pub fn parse_bytes(bytes: &[u8]) -> Info {
        Info::parse(&String::from_utf8_lossy(bytes))
    }

    /// Index of the section called `name`, created if new.
    fn section_index(&mut self, name: &str) -> usize {
        match self
            .sections
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            Some(i) => i,
            None => {
                self.sections.push((name.to_string(), Vec::new()));
                self.sections.len() - 1
            }
        }
    }

    /// First value of `key` in any section.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// Fields of the section `name` (case-insensitive; "" for fields before any header).
    pub fn section(&self, name: &str) -> Option<&[(String, String)]> {
        let (_, fields) = self
            .sections
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))?;
        Some(fields.as_slice())
    }

    /// Names of the sections present, in server order.
    #[cfg(test)]
    pub fn section_names(&self) -> Vec<&str> {
        self.sections.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// Every `(key, value)` pair, in server order.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.sections
            .iter()
            .flat_map(|(_, f)| f.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// Value of `key` as an owned, non-empty string.
    fn text(&self, key: &str) -> Option<String> {
        self.get(key).filter(|v| !v.is_empty()).map(str::to_string)
    }

    /// Value of `key` as an unsigned integer (None on overflow or junk).
    fn uint<T: std::str::FromStr>(&self, key: &str) -> Option<T> {
        self.get(key)?.parse().ok()
    }

    /// Value of `key` as a finite float; a trailing '%' is allowed.
    fn float(&self, key: &str) -> Option<f64> {
        parse_float(self.get(key)?)
    }

    /// True when `key` is "1".
    fn flag(&self, key: &str) -> bool {
        self.get(key) == Some("1")
    }

    /// `Some(true)` when `key` equals `yes`, `Some(false)` when it equals `no`.
    fn status(&self, key: &str, yes: &str, no: &str) -> Option<bool> {
        match self.get(key)? {
            v if v.eq_ignore_ascii_case(yes) => Some(true),
            v if v.eq_ignore_ascii_case(no) => Some(false),
            _ => None,
        }
    }

    /// `role`, with "slave" normalised to "replica".
    fn role(&self) -> Option<String> {
        let role = self
            .get("role")
            .filter(|r| !r.is_empty())?
            .to_ascii_lowercase();
        Some(if role == "slave" {
            "replica".to_string()
        } else {
            role
        })
    }

    /// Product name, lower case.
    fn product(&self) -> &'static str {
        let server_name = self.get("server_name").unwrap_or("");
        if self.get("dragonfly_version").is_some() {
            "dragonfly"
        } else if self.get("valkey_version").is_some() || server_name.eq_ignore_ascii_case("valkey")
        {
            "valkey"
        } else if self.is_keydb() {
            "keydb"
        } else if self.get("redis_version").is_some() {
            "redis"
        } else {
            "unknown"
        }
    }

    /// KeyDB says `redis_version` in `# Server`; only its own section and binary name tell.
    fn is_keydb(&self) -> bool {
        self.get("mvcc_depth").is_some()
            || self.section("keydb").is_some()
            || self
                .get("executable")
                .is_some_and(|e| e.to_ascii_lowercase().contains("keydb"))
    }

    /// Identity and basics of the server.
    pub fn server(&self) -> ServerFacts {
        let name = self.product();
        // Forks keep `redis_version` as a compatibility shim; prefer their own field.
        let version = match name {
            "valkey" => self
                .text("valkey_version")
                .or_else(|| self.text("redis_version")),
            "dragonfly" => self.text("dragonfly_version").map(|v| {
                v.trim_start_matches("df-")
                    .trim_start_matches('v')
                    .to_string()
            }),
            _ => self.text("redis_version"),
        };
        let major = version.as_deref().and_then(major_of);
        let mode = ["redis_mode", "server_mode", "dragonfly_mode"]
            .iter()
            .find_map(|k| self.text(k))
            .map(|m| m.to_ascii_lowercase())
            .or_else(|| self.flag("cluster_enabled").then(|| "cluster".to_string()));
        ServerFacts {
            name: name.to_string(),
            version,
            major,
            mode,
            role: self.role(),
            uptime_seconds: self.uint("uptime_in_seconds"),
            os: self.text("os"),
            tcp_port: self.uint("tcp_port"),
        }
    }

    /// Memory usage and limits.
    pub fn memory(&self) -> MemoryFacts {
        MemoryFacts {
            used_bytes: self.uint("used_memory"),
            used_human: self.text("used_memory_human"),
            maxmemory_bytes: self.uint("maxmemory"),
            maxmemory_policy: self.text("maxmemory_policy"),
            fragmentation_ratio: self.float("mem_fragmentation_ratio"),
            rss_bytes: self.uint("used_memory_rss"),
        }
    }

    /// Per-database key counts, in server order.
    pub fn keyspace(&self) -> Vec<DbKeys> {
        self.fields().filter_map(|(k, v)| parse_db(k, v)).collect()
    }

    /// Client connection counters.
    pub fn clients(&self) -> ClientFacts {
        ClientFacts {
            connected: self.uint("connected_clients"),
            maxclients: self.uint("maxclients"),
            blocked: self.uint("blocked_clients"),
            rejected_connections: self.uint("rejected_connections"),
            total_connections_received: self.uint("total_connections_received"),
        }
    }

    /// Loading, RDB and AOF state.
    pub fn persistence(&self) -> PersistenceFacts {
        PersistenceFacts {
            loading: self.flag("loading"),
            loading_percent: self.float("loading_loaded_perc"),
            loading_eta_seconds: self.uint("loading_eta_seconds"),
            rdb_last_bgsave_ok: self.status("rdb_last_bgsave_status", "ok", "err"),
            aof_enabled: self.flag("aof_enabled"),
            aof_last_write_ok: self.status("aof_last_write_status", "ok", "err"),
        }
    }

    /// Replication role and link.
    pub fn replication(&self) -> ReplicationFacts {
        ReplicationFacts {
            role: self.role(),
            connected_replicas: self.uint("connected_slaves"),
            master_host: self.text("master_host"),
            master_port: self.uint("master_port"),
            master_link_up: self.status("master_link_status", "up", "down"),
        }
    }

    /// Error counts by prefix: "errorstat_NOAUTH:count=3" -> ("NOAUTH", 3).
    pub fn error_stats(&self) -> Vec<(String, u64)> {
        self.fields()
            .filter_map(|(k, v)| {
                let name = k.strip_prefix("errorstat_").filter(|n| !n.is_empty())?;
                let count = sub_field(v, "count")?.parse().ok()?;
                Some((name.to_string(), count))
            })
            .collect()
    }
}

impl MemoryFacts {
    /// `used_bytes` as a percentage of `maxmemory_bytes`; None when there is no limit.
    pub fn used_percent(&self) -> Option<f64> {
        match (self.used_bytes, self.maxmemory_bytes) {
            (Some(used), Some(max)) if max > 0 => Some(used as f64 * 100.0 / max as f64),
            _ => None,
        }
    }
}

/// Leading integer of a version string: "7.0.15" -> 7.
fn major_of(version: &str) -> Option<u32> {
    let end = version
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(version.len());
    version[..end].parse().ok()
}

/// A finite float, allowing a trailing '%'.
fn parse_float(value: &str) -> Option<f64> {
    let v: f64 = value.trim_end_matches('%').parse().ok()?;
    v.is_finite().then_some(v)
}

/// Value of `name` in a "a=1,b=2" list.
fn sub_field<'a>(value: &'a str, name: &str) -> Option<&'a str> {
    value.split(',').find_map(|part| {
        let (k, v) = part.split_once('=')?;
        (k.trim() == name).then(|| v.trim())
    })
}

/// One keyspace line: "db3:keys=7,expires=2,avg_ttl=1049489".
fn parse_db(key: &str, value: &str) -> Option<DbKeys> {
    let db = key
        .strip_prefix("db")
        .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))?;
    Some(DbKeys {
        db: db.parse().ok()?,
        keys: sub_field(value, "keys")?.parse().ok()?,
        expires: sub_field(value, "expires")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        avg_ttl_ms: sub_field(value, "avg_ttl").and_then(|v| v.parse().ok()),
    })
}

#[cfg(test)]
mod tests;
