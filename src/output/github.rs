//! `--format github`: the checklist without colour, one workflow command per problem
//! (`::error` / `::warning`), and a Markdown table appended to `$GITHUB_STEP_SUMMARY`.

use std::io::{self, Write};

use crate::config::OutputConfig;
use crate::output::human;
use crate::report::Report;
use crate::text::{printable, printable_lines};
use crate::verdict::Status;

/// Writes the plain checklist and the annotations; appends the step summary when configured.
pub fn write(out: &mut dyn Write, reports: &[Report], cfg: &OutputConfig) -> io::Result<()> {
    human::write(out, reports, &plain(cfg))?;
    annotate(out, reports, cfg)
}

/// The output settings for the text part of a GitHub log: colour codes would garble it.
pub fn plain(cfg: &OutputConfig) -> OutputConfig {
    OutputConfig {
        color: false,
        ..cfg.clone()
    }
}

/// What follows the text of any subcommand under `--format github`: the annotations, then
/// the step summary appended when `$GITHUB_STEP_SUMMARY` is set.
///
/// A step summary that cannot be written (a read-only path, a full disk, a FIFO nobody reads
/// within `--timeout`) is a warning on stderr: the check's result and exit code stand.
pub fn annotate(out: &mut dyn Write, reports: &[Report], cfg: &OutputConfig) -> io::Result<()> {
    annotations(out, reports)?;
    if let Some(path) = &cfg.step_summary {
        let mut table = Vec::new();
        {
            let mut masked = super::Masked::new(&mut table);
            markdown(&mut masked, reports)?;
            masked.flush()?;
        }
        if let Err(e) = crate::input::append(path, table, cfg.step_summary_within) {
            super::eprint_line(&format!(
                "redcheck: warning: $GITHUB_STEP_SUMMARY {}: {e}; the step summary was not written",
                printable(&path.display().to_string())
            ));
        }
    }
    out.flush()
}

/// One `::error` per failed check and one `::warning` per warning (and, under `--strict`,
/// the warnings fail the job all the same: the exit code decides, not the annotation).
pub fn annotations(out: &mut dyn Write, reports: &[Report]) -> io::Result<()> {
    for r in reports {
        for c in &r.checks {
            let kind = match c.status {
                Status::Fail => "error",
                Status::Warn => "warning",
                _ => continue,
            };
            // Escaped like every other output first: `escape_data` alone keeps ESC and friends.
            let mut message = format!("{}: {}", printable(&r.target.url), printable(&c.summary));
            if let Some(hint) = &c.hint {
                let lines: Vec<_> = printable_lines(hint).collect();
                message.push_str("\n→ ");
                message.push_str(&lines.join("\n"));
            }
            command(out, kind, &format!("redcheck {}", c.id), &message)?;
        }
    }
    Ok(())
}

/// Writes `::kind title=…::message` with both parts escaped.
pub fn command(out: &mut dyn Write, kind: &str, title: &str, message: &str) -> io::Result<()> {
    writeln!(
        out,
        "::{kind} title={}::{}",
        escape_property(title),
        escape_data(message)
    )
}

/// Escapes a workflow command's message: `%`, CR and LF would end or corrupt the command.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`title=`): as a message, plus `:` and `,` which delimit properties.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// A heading and a table of checks per target, in GitHub-flavoured Markdown.
pub fn markdown(out: &mut dyn Write, reports: &[Report]) -> io::Result<()> {
    for r in reports {
        writeln!(
            out,
            "### {} redcheck · `{}` · {}\n",
            icon(r.verdict),
            // In a code span nothing is Markdown but the backtick that would end it.
            printable(&r.target.url).replace('`', "'"),
            word(r.verdict)
        )?;
        writeln!(out, "| | check | result | hint |")?;
        writeln!(out, "|---|---|---|---|")?;
        for c in &r.checks {
            writeln!(
                out,
                "| {} | {} | {} | {} |",
                icon(c.status),
                c.id,
                cell(&c.summary),
                c.hint.as_deref().map(cell).unwrap_or_default()
            )?;
        }
        writeln!(out)?;
        topology(out, r)?;
    }
    Ok(())
}

