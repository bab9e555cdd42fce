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

/// One bar of the histogram: the samples in `[from_ms, to_ms)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bucket {
    /// Lower edge, inclusive.
    pub from_ms: f64,
    /// Upper edge, exclusive.
    pub to_ms: f64,
    /// Samples in the bucket.
    pub count: usize,
}

/// Bucket edges within a decade: 1, 1.5, 2, 3, 5, 7 × 10^k (in tenths, to stay in integers).
const STEPS: [u128; 6] = [10, 15, 20, 30, 50, 70];

/// Bucket edges in nanoseconds, from 1 µs (the precision shown) up to 1000 s.
fn edges() -> Vec<u128> {
    (3..=12u32)
        .flat_map(|k| STEPS.iter().map(move |s| s * 10u128.pow(k) / 10))
        .collect()
}

/// Samples counted into log-spaced buckets, from the fastest sample's bucket to the slowest's
/// (empty buckets in between are kept, so gaps show).
pub fn histogram(samples: &[Duration]) -> Vec<Bucket> {
    let edges = edges();
    let mut counts = vec![0usize; edges.len()];
    for s in samples {
        let i = edges.partition_point(|e| *e <= s.as_nanos()).max(1) - 1;
        counts[i] += 1;
    }
    let (Some(first), Some(last)) = (
        counts.iter().position(|c| *c > 0),
        counts.iter().rposition(|c| *c > 0),
    ) else {
        return Vec::new();
    };
    (first..=last)
        .map(|i| Bucket {
            from_ms: ms(edges[i]),
            to_ms: edges.get(i + 1).map_or(f64::INFINITY, |e| ms(*e)),
            count: counts[i],
        })
        .collect()
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

#[cfg(test)]
mod histogram_tests {
    use super::*;

    #[test]
    fn buckets_are_log_spaced_and_trimmed_to_the_samples() {
        let samples: Vec<Duration> = [25, 26, 31, 45, 180]
            .iter()
            .map(|&u| Duration::from_micros(u))
            .collect();
        let h = histogram(&samples);
        let edges: Vec<(f64, f64, usize)> =
            h.iter().map(|b| (b.from_ms, b.to_ms, b.count)).collect();
        assert_eq!(
            edges,
            [
                (0.02, 0.03, 2),
                (0.03, 0.05, 2),
                (0.05, 0.07, 0),
                (0.07, 0.1, 0),
                (0.1, 0.15, 0),
                (0.15, 0.2, 1)
            ]
        );
        assert_eq!(h.iter().map(|b| b.count).sum::<usize>(), samples.len());
        assert!(histogram(&[]).is_empty());
        let tiny = histogram(&[Duration::from_nanos(5)]);
        assert_eq!(
            (tiny.len(), tiny[0].from_ms),
            (1, 0.001),
            "below the first edge counts in the first bucket"
        );
    }
}
