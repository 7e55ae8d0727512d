//! A parallel map that delivers in order: jobs run on rayon's pool, and their results reach a
//! sink on the calling thread in the items' order, with at most `window` results finished
//! ahead of the sink. A fleet's report streams in discovery order, deterministically, and
//! memory holds a bounded number of nodes whatever the fleet's size.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::sync::{Condvar, Mutex, PoisonError};

/// How far ahead of the sink the workers may run, per worker thread.
const AHEAD_PER_THREAD: usize = 8;

/// The window of a run on `threads` threads: enough to keep every thread busy while the sink
/// waits for a slow item, small enough to keep memory flat.
pub fn window(threads: usize) -> usize {
    (threads * AHEAD_PER_THREAD).max(16)
}

/// Threads for work that mostly waits on the disk (`fix` fsyncs its files): many fsyncs in
/// flight let the file system commit them together, which a thread per core cannot.
pub fn io_threads() -> usize {
    (rayon::current_num_threads() * 8).clamp(8, 32)
}

struct Claims {
    /// The next item to hand to a worker.
    next: usize,
    /// Items the sink has taken.
    taken: usize,
    /// The sink stopped (it panicked): workers take no more items.
    stop: bool,
}

/// Runs `work` on every item (in parallel, on `pool` or else on rayon's global pool) and
/// `sink` on every result in item order, on this thread. A panic in `work` or `sink` stops
/// the run and is resumed here once the workers have finished their current items.
pub fn for_each_ordered<I, T>(
    items: &[I],
    pool: Option<&rayon::ThreadPool>,
    window: usize,
    work: impl Fn(&I) -> T + Sync,
    mut sink: impl FnMut(T),
) where
    I: Sync,
    T: Send,
{
    let window = window.max(1);
    let threads = pool
        .map_or_else(rayon::current_num_threads, |p| p.current_num_threads())
        .min(items.len());
    // On a pool thread (a caller already inside rayon) or with nothing to share: in order,
    // here, so that blocking on the workers can never starve the pool.
    if threads <= 1 || rayon::current_thread_index().is_some() {
        items.iter().for_each(|i| sink(work(i)));
        return;
    }
    let claims = Mutex::new(Claims {
        next: 0,
        taken: 0,
        stop: false,
    });
    let room = Condvar::new();
    let (tx, rx) = mpsc::channel::<(usize, std::thread::Result<T>)>();
    let lock = || claims.lock().unwrap_or_else(PoisonError::into_inner);
    let claim = || -> Option<usize> {
        let mut c = lock();
        loop {
            if c.stop || c.next >= items.len() {
                return None;
            }
            if c.next < c.taken + window {
                c.next += 1;
                return Some(c.next - 1);
            }
            c = room.wait(c).unwrap_or_else(PoisonError::into_inner);
        }
    };
    scoped(pool, |scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (claim, work) = (&claim, &work);
            scope.spawn(move |_| {
                while let Some(i) = claim() {
                    let result = catch_unwind(AssertUnwindSafe(|| work(&items[i])));
                    if tx.send((i, result)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        // Stops the workers when the sink unwinds (a panic in `sink` or in a job).
        struct StopOnUnwind<'a>(&'a Mutex<Claims>, &'a Condvar);
        impl Drop for StopOnUnwind<'_> {
            fn drop(&mut self) {
                if std::thread::panicking() {
                    self.0.lock().unwrap_or_else(PoisonError::into_inner).stop = true;
                    self.1.notify_all();
                }
            }
        }
        let _stop = StopOnUnwind(&claims, &room);
        let mut early: BTreeMap<usize, T> = BTreeMap::new();
        let mut taken = 0;
        while taken < items.len() {
            let Ok((i, result)) = rx.recv() else {
                break; // every worker is gone (cannot happen before all items are sent)
            };
            match result {
                Ok(t) => early.insert(i, t),
                Err(panic) => resume_unwind(panic),
            };
            while let Some(t) = early.remove(&taken) {
                sink(t);
                taken += 1;
                lock().taken = taken;
                room.notify_all();
            }
        }
    });
}

/// `in_place_scope` on `pool`, or on the global pool.
fn scoped<'scope, R>(
    pool: Option<&rayon::ThreadPool>,
    op: impl FnOnce(&rayon::Scope<'scope>) -> R,
) -> R {
    match pool {
        Some(p) => p.in_place_scope(op),
        None => rayon::in_place_scope(op),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn results_arrive_in_order_and_never_too_far_ahead() {
        let items: Vec<usize> = (0..500).collect();
        let done = AtomicUsize::new(0);
        let mut seen = Vec::new();
        let slack = rayon::current_num_threads();
        for_each_ordered(
            &items,
            None,
            8,
            |&i| {
                // Later items finish first now and then.
                if i % 7 == 0 {
                    std::thread::sleep(std::time::Duration::from_micros(200));
                }
                done.fetch_add(1, Ordering::SeqCst);
                i * 2
            },
            |v| {
                let ahead = done.load(Ordering::SeqCst) - seen.len();
                assert!(
                    ahead <= 8 + slack,
                    "{ahead} results finished ahead of the sink"
                );
                seen.push(v);
            },
        );
        assert_eq!(seen, items.iter().map(|i| i * 2).collect::<Vec<_>>());
    }

    #[test]
    fn a_pool_of_its_own_keeps_the_order() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(6)
            .build()
            .unwrap();
        let items: Vec<usize> = (0..300).collect();
        let mut seen = Vec::new();
        for_each_ordered(
            &items,
            Some(&pool),
            12,
            |&i| {
                if i % 5 == 0 {
                    std::thread::sleep(std::time::Duration::from_micros(100));
                }
                i + 1
            },
            |v| seen.push(v),
        );
        assert_eq!(seen, items.iter().map(|i| i + 1).collect::<Vec<_>>());
    }

    #[test]
    fn a_panicking_job_stops_the_run_and_reaches_the_caller() {
        let items: Vec<usize> = (0..100).collect();
        let result = catch_unwind(|| {
            for_each_ordered(
                &items,
                None,
                4,
                |&i| {
                    assert!(i != 10, "job 10 fails");
                    i
                },
                |_| {},
            )
        });
        assert!(result.is_err());
    }
}
