//! `redcheck url`: the parts, the lints and the client table, for people or as one JSON line.

use std::io::{self, Write};

use colored::Colorize;

use crate::cli::Format;
use crate::clients::{Reading, Source, Verdict};
use crate::config::OutputConfig;
use crate::output::github;
use crate::report::{LintInfo, UrlReport};
use crate::text::plural;
use crate::text::{printable, printable_lines};
use crate::verdict::Status;

/// Writes the report in the configured format.
pub fn write(out: &mut dyn Write, r: &UrlReport, cfg: &OutputConfig) -> io::Result<()> {
    match cfg.format {
        Format::Human if cfg.quiet => quiet(out, r, cfg.color),
        Format::Human => human(out, r, cfg.color),
        Format::Json => {
            serde_json::to_writer(&mut *out, r)?;
            writeln!(out)
        }
        // Refused as a usage error before the report is built; kept exhaustive here.
        Format::Openmetrics => Err(io::Error::other(
            "redcheck url has no metrics: --format openmetrics is for commands that connect",
        )),
        Format::Github => {
            if cfg.quiet {
                quiet(out, r, false)?;
            } else {
                human(out, r, false)?;
            }
            if let Some(e) = &r.error {
                let message = format!("{}: {}", printable(&r.url), printable(e));
                github::command(out, "error", "redcheck url", &message)?;
            }
            for l in r.lints.iter().filter(|l| l.level == "warn") {
                let message = format!(
                    "{}: {}\n→ {}",
                    printable(&r.url),
                    printable(&l.message),
                    printable(&l.hint)
                );
                github::command(out, "warning", &format!("redcheck url {}", l.id), &message)?;
            }
            Ok(())
        }
    }?;
    out.flush()
}

fn human(out: &mut dyn Write, r: &UrlReport, color: bool) -> io::Result<()> {
    colored::control::set_override(color);
    writeln!(
        out,
        "{} {} · url · {}",
        r.tool.name.bold(),
        r.tool.version,
        printable(&r.url)
    )?;
    writeln!(out)?;
    if let Some(e) = &r.error {
        writeln!(out, " {} {}", "✘".red().bold(), printable(e))?;
        if !r.known_by.is_empty() {
            writeln!(out, "   read by: {}", r.known_by.join(", "))?;
        }
        writeln!(out)?;
        writeln!(
            out,
            " {} {}",
            "How client libraries read it".bold(),
            "(redcheck refuses it; this is what each library would do)".dimmed()
        )?;
        client_table(out, &r.clients)?;
        return writeln!(
            out,
            "   {}",
            "go-redis, Jedis and Lettuce are modelled on redcheck's own parse, so they are left out here"
                .dimmed()
        );
    }
    if let Some(p) = &r.parts {
        let row = |out: &mut dyn Write, k: &str, v: &str| {
            writeln!(out, " {:<10} {}", k.dimmed(), printable(v))
        };
        row(
            out,
            "scheme",
            &format!("{} ({})", p.scheme, if p.tls { "TLS" } else { "plaintext" }),
        )?;
        match (&p.host, p.port, &p.socket) {
            (Some(h), Some(port), _) => row(out, "host", &format!("{h}:{port}"))?,
            (_, _, Some(s)) => row(out, "socket", s)?,
            _ => {}
        }
        if let Some(s) = &p.sentinel {
            row(out, "sentinels", &s.sentinels.join(", "))?;
            row(
                out,
                "master",
                &format!("{} (from the {})", s.master_name, s.master_from),
            )?;
            let auth = match (&s.username, s.password_set) {
                (Some(u), true) => format!("user {u}, password set (****)"),
                (None, true) => "password set (****)".into(),
                _ => "none (the credentials below go to the data nodes)".into(),
            };
            row(out, "sentinel auth", &auth)?;
        }
        row(out, "db", &p.db.to_string())?;
        row(
            out,
            "user",
            p.username.as_deref().unwrap_or("(none: default)"),
        )?;
        row(
            out,
            "password",
            if p.password_set { "set (****)" } else { "none" },
        )?;
        if let Some(proto) = p.protocol {
            row(out, "protocol", &format!("RESP{proto}"))?;
        }
        if p.insecure {
            row(out, "verify", "off (#insecure or ssl_cert_reqs=none)")?;
        }
        if let Some(ca) = &p.ca_file {
            row(out, "ca file", ca)?;
        }
        if !p.params.is_empty() {
            let shown: Vec<String> = p.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
            row(out, "params", &shown.join("&"))?;
        }
    }
    writeln!(out)?;
    if r.lints.is_empty() {
        writeln!(out, " {} no lints", "✓".green())?;
    }
    for l in &r.lints {
        lint_row(out, l)?;
    }
    writeln!(out)?;
    writeln!(out, " {}", "How client libraries read it".bold())?;
    client_table(out, &r.clients)
}

