//! Verdict for `latency` (`redcheck latency`): the statistics of the samples, or why the
//! sampling stopped.

use std::time::Duration;

use serde_json::Value;

use super::connectivity::{SLOW_HINT, SLOW_P50_MS};
use super::{check, failed, hints, object};
use crate::latency::{Stats, histogram, show_ms};
use crate::probe::Findings;
use crate::probe::sampler::Ended;
use crate::report::LatencySummary;
use crate::verdict::{Check, CheckId, Status, millis};

/// The `latency` check and the summary printed under it.
pub fn latency(
    f: &Findings,
    samples: &[Duration],
    ended: &Ended,
    interval: Duration,
) -> (Check, LatencySummary) {
    let stats = Stats::from_samples(samples);
    let summary = LatencySummary {
        stats,
        interval_ms: millis(interval),
        ended: match ended {
            Ended::Count => "count",
            Ended::Stopped => "interrupted",
            Ended::Failed(_) => "failed",
        },
        histogram: histogram(samples),
    };
    let data = stats.map_or(Value::Null, |s| {
        serde_json::to_value(s).unwrap_or(Value::Null)
    });
    let line = stats.map_or_else(
        || "no samples".to_string(),
        |s| {
            format!(
                "{} samples · min {} · p50 {} · p99 {} · max {}",
                s.samples,
                show_ms(s.min_ms),
                show_ms(s.p50_ms),
                show_ms(s.p99_ms),
                show_ms(s.max_ms)
            )
        },
    );
    let c = match ended {
        Ended::Failed(failure) => {
            let mut failure = failure.clone();
            failure.cause = format!("round trip {} failed: {}", samples.len() + 1, failure.cause);
            let hint = hints::for_failure(&failure, f);
            failed(CheckId::Latency, &failure, hint, object(data))
        }
        _ if stats.is_some_and(|s| s.p50_ms >= SLOW_P50_MS) => {
            let line = match ended {
                Ended::Stopped => format!("{line} (stopped by Ctrl-C)"),
                _ => line,
            };
            check(
                CheckId::Latency,
                Status::Warn,
                line,
                Some(SLOW_HINT.into()),
                data,
            )
        }
        Ended::Stopped => check(
            CheckId::Latency,
            Status::Pass,
            format!("{line} (stopped by Ctrl-C)"),
            None,
            data,
        ),
        Ended::Count => check(CheckId::Latency, Status::Pass, line, None, data),
    };
    (c, summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::Build;
    use crate::failure::{Failure, Reason};

    fn us(values: &[u64]) -> Vec<Duration> {
        values.iter().copied().map(Duration::from_micros).collect()
    }

    fn run(samples: &[Duration], ended: &Ended) -> (Check, LatencySummary) {
        let f = Build::healthy("redis://127.0.0.1:6379").done();
        latency(&f, samples, ended, Duration::from_millis(10))
    }

    #[test]
    fn fast_samples_pass_with_their_statistics() {
        let (c, summary) = run(&us(&[200, 210, 190, 250, 900]), &Ended::Count);
        assert_eq!(c.status, Status::Pass);
        assert_eq!(
            c.summary,
            "5 samples · min 0.190 ms · p50 0.210 ms · p99 0.900 ms · max 0.900 ms"
        );
        assert_eq!(c.hint, None);
        assert_eq!(c.data["samples"], 5);
        assert_eq!(summary.ended, "count");
        assert!((summary.interval_ms - 10.0).abs() < f64::EPSILON);
        assert!(!summary.histogram.is_empty());
    }

    #[test]
    fn a_slow_median_warns_and_says_where_to_run_the_app() {
        let (c, _) = run(&us(&[60_000, 61_000, 59_000]), &Ended::Count);
        assert_eq!(c.status, Status::Warn);
        assert!(c.summary.contains("p50 60.0 ms"), "{}", c.summary);
        assert!(c.hint.unwrap().contains("region and zone"));
        // Just under the line is still a pass.
        let (c, _) = run(&us(&[49_000, 49_500, 49_900]), &Ended::Count);
        assert_eq!(c.status, Status::Pass, "{}", c.summary);
    }

    #[test]
    fn ctrl_c_is_said_and_does_not_hide_slowness() {
        let (c, summary) = run(&us(&[300, 320]), &Ended::Stopped);
        assert_eq!(c.status, Status::Pass);
        assert!(c.summary.ends_with("(stopped by Ctrl-C)"), "{}", c.summary);
        assert_eq!(summary.ended, "interrupted");
        let (c, _) = run(&us(&[80_000, 90_000]), &Ended::Stopped);
        assert_eq!(c.status, Status::Warn);
        assert!(c.summary.ends_with("(stopped by Ctrl-C)"), "{}", c.summary);
    }

    #[test]
    fn a_failed_round_trip_fails_and_counts_which_one() {
        let ended = Ended::Failed(Failure::new(
            Reason::Loading,
            "LOADING Redis is loading the dataset in memory",
        ));
        let (c, summary) = run(&us(&[200, 210, 190]), &ended);
        assert_eq!(c.status, Status::Fail);
        assert_eq!(c.data["reason"], "loading");
        assert_eq!(
            c.summary,
            "round trip 4 failed: LOADING Redis is loading the dataset in memory"
        );
        assert!(c.hint.unwrap().contains("redcheck wait"));
        assert_eq!(
            c.data["samples"], 3,
            "the samples before the failure are kept"
        );
        assert_eq!(summary.ended, "failed");
    }

    #[test]
    fn no_samples_is_said_and_leaves_no_statistics() {
        let (c, summary) = run(&[], &Ended::Stopped);
        assert_eq!(c.status, Status::Pass);
        assert_eq!(c.summary, "no samples (stopped by Ctrl-C)");
        assert!(c.data.is_empty());
        assert!(summary.stats.is_none());
        assert!(summary.histogram.is_empty());
    }
}
