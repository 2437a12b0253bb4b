//! The one place that shares a list of independent pieces of work among threads:
//! [`parallel_map`] hands the items to as many threads as the machine has cores (the calling
//! thread among them) and gives the results back in the items' order, so that what the callers
//! make of them does not depend on the machine. (The pipelines that overlap reading, parsing
//! and writing start their own threads: one per stage, not per core.)

use std::num::NonZeroUsize;

/// A worker thread panicked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerPanicked;

/// The threads work is shared among: the machine's cores (1 when it cannot say).
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, NonZeroUsize::get)
}

/// `f` of every item, in the items' order. With `n` threads (one per core, at most one per
/// item), item `i` is worked on by thread `i % n`, the calling thread being thread 0.
pub fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    f: impl Fn(&T) -> R + Sync,
) -> Result<Vec<R>, WorkerPanicked> {
    let n = threads().min(items.len()).max(1);
    if n == 1 {
        return Ok(items.iter().map(f).collect());
    }
    let f = &f;
    let share = move |k: usize| -> Vec<R> { items.iter().skip(k).step_by(n).map(f).collect() };
    let shares = std::thread::scope(|s| -> Result<Vec<Vec<R>>, WorkerPanicked> {
        let others: Vec<_> = (1..n).map(|k| s.spawn(move || share(k))).collect();
        let mut shares = vec![share(0)];
        for other in others {
            shares.push(other.join().map_err(|_| WorkerPanicked)?);
        }
        Ok(shares)
    })?;
    let mut shares: Vec<_> = shares.into_iter().map(Vec::into_iter).collect();
    let mut out = Vec::with_capacity(items.len());
    for i in 0..items.len() {
        out.extend(shares[i % n].next());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_the_items_order() {
        for len in [0, 1, 2, 3, 7, 64] {
            let items: Vec<usize> = (0..len).collect();
            let squares = parallel_map(&items, |i| i * i).unwrap();
            assert_eq!(squares, items.iter().map(|i| i * i).collect::<Vec<_>>());
        }
        assert!(threads() >= 1);
    }

    #[test]
    fn a_panicking_worker_is_an_error() {
        if threads() < 2 {
            return;
        }
        // item 1 goes to the second thread
        let result = parallel_map(&[0, 1], |i| {
            if *i == 1 {
                panic!("worker");
            }
            *i
        });
        assert_eq!(result, Err(WorkerPanicked));
    }
}