/// The client table: a header, one row per library and version, and where the rows come from.
fn client_table(out: &mut dyn Write, clients: &[Reading]) -> io::Result<()> {
    writeln!(
        out,
        "   {:<22} {:<8} {:<4} {:<10} {:<8} {:<3} {:<4} connects to",
        "client", "reads it", "TLS", "user", "password", "db", "RESP"
    )?;
    for c in clients {
        client_row(out, c, true)?;
    }
    writeln!(
        out,
        "   {}",
        "recorded: models checked against the real libraries (scripts/record-client-readings); source: read from the library's source only"
            .dimmed()
    )
}

/// `-q`: only what needs attention (warning lints, clients that differ or reject), then one
/// summary line.
fn quiet(out: &mut dyn Write, r: &UrlReport, color: bool) -> io::Result<()> {
    colored::control::set_override(color);
    if let Some(e) = &r.error {
        writeln!(out, " {} {}", "✘".red().bold(), printable(e))?;
    }
    for l in r.lints.iter().filter(|l| l.level == "warn") {
        lint_row(out, l)?;
    }
    let odd: Vec<&Reading> = r
        .clients
        .iter()
        .filter(|c| c.verdict != Verdict::Same)
        .collect();
    for c in &odd {
        client_row(out, c, false)?;
    }
    writeln!(out, "{}", summary(r))
}

/// One line: the verdict, the warning lints, and how many clients read it otherwise.
fn summary(r: &UrlReport) -> String {
    let head = format!("{} · {}", printable(&r.url), word(r.verdict));
    let line = if r.error.is_some() {
        format!("{head}: redcheck cannot use this URL")
    } else {
        let warns = r.lints.iter().filter(|l| l.level == "warn").count();
        let count = |v| r.clients.iter().filter(|c| c.verdict == v).count();
        format!(
            "{head}: {} · {} of {} read it otherwise, {} reject it",
            plural(warns, "lint warns", "lints warn"),
            count(Verdict::Differs) + count(Verdict::Rejects),
            plural(r.clients.len(), "client", "clients"),
            count(Verdict::Rejects),
        )
    };
    match r.verdict {
        Status::Fail => line.red().bold().to_string(),
        Status::Warn => line.yellow().bold().to_string(),
        _ => line.bold().to_string(),
    }
}

fn word(s: Status) -> &'static str {
    match s {
        Status::Fail => "fail",
        Status::Warn => "warn",
        _ => "pass",
    }
}

fn lint_row(out: &mut dyn Write, l: &LintInfo) -> io::Result<()> {
    let mark = if l.level == "warn" {
        "!".yellow().bold().to_string()
    } else {
        "i".blue().to_string()
    };
    writeln!(out, " {mark} {:<18} {}", l.id.bold(), printable(&l.message))?;
    for line in printable_lines(&l.hint) {
        writeln!(out, "   {:<18} {} {line}", "", "→".cyan())?;
    }
    Ok(())
}

/// One client's row and the lines under it; `cites` adds the source lines of from-source rows.
fn client_row(out: &mut dyn Write, c: &Reading, cites: bool) -> io::Result<()> {
    let (mark, word) = match c.verdict {
        Verdict::Same => ("✓".green().to_string(), "same"),
        Verdict::Differs => ("!".yellow().bold().to_string(), "differs"),
        Verdict::Rejects => ("✘".red().bold().to_string(), "rejects"),
    };
    let yes_no = |b: Option<bool>| match b {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    };
    let user = match &c.user {
        Some(u) if u.is_empty() => "\"\"".to_string(),
        Some(u) => printable(u).into_owned(),
        None if c.verdict == Verdict::Rejects => String::new(),
        None => "-".into(),
    };
    let endpoint = match (&c.socket, &c.host, c.port) {
        (Some(s), _, _) => format!("socket {}", printable(s)),
        (None, Some(h), Some(p)) if h.contains(':') => format!("[{}]:{p}", printable(h)),
        (None, Some(h), Some(p)) => format!("{}:{p}", printable(h)),
        _ => String::new(),
    };
    let line = format!(
        "{:<22} {:<8} {:<4} {:<10} {:<8} {:<3} {:<4} {}",
        format!("{} {}", c.client, c.version),
        word,
        yes_no(c.tls),
        user,
        yes_no(c.password),
        c.db.map(|d| d.to_string()).unwrap_or_default(),
        c.protocol.map(|p| p.to_string()).unwrap_or_default(),
        endpoint,
    );
    writeln!(out, " {mark} {}", line.trim_end())?;
    if !c.ignored.is_empty() {
        writeln!(
            out,
            "     {} ignores {}",
            "→".cyan(),
            printable(&c.ignored.join(", "))
        )?;
    }
    if !c.misread.is_empty() {
        writeln!(
            out,
            "     {} misreads {}: a string where it expects a boolean or number (e.g. tls=false turns TLS on)",
            "→".cyan(),
            printable(&c.misread.join(", "))
        )?;
    }
    for n in &c.notes {
        writeln!(out, "     {} {}", "→".cyan(), printable(n))?;
    }
    if cites && c.source == Source::Source {
        for cite in &c.cites {
            writeln!(out, "     {} {}", "from source:".dimmed(), cite.dimmed())?;
        }
    }
    Ok(())
}
