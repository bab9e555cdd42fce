//! `idle` arguments → a validated config: the ladder of idle times, keep-alive, the bound on
//! each probe's answer.

use std::time::Duration;

use super::health::one_server;
use super::{Config, UsageError};
use crate::cli::IdleArgs;

/// The default ladder; rungs above `--for` are dropped and `--for` itself is the last one.
pub const DEFAULT_LADDER: [u64; 12] = [10, 30, 60, 120, 240, 360, 600, 900, 1200, 1800, 2700, 3600];

/// More connections than this would be a load of its own, not a probe.
pub const MAX_RUNGS: usize = 32;

/// A validated `idle` invocation.
pub struct IdleConfig {
    /// Target, connection and output settings; CONFIG GET is read to compare with `timeout`.
    pub base: Config,
    /// Idle times to try, shortest first, one connection each.
    pub ladder: Vec<Duration>,
    /// TCP keep-alive interval to set on every connection (`--keepalive`).
    pub keepalive: Option<Duration>,
    /// How long a probe's PING may go unanswered before the flow counts as dropped.
    pub answer_within: Duration,
}

impl IdleConfig {
    /// Validates the arguments of `idle`.
    pub fn from_args(args: &IdleArgs) -> Result<IdleConfig, UsageError> {
        // A few PINGs, so the `ping` line above the ladder is a measurement, not one sample.
        let mut base = one_server(&args.server, 3)?;
        base.check.extras.config = true;
        Ok(IdleConfig {
            base,
            ladder: validate_ladder(&args.ladder, args.idle_for)?,
            keepalive: args.keepalive,
            answer_within: args.server.timing.timeout,
        })
    }
}

/// `--ladder` as given (sorted, without repeats), or the default ladder up to `--for`.
fn validate_ladder(given: &[Duration], idle_for: Duration) -> Result<Vec<Duration>, UsageError> {
    let mut ladder: Vec<Duration> = if given.is_empty() {
        let mut l: Vec<Duration> = DEFAULT_LADDER
            .iter()
            .map(|s| Duration::from_secs(*s))
            .filter(|d| *d < idle_for)
            .collect();
        l.push(idle_for);
        l
    } else {
        given.to_vec()
    };
    ladder.sort();
    ladder.dedup();
    if ladder.len() > MAX_RUNGS {
        return Err(UsageError(format!(
            "--ladder has {} idle times; at most {MAX_RUNGS} (one connection each)",
            ladder.len()
        )));
    }
    Ok(ladder)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(l: &[Duration]) -> Vec<f64> {
        l.iter().map(Duration::as_secs_f64).collect()
    }

    #[test]
    fn the_default_ladder_stops_at_for() {
        let l = validate_ladder(&[], Duration::from_secs(600)).unwrap();
        assert_eq!(secs(&l), [10.0, 30.0, 60.0, 120.0, 240.0, 360.0, 600.0]);
        let l = validate_ladder(&[], Duration::from_secs(90)).unwrap();
        assert_eq!(secs(&l), [10.0, 30.0, 60.0, 90.0]);
        let l = validate_ladder(&[], Duration::from_secs(3)).unwrap();
        assert_eq!(secs(&l), [3.0]);
    }

    #[test]
    fn a_given_ladder_is_sorted_and_bounded() {
        let d = |s| Duration::from_secs(s);
        let l = validate_ladder(&[d(5), d(1), d(5)], d(600)).unwrap();
        assert_eq!(secs(&l), [1.0, 5.0]);
        let many: Vec<Duration> = (1..=40).map(d).collect();
        assert!(
            validate_ladder(&many, d(600))
                .unwrap_err()
                .0
                .contains("at most 32")
        );
    }
}
