//! `redcheck tls`: the checklist up to the handshake, then the chain in detail.

use std::io::{self, Write};

use colored::Colorize;

use crate::config::OutputConfig;
use crate::report::TlsReport;
use crate::text::plural;
use crate::text::printable;

/// Writes a TLS report in the configured format.
pub fn write(out: &mut dyn Write, r: &TlsReport, cfg: &OutputConfig) -> io::Result<()> {
    super::write_detailed(out, r, &r.report, cfg, |out, cfg| text(out, r, cfg))
}

/// The checklist, then the details.
fn text(out: &mut dyn Write, r: &TlsReport, cfg: &OutputConfig) -> io::Result<()> {
    super::human::write(out, std::slice::from_ref(&r.report), cfg)?;
    let Some(h) = &r.handshake else { return Ok(()) };
    writeln!(out)?;
    // A label and at least one space, however long the label.
    let field = |k: &str| format!(" {:<11} ", k).bold().to_string();
    writeln!(
        out,
        "{}{} · {} · ALPN {} · SNI {}",
        field("handshake"),
        printable(&h.version),
        printable(&h.cipher),
        printable(h.alpn.as_deref().unwrap_or("none")),
        printable(&h.server_name)
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
    writeln!(out, "{}", field("chain").trim_end())?;
    for (i, c) in h.chain.iter().enumerate() {
        let role = match (i, c.self_signed, c.is_ca) {
            (0, true, true) => "leaf, self-signed, CA:TRUE",
            (0, true, false) => "leaf, self-signed",
            (0, false, true) => "leaf, CA:TRUE",
            (0, false, false) => "leaf",
            (_, true, _) => "root",
            _ => "CA",
        };
        writeln!(out, "   {i} {} ({role})", printable(&c.subject).bold())?;
        writeln!(out, "     issuer   {}", printable(&c.issuer))?;
        if !c.sans.is_empty() {
            writeln!(out, "     names    {}", printable(&c.sans.join(", ")))?;
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
            printable(&c.not_before),
            printable(&c.not_after)
        )?;
        writeln!(out, "     key      {}", printable(&c.key))?;
        for url in &c.ca_issuers {
            writeln!(
                out,
                "     aia      {} (its issuer's certificate)",
                printable(url)
            )?;
        }
        writeln!(out, "     sha256   {}", c.sha256)?;
    }
    out.flush()
}
