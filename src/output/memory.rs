//! `redcheck memory`: the checklist, then the numbers behind it.

use std::io::{self, Write};

use colored::Colorize;

use crate::config::OutputConfig;
use crate::report::MemoryReport;
use crate::text::bytes;
use crate::text::plural;
use crate::text::printable;

/// Writes a memory report in the configured format.
pub fn write(out: &mut dyn Write, r: &MemoryReport, cfg: &OutputConfig) -> io::Result<()> {
    super::write_detailed(out, r, &r.report, cfg, |out, cfg| text(out, r, cfg))
}

/// The checklist, then the details.
fn text(out: &mut dyn Write, r: &MemoryReport, cfg: &OutputConfig) -> io::Result<()> {
    super::human::write(out, std::slice::from_ref(&r.report), cfg)?;
    let Some(n) = &r.numbers else {
        return out.flush();
    };
    writeln!(out)?;
    let field = |k: &str| format!(" {k:<11}").bold().to_string();
    let opt = |v: Option<u64>| v.map_or_else(|| "?".to_string(), |v| v.to_string());
    let m = &n.memory;
    let max = match (m.maxmemory_bytes, n.used_percent) {
        (Some(max), Some(pct)) if max > 0 => format!("maxmemory {} ({pct:.1}% used)", bytes(max)),
        _ => "no maxmemory".into(),
    };
    writeln!(
        out,
        "{}used {} · rss {} · {max} · policy {} · fragmentation {}",
        field("memory"),
        m.used_bytes.map_or_else(|| "?".into(), bytes),
        m.rss_bytes.map_or_else(|| "?".into(), bytes),
        printable(
            &crate::secret::Masker::current().foreign(m.maxmemory_policy.as_deref().unwrap_or("?"))
        ),
        m.fragmentation_ratio
            .map_or_else(|| "?".into(), |r| format!("{r:.2}")),
    )?;
    if n.keyspace.is_empty() {
        writeln!(out, "{}no keys", field("keyspace"))?;
    }
    for (i, db) in n.keyspace.iter().enumerate() {
        let ttl = db
            .avg_ttl_ms
            .filter(|t| *t > 0)
            .map_or_else(String::new, |t| format!(" · average TTL {} s", t / 1000));
        writeln!(
            out,
            "{}db{}: {} · {} with TTL · {} without{ttl}",
            field(if i == 0 { "keyspace" } else { "" }),
            db.db,
            plural(db.keys, "key", "keys"),
            db.expires,
            db.keys.saturating_sub(db.expires)
        )?;
    }
    let c = &n.clients;
    writeln!(
        out,
        "{}{} connected · maxclients {} · {} blocked · {} rejected · {} connections since start",
        field("clients"),
        opt(c.connected),
        opt(c.maxclients),
        opt(c.blocked),
        opt(c.rejected_connections),
        opt(c.total_connections_received),
    )?;
    out.flush()
}
