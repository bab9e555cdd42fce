//! Latency statistics over round-trip samples; pure.

use std::time::Duration;

use serde::Serialize;

/// Summary of a set of samples, in milliseconds with microsecond precision.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Stats {
    /// Number of samples.
    pub samples: usize,
    /// Fastest.
    pub min_ms: f64,
    /// Median (nearest rank).
    pub p50_ms: f64,
    /// 95th percentile (nearest rank).
    pub p95_ms: f64,
    /// 99th percentile (nearest rank).
    pub p99_ms: f64,
    /// Slowest.
    pub max_ms: f64,
    /// Arithmetic mean.
    pub mean_ms: f64,
}

impl Stats {
    /// Summarises samples; `None` when there are none.
    pub fn from_samples(samples: &[Duration]) -> Option<Stats> {
        if samples.is_empty() {
            return None;
        }
        let mut sorted: Vec<u128> = samples.iter().map(Duration::as_nanos).collect();
        sorted.sort_unstable();
        let n = sorted.len();
        let total: u128 = sorted.iter().sum();
        let count = u128::try_from(n).unwrap_or(u128::MAX);
        Some(Stats {
            samples: n,
            min_ms: ms(sorted[0]),
            p50_ms: ms(percentile(&sorted, 50)),
            p95_ms: ms(percentile(&sorted, 95)),
            p99_ms: ms(percentile(&sorted, 99)),
            max_ms: ms(sorted[n - 1]),
            mean_ms: ms(total / count),
        })
    }
}

/// Nearest-rank percentile of sorted values: the smallest value with at least p% at or below it.
fn percentile(sorted: &[u128], p: usize) -> u128 {
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1]
}

/// Nanoseconds to milliseconds, rounded to the microsecond.
#[allow(clippy::cast_precision_loss)]
fn ms(nanos: u128) -> f64 {
    (nanos as f64 / 1_000.0).round() / 1_000.0
}

/// `0.312 ms`, `12.4 ms`, `1.20 s`: three significant figures, never whole-millisecond rounding.
pub fn show_ms(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else if ms >= 10.0 {
        format!("{ms:.1} ms")
    } else if ms >= 1.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{ms:.3} ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us(v: &[u64]) -> Vec<Duration> {
        v.iter().map(|&u| Duration::from_micros(u)).collect()
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        let s = Stats::from_samples(&us(&(1..=100).collect::<Vec<_>>())).expect("samples");
        assert_eq!(
            (s.min_ms, s.p50_ms, s.p95_ms, s.p99_ms, s.max_ms),
            (0.001, 0.05, 0.095, 0.099, 0.1)
        );
        assert_eq!(s.samples, 100);
    }

    #[test]
    fn order_does_not_matter_and_one_sample_is_every_percentile() {
        let s = Stats::from_samples(&us(&[300, 100, 200])).expect("samples");
        assert_eq!((s.min_ms, s.p50_ms, s.max_ms), (0.1, 0.2, 0.3));
        let one = Stats::from_samples(&us(&[250])).expect("sample");
        assert_eq!((one.p50_ms, one.p99_ms, one.mean_ms), (0.25, 0.25, 0.25));
        assert!(Stats::from_samples(&[]).is_none());
    }

    #[test]
    fn keeps_microseconds() {
        let s = Stats::from_samples(&[Duration::from_nanos(312_499)]).expect("sample");
        assert!((s.p50_ms - 0.312).abs() < 1e-9);
        assert_eq!(show_ms(0.312), "0.312 ms");
        assert_eq!(show_ms(12.34), "12.3 ms");
        assert_eq!(show_ms(1500.0), "1.50 s");
    }
}
