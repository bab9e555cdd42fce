//! Probe slots: at most `--concurrency` probes run at once; a request waits for a slot
//! until its own deadline, then gets `503`.

use std::sync::{Condvar, Mutex};
use std::time::Instant;

use super::lock;

/// Probe slots: at most `--concurrency` probes run at once.
pub struct Slots {
    busy: Mutex<usize>,
    freed: Condvar,
    max: usize,
}

/// A taken slot, given back on drop.
pub struct Slot<'a>(&'a Slots);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        *lock(&self.0.busy) -= 1;
        self.0.freed.notify_one();
    }
}

impl Slots {
    /// Room for `max` probes at once.
    pub fn new(max: usize) -> Slots {
        Slots {
            busy: Mutex::new(0),
            freed: Condvar::new(),
            max,
        }
    }

    /// Takes a slot, waiting until `until` at most.
    pub fn acquire(&self, until: Instant) -> Option<Slot<'_>> {
        let mut busy = lock(&self.busy);
        while *busy >= self.max {
            let left = until.checked_duration_since(Instant::now())?;
            busy = self
                .freed
                .wait_timeout(busy, left)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
        *busy += 1;
        Some(Slot(self))
    }

    /// Probes running now.
    pub fn busy(&self) -> usize {
        *lock(&self.busy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn slots_bound_concurrency_and_time_out() {
        let slots = Slots::new(1);
        let first = slots.acquire(Instant::now()).unwrap();
        assert_eq!(slots.busy(), 1);
        let t = Instant::now();
        assert!(slots.acquire(t + Duration::from_millis(50)).is_none());
        assert!(t.elapsed() >= Duration::from_millis(50));
        drop(first);
        assert!(slots.acquire(Instant::now()).is_some());
        assert_eq!(slots.busy(), 0);
    }
}
