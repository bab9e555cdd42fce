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
use crate::verdict::{Check, Status, millis};

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
            failed("latency", &failure, hint, object(data))
        }
        _ if stats.is_some_and(|s| s.p50_ms >= SLOW_P50_MS) => {
            let line = match ended {
                Ended::Stopped => format!("{line} (stopped by Ctrl-C)"),
                _ => line,
            };
            check("latency", Status::Warn, line, Some(SLOW_HINT.into()), data)
        }
        Ended::Stopped => check(
            "latency",
            Status::Pass,
            format!("{line} (stopped by Ctrl-C)"),
            None,
            data,
        ),
        Ended::Count => check("latency", Status::Pass, line, None, data),
    };
    (c, summary)
}
