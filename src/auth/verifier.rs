//! A bounded pool for password verification. argon2 costs ~100 ms of one core by design, so a flood
//! of sign-ins must not take every blocking thread: at most [`Verifier::new`]'s `workers` hash at
//! once, at most `queue` more wait their turn, and anyone beyond that is told to come back
//! ([`Busy`], answered 429 with `Retry-After`) instead of starving the rest of the service.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Semaphore;

/// The pool is full: retry after this many seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many sign-ins at once; try again in {retry_after} s")]
pub struct Busy {
    /// Seconds to wait before trying again.
    pub retry_after: u64,
}

/// Runs expensive verification work on a bounded number of blocking threads.
#[derive(Debug, Clone)]
pub struct Verifier {
    permits: Arc<Semaphore>,
    /// Callers running or waiting now.
    admitted: Arc<AtomicUsize>,
    /// The most callers running or waiting at once.
    capacity: usize,
}

impl Verifier {
    /// A pool of `workers` threads' worth of verification and `queue` more callers waiting.
    pub fn new(workers: usize, queue: usize) -> Self {
        let workers = workers.max(1);
        Self {
            permits: Arc::new(Semaphore::new(workers)),
            admitted: Arc::new(AtomicUsize::new(0)),
            capacity: workers + queue,
        }
    }

    /// One worker per core, and a queue that drains in about two seconds of argon2 work per core.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self::new(cores, cores * 16)
    }

    /// Callers running or waiting now (the sign-in queue's length).
    pub fn queued(&self) -> usize {
        self.admitted.load(Ordering::Acquire)
    }

    /// Runs `work` on a blocking thread once a worker is free; refuses at once when the queue is full.
    pub async fn run<T, F>(&self, work: F) -> Result<T, Busy>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let _admitted = self.admit()?;
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| Busy { retry_after: 1 })?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|_| Busy { retry_after: 1 })
    }

    fn admit(&self) -> Result<Admitted, Busy> {
        let before = self.admitted.fetch_add(1, Ordering::AcqRel);
        let admitted = Admitted(self.admitted.clone());
        if before >= self.capacity {
            return Err(Busy { retry_after: 1 });
        }
        Ok(admitted)
    }
}

/// Counts a caller as running or waiting until it is dropped (also when its request is cancelled).
struct Admitted(Arc<AtomicUsize>);

impl Drop for Admitted {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[tokio::test]
    async fn runs_the_work_and_returns_its_result() {
        let pool = Verifier::new(1, 0);
        assert_eq!(pool.run(|| 6 * 7).await, Ok(42));
        // The slot is free again afterwards.
        assert_eq!(pool.run(|| 1).await, Ok(1));
    }

    #[tokio::test]
    async fn callers_beyond_the_workers_and_the_queue_are_refused() {
        let pool = Verifier::new(1, 1);
        let (release, gate) = mpsc::channel::<()>();
        let running = tokio::spawn({
            let pool = pool.clone();
            async move {
                pool.run(move || {
                    gate.recv().ok();
                })
                .await
            }
        });
        while pool.permits.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        // One worker busy: the second caller queues…
        let queued = tokio::spawn({
            let pool = pool.clone();
            async move { pool.run(|| "queued").await }
        });
        while pool.admitted.load(Ordering::Acquire) < 2 {
            tokio::task::yield_now().await;
        }
        // …and the third is told to come back.
        assert_eq!(pool.run(|| "third").await, Err(Busy { retry_after: 1 }));
        release.send(()).ok();
        assert_eq!(running.await.ok(), Some(Ok(())));
        assert_eq!(queued.await.ok(), Some(Ok("queued")));
        assert_eq!(pool.admitted.load(Ordering::Acquire), 0);
    }
}
