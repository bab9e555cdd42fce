//! One overall deadline from which every connect, handshake, read and write takes its bound.

use std::io;
use std::time::{Duration, Instant};

/// A point in time after which no network call may wait.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    end: Instant,
}

impl Deadline {
    /// A deadline `budget` from now.
    pub fn after(budget: Duration) -> Self {
        Self {
            end: Instant::now() + budget,
        }
    }

    /// Time left, or a `TimedOut` error when none is.
    pub fn remaining(&self) -> io::Result<Duration> {
        let left = self.end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the overall --timeout ran out",
            ))
        } else {
            Ok(left)
        }
    }

    /// Time left, zero once none is.
    pub fn left(&self) -> Duration {
        self.end.saturating_duration_since(Instant::now())
    }

    /// Time left, capped at `cap`.
    pub fn capped(&self, cap: Duration) -> io::Result<Duration> {
        Ok(self.remaining()?.min(cap))
    }

    /// A deadline that ends at `cap` from now or at this one, whichever is first.
    pub fn sooner(&self, cap: Duration) -> Deadline {
        Deadline {
            end: self.end.min(Instant::now() + cap),
        }
    }
}
