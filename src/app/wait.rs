//! `redcheck wait`: the full check, repeated until every target passes or `--timeout` runs out.
//!
//! Each attempt is an ordinary check (`probe::prepare` once, then `probe_all_then` with
//! `evaluate`) whose own deadline never outlives the wait's. The first passing attempt answers at once.

use std::thread;
use std::time::{Duration, Instant};

use crate::checks::{self, Options};
use crate::cli::WaitArgs;
use crate::config::{Backoff, WaitConfig};
use crate::exit_code::ExitCode;
use crate::output::{self, progress::Progress};
use crate::probe::{prepare, probe_all_then};
use crate::report::Report;
use crate::verdict::{CheckId, Status};

/// Below this much time left, a further attempt could not finish a TLS handshake: give up.
const LAST_ATTEMPT: Duration = Duration::from_millis(100);

/// How often the terminal line is redrawn during a pause.
const REDRAW: Duration = Duration::from_millis(100);

/// How the wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// Every target passed.
    Ready,
    /// `--timeout` ran out.
    TimedOut,
    /// A URL cannot be parsed: no retry will change that.
    Hopeless,
}

/// Runs `redcheck wait`.
pub fn run(args: &WaitArgs) -> anyhow::Result<ExitCode> {
    let cfg = WaitConfig::from_wait(args)?;
    let started = Instant::now();
    // In `wait`, --timeout bounds the whole wait; each attempt gets what is left of it.
    let total = cfg.base.check.timeout;
    let deadline = started + total;
    let prepared = prepare(&cfg.base.urls, &cfg.base.check)?;
    let strict = cfg.base.output.strict;
    let opts = Options {
        workload: cfg.base.workload,
        write_probe: cfg.base.check.extras.write,
        ..Options::default()
    };
    let progress = Progress::new(cfg.base.output.progress, "waiting");
    let mut attempt: u32 = 0;
    let (reports, end) = loop {
        attempt += 1;
        let mut check = cfg.base.check.clone();
        check.timeout = cfg
            .attempt_timeout
            .min(deadline.saturating_duration_since(Instant::now()))
            .max(Duration::from_millis(1));
        check.connect_timeout = check.connect_timeout.min(check.timeout);
        let reports = probe_all_then(&prepared, &check, &|s| progress.stage(s), |f| {
            checks::evaluate(&f, &opts)
        });
        if ExitCode::for_reports(&reports, strict) == ExitCode::Success {
            break (reports, End::Ready);
        }
        let hopeless = reports.iter().any(|r| failed(r, CheckId::Url));
        let left = deadline.saturating_duration_since(Instant::now());
        let pause = match next(&cfg.backoff, attempt, left, hopeless) {
            Next::Stop(end) => break (reports, end),
            Next::Retry(pause) => pause,
        };
        let failure = last_failure(&reports, strict);
        if progress.is_visible() {
            // Redraw while pausing so the elapsed time and the countdown stay current.
            let wake = Instant::now() + pause;
            while let Some(left) = wake
                .checked_duration_since(Instant::now())
                .filter(|d| !d.is_zero())
            {
                progress.lead(&format!(
                    "waiting · attempt {attempt} failed · {}",
                    secs(started.elapsed())
                ));
                progress.stage(&format!("· retry in {} · last: {failure}", secs(left)));
                thread::sleep(left.min(REDRAW));
            }
            progress.lead(&format!(
                "waiting · attempt {} · {}",
                attempt + 1,
                secs(started.elapsed())
            ));
        } else {
            output::eprint_line(&format!(
                "redcheck wait: attempt {attempt} failed at {}: {failure}; next in {}",
                secs(started.elapsed()),
                secs(pause)
            ));
            thread::sleep(pause);
        }
    };
    progress.finish();
    let plural = if attempt == 1 { "" } else { "s" };
    let took = secs(started.elapsed());
    match end {
        End::Ready => output::eprint_line(&format!(
            "redcheck wait: ready after {attempt} attempt{plural} in {took}"
        )),
        End::TimedOut => output::eprint_line(&format!(
            "redcheck wait: gave up after {attempt} attempt{plural} in {took} (--timeout {}); last: {}",
            secs(total),
            last_failure(&reports, strict)
        )),
        End::Hopeless => {
            output::eprint_line("redcheck wait: the URL cannot be used, so retrying would not help")
        }
    }
    let code = if end == End::Ready {
        ExitCode::Success
    } else {
        ExitCode::CheckFailed
    };
    super::emit(&reports, &cfg.base, code)
}

/// After a failed attempt: stop, or pause this long before the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    /// No further attempt: the URL cannot be used, or too little time is left.
    Stop(End),
    /// Try again after this pause.
    Retry(Duration),
}