/// The Sentinel topology as a second table: each Sentinel, the master, the replicas.
fn topology(out: &mut dyn Write, r: &Report) -> io::Result<()> {
    let Some(topo) = r.topology() else {
        return Ok(());
    };
    writeln!(out, "| node | address | answer |")?;
    writeln!(out, "|---|---|---|")?;
    for s in &topo.sentinels {
        let answer = match (&s.master, &s.error) {
            (_, Some(e)) => format!("❌ {e}"),
            (Some(m), None) => format!("✅ announces {m}"),
            (None, None) => format!("⚠️ does not know {}", topo.master_name),
        };
        writeln!(
            out,
            "| sentinel | {} | {} |",
            cell(&s.address),
            cell(&answer)
        )?;
    }
    if let Some(m) = &topo.master {
        writeln!(
            out,
            "| master | {} | {} |",
            cell(m),
            cell(&topo.master_name)
        )?;
    }
    for rep in &topo.replicas {
        let answer = match (&rep.role, &rep.error) {
            (Some(role), _) => format!("role:{role}"),
            (None, e) => format!("⚠️ {}", e.as_deref().unwrap_or("unreachable")),
        };
        writeln!(
            out,
            "| replica | {} | {} |",
            cell(&rep.address),
            cell(&answer)
        )?;
    }
    writeln!(out)
}

fn icon(s: Status) -> &'static str {
    match s {
        Status::Pass => "✅",
        Status::Info => "ℹ️",
        Status::Warn => "⚠️",
        Status::Fail => "❌",
        Status::Skip => "➖",
    }
}

fn word(s: Status) -> &'static str {
    match s {
        Status::Fail => "fail",
        Status::Warn => "warn",
        _ => "pass",
    }
}

/// A table cell: pipes would split it, new lines would end the row, `<` could open a tag,
/// and server text must not become a link, an image or emphasis (`[x](https://evil)`).
fn cell(s: &str) -> String {
    let lines: Vec<_> = printable_lines(s).map(|l| escape_markdown(&l)).collect();
    lines.join("<br>")
}

/// Escapes what GitHub-flavoured Markdown would read in a table cell: HTML, the pipe, and
/// the characters of links, images, emphasis and code (`[ ] ( ) ! * _ ~ \` and backticks).
fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' | '[' | ']' | '(' | ')' | '!' | '*' | '_' | '~' | '\\' | '`' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::TargetInfo;
    use crate::verdict::{Check, Tool};

    fn report() -> Report {
        let check = |id: &str, status, summary: &str, hint: Option<&str>| Check {
            id: crate::verdict::CheckId::named(id),
            status,
            summary: summary.into(),
            hint: hint.map(str::to_string),
            duration_ms: None,
            data: serde_json::Map::new(),
        };
        Report {
            version: 1,
            tool: Tool {
                name: "redcheck",
                version: "0",
            },
            target: TargetInfo {
                url: "redis://h:1/0".into(),
                ..TargetInfo::default()
            },
            verdict: Status::Fail,
            elapsed_ms: 1.0,
            checks: vec![
                check("url", Status::Pass, "fine", None),
                check(
                    "tcp",
                    Status::Fail,
                    "refused: 100% sure",
                    Some("start it\nor fix the port"),
                ),
                check("eviction", Status::Warn, "a|b <c>", None),
                check("tls", Status::Skip, "plaintext", None),
            ],
        }
    }

    #[test]
    fn one_annotation_per_problem_escaped() {
        let mut out = Vec::new();
        annotations(&mut out, &[report()]).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "::error title=redcheck tcp::redis://h:1/0: refused: 100%25 sure%0A→ start it%0Aor fix the port\n\
             ::warning title=redcheck eviction::redis://h:1/0: a|b <c>\n"
        );
    }

    #[test]
    fn escaping_follows_the_workflow_command_rules() {
        assert_eq!(escape_data("a%b\r\nc"), "a%25b%0D%0Ac");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn server_text_in_a_cell_is_no_markdown() {
        assert_eq!(
            cell("7.2 [here](https://evil) ![x](y) *b* _i_ ~s~ `c` \\ |"),
            "7.2 \\[here\\]\\(https://evil\\) \\!\\[x\\]\\(y\\) \\*b\\* \\_i\\_ \\~s\\~ \\`c\\` \\\\ \\|"
        );
        // The escape `printable` writes is itself escaped, so Markdown shows it as written.
        assert_eq!(cell("a\nb\u{202e}"), r"a<br>b\\u{202e}");
    }

    #[test]
    fn step_summary_is_a_table() {
        let mut out = Vec::new();
        markdown(&mut out, &[report()]).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("### ❌ redcheck · `redis://h:1/0` · fail\n\n| | check | result | hint |\n|---|---|---|---|\n"), "{text}");
        assert!(
            text.contains("| ❌ | tcp | refused: 100% sure | start it<br>or fix the port |"),
            "{text}"
        );
        assert!(
            text.contains("| ⚠️ | eviction | a\\|b &lt;c&gt; |  |"),
            "{text}"
        );
    }
}
