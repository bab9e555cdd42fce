//! `redcheck latency`: PING round trips on one open connection, one at a time, at a fixed
//! interval, until the count is reached or the stop flag is raised (Ctrl-C).

use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::conn::Connection;
use crate::deadline::Deadline;
use crate::failure::Failure;

use super::session::{self, SessionError};

/// Sleeps are cut into slices this long so a stop request is noticed quickly.
const STOP_POLL: Duration = Duration::from_millis(50);

/// How to sample.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Round trips to time; `None` samples until `stop`.
    pub count: Option<u64>,
    /// From the start of one round trip to the start of the next.
    pub interval: Duration,
    /// Bound on each round trip.
    pub per_sample: Duration,
}

/// Why sampling ended.
#[derive(Debug, Clone)]
pub enum Ended {
    /// The count was reached.
    Count,
    /// The stop flag was raised.
    Stopped,
    /// A round trip failed.
    Failed(Failure),
}

/// Times `PING` round trips (the same measurement as the `ping` stage: clock read right before
/// the write and right after the reply is parsed, no pipelining). `on_sample` sees every sample
/// so far after each one.
pub fn sample(
    conn: &mut Connection,
    plan: Plan,
    stop: &AtomicBool,
    on_sample: &mut dyn FnMut(&[Duration]),
) -> (Vec<Duration>, Ended) {
    let mut samples = Vec::new();
    loop {
        if plan.count.is_some_and(|n| samples.len() as u64 >= n) {
            return (samples, Ended::Count);
        }
        if stop.load(Ordering::SeqCst) {
            return (samples, Ended::Stopped);
        }
        let started = Instant::now();
        conn.set_deadline(Deadline::after(plan.per_sample));
        match session::ping(conn, 1) {
            Ok(one) => samples.extend(one),
            Err(e) => {
                let failure = match e {
                    SessionError::Server(failure) => failure,
                    SessionError::Wire(wire) => super::wire_failure(&wire),
                };
                return (samples, Ended::Failed(failure));
            }
        }
        on_sample(&samples);
        let last = plan.count.is_some_and(|n| samples.len() as u64 >= n);
        if !last {
            let next = started + plan.interval;
            while !stop.load(Ordering::SeqCst) {
                let left = next.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                thread::sleep(left.min(STOP_POLL));
            }
        }
    }
}
