//! A bounded set of worker threads for many targets: each takes the next target in turn, so a
//! fleet of hundreds costs [`MAX_WORKERS`] threads (plus one pub/sub subscriber each while it
//! samples), not two per target.
//!
//! A check mostly waits on round trips, so a thread per target in flight is cheap and keeps the
//! code blocking and simple; the bound is what keeps a long target list from asking the system
//! for thousands of threads. Up to [`MAX_WORKERS`] targets run in one wave (docs/benchmarks.md
//! measures 200 at 20 ms RTT: threads and peak RSS).

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

/// At most this many targets are probed at once.
pub const MAX_WORKERS: usize = 256;

/// Runs `work` on every item with at most [`MAX_WORKERS`] threads, keeping the items' order.
/// When no thread can be started at all (a pids limit, `ulimit -v`), this thread does the
/// work, and `work` is told so (`true`): the work is done either way.
pub fn map<T: Sync, R: Send>(items: &[T], work: impl Fn(&T, bool) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
    let worker = |here: bool| {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else { break };
            let r = work(item, here);
            *results[i].lock().expect("a worker panicked") = Some(r);
        }
    };
    thread::scope(|s| {
        let workers = items.len().min(MAX_WORKERS);
        // Spawning stops at the first refusal; the workers started share the items.
        let mut started = 0;
        for _ in 0..workers {
            if thread::Builder::new()
                .name("probe".into())
                .spawn_scoped(s, || worker(false))
                .is_err()
            {
                break;
            }
            started += 1;
        }
        if started == 0 {
            worker(true);
        }
    });
    results
        .into_iter()
        .map(|r| {
            r.into_inner()
                .expect("a worker panicked")
                .expect("every item was taken")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_is_done_once_in_order_with_bounded_threads() {
        let items: Vec<usize> = (0..(MAX_WORKERS * 3 + 7)).collect();
        let live = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        let out = map(&items, |i, _| {
            let now = live.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            thread::sleep(std::time::Duration::from_millis(2));
            live.fetch_sub(1, Ordering::SeqCst);
            i * 2
        });
        assert_eq!(out, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        assert!(peak.load(Ordering::SeqCst) <= MAX_WORKERS);
        assert!(map(&[] as &[u8], |_, _| 0).is_empty());
    }
}
