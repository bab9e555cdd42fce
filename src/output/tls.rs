//! `redcheck tls`: the checklist up to the handshake, then the chain in detail.

use std::io::{self, Write};

use colored::Colorize;

use crate::cli::Format;
use crate::config::OutputConfig;
use crate::report::TlsReport;
use crate::text::plural;

/// Writes a TLS report in the configured format.
pub fn write(out: &mut dyn Write, r: &TlsReport, cfg: &OutputConfig) -> io::Result<()> {
    if cfg.format == Format::Json {
        serde_json::to_writer(&mut *out, r)?;
        out.write_all(b"\n")?;
        return out.flush();
    }
    super::human::write(out, std::slice::from_ref(&r.report), cfg)?;
    let Some(h) = &r.handshake else { return Ok(()) };
    writeln!(out)?;
    let field = |k: &str| format!(" {:<11}", k).bold().to_string();
    writeln!(
        out,
        "{}{} · {} · ALPN {} · SNI {}",
        field("handshake"),
        h.version,
        h.cipher,
        h.alpn.as_deref().unwrap_or("none"),
        h.server_name
    )?;
    let verdict = match h.verification_error {
        None => "verified".green().to_string(),
        Some(reason) => format!("not verified: {reason}").red().to_string(),
    };
    writeln!(
        out,
        "{}{} ({}) · {verdict}",
        field("trust"),
        h.trust.describe(),
        plural(h.roots, "root", "roots")
    )?;
    if h.client_cert_requested {
        writeln!(
            out,
            "{}the server asked for a client certificate",
            field("client auth")
        )?;
    }
    writeln!(out, "{}", field("chain"))?;
    for (i, c) in h.chain.iter().enumerate() {
        let role = if i == 0 {
            "leaf"
        } else if c.self_issued {
            "root"
        } else {
            "CA"
        };
        writeln!(out, "   {i} {} ({role})", c.subject.bold())?;
        writeln!(out, "     issuer   {}", c.issuer)?;
        if !c.sans.is_empty() {
            writeln!(out, "     names    {}", c.sans.join(", "))?;
        }
        let left = if c.days_left < 0 {
            format!("expired {} days ago", c.days_expired)
                .red()
                .to_string()
        } else {
            format!("{} days left", c.days_left)
        };
        writeln!(
            out,
            "     valid    {} → {} ({left})",
            c.not_before, c.not_after
        )?;
        writeln!(out, "     key      {}", c.key)?;
        writeln!(out, "     sha256   {}", c.sha256)?;
    }
    out.flush()
}