/// The retry rule, apart from the drawing: after failed attempt `attempt` (1-based) with
/// `left` of the wait remaining. A URL that cannot be used is never retried; below
/// [`LAST_ATTEMPT`] no further attempt could finish; otherwise the backoff's pause, cut so
/// that a last attempt starts before the deadline rather than after it.
fn next(backoff: &Backoff, attempt: u32, left: Duration, hopeless: bool) -> Next {
    if hopeless {
        return Next::Stop(End::Hopeless);
    }
    if left <= LAST_ATTEMPT {
        return Next::Stop(End::TimedOut);
    }
    Next::Retry(backoff.pause(attempt).min(left - LAST_ATTEMPT))
}

fn failed(r: &Report, id: CheckId) -> bool {
    r.checks
        .iter()
        .any(|c| c.id == id && c.status == Status::Fail)
}

/// The first problem that kept the attempt from passing, as `check: summary`.
fn last_failure(reports: &[Report], strict: bool) -> String {
    for r in reports {
        if let Some(c) = r.checks.iter().find(|c| c.status.fails(strict)) {
            let who = if reports.len() > 1 {
                format!("{}: ", crate::text::printable(&r.target.url))
            } else {
                String::new()
            };
            // Printed on stderr and in the spinner: server text must not forge lines there either.
            return format!("{who}{}: {}", c.id, crate::text::printable(&c.summary));
        }
    }
    "no check failed".into()
}

/// Seconds with one decimal: `2.1 s`.
fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::TargetInfo;
    use crate::verdict::{Check, Tool};

    fn report(url: &str, checks: &[(&'static str, Status)]) -> Report {
        Report {
            version: 1,
            tool: Tool {
                name: "redcheck",
                version: "0",
            },
            target: TargetInfo {
                url: url.into(),
                ..TargetInfo::default()
            },
            verdict: Status::Fail,
            elapsed_ms: 0.0,
            checks: checks
                .iter()
                .map(|(id, status)| Check {
                    id: CheckId::named(id),
                    status: *status,
                    summary: format!("{id} said so"),
                    hint: None,
                    duration_ms: None,
                    data: serde_json::Map::new(),
                })
                .collect(),
        }
    }

    #[test]
    fn last_failure_names_the_check_and_the_target_when_several() {
        let a = report(
            "redis://a",
            &[("url", Status::Pass), ("eviction", Status::Warn)],
        );
        let b = report("redis://b", &[("tcp", Status::Fail)]);
        assert_eq!(
            last_failure(&[a.clone(), b.clone()], false),
            "redis://b: tcp: tcp said so"
        );
        assert_eq!(
            last_failure(&[a.clone(), b], true),
            "redis://a: eviction: eviction said so"
        );
        assert_eq!(last_failure(&[a], false), "no check failed");
        let mut evil = report("redis://c", &[("auth", Status::Fail)]);
        evil.checks[0].summary = "no\n::error title=x::y\u{1b}".into();
        assert_eq!(
            last_failure(&[evil], false),
            "auth: no\\n::error title=x::y\\x1b"
        );
    }

    #[test]
    fn backoff_doubles_to_its_cap_and_leaves_room_for_a_last_attempt() {
        let b = Backoff {
            first: Duration::from_millis(100),
            max: Duration::from_millis(1000),
        };
        let ms = Duration::from_millis;
        let plenty = Duration::from_secs(60);
        let pauses: Vec<Next> = (1..=6).map(|a| next(&b, a, plenty, false)).collect();
        assert_eq!(
            pauses,
            [100, 200, 400, 800, 1000, 1000].map(|p| Next::Retry(ms(p)))
        );
        // 700 ms left: the pause ends LAST_ATTEMPT before the deadline, not at it.
        assert_eq!(
            next(&b, 5, ms(700), false),
            Next::Retry(ms(700) - LAST_ATTEMPT)
        );
        // A huge attempt count does not overflow.
        assert_eq!(next(&b, u32::MAX, plenty, false), Next::Retry(ms(1000)));
    }

    #[test]
    fn gives_up_when_no_attempt_could_finish_or_the_url_is_hopeless() {
        let b = Backoff {
            first: Duration::from_millis(100),
            max: Duration::from_secs(1),
        };
        assert_eq!(next(&b, 1, LAST_ATTEMPT, false), Next::Stop(End::TimedOut));
        assert_eq!(
            next(&b, 1, Duration::ZERO, false),
            Next::Stop(End::TimedOut)
        );
        assert_eq!(
            next(&b, 1, Duration::from_secs(60), true),
            Next::Stop(End::Hopeless)
        );
    }

    #[test]
    fn seconds_have_one_decimal() {
        assert_eq!(secs(Duration::from_millis(2149)), "2.1 s");
    }
}
