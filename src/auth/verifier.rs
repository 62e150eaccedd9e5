//! A bounded pool for password verification. argon2 costs ~100 ms of one core by design, so a flood
//! of sign-ins must not take every blocking thread: at most [`Verifier::new`]'s `workers` hash at
//! once, at most `queue` more wait their turn, and anyone beyond that is told to come back
//! ([`Busy`], answered 429 with `Retry-After`) instead of starving the rest of the service.
//!
//! The work runs on the pool's own threads, not on the shared blocking threads: argon2 takes
//! 19 MiB per verification, and the allocator keeps such a buffer in the arena of each thread that
//! used it, so a flood spread over dozens of blocking threads kept hundreds of megabytes. On
//! `workers` threads of their own the buffers stay at most `workers` × the memory cost.

use std::sync::{Arc, Mutex, mpsc};

use tokio::sync::{Semaphore, watch};

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
    /// The pool's threads take their work from here; they end when the last clone is dropped.
    jobs: Option<mpsc::Sender<Job>>,
    permits: Arc<Semaphore>,
    /// Callers running or waiting now (watched, so a test or a monitor can wait for a count
    /// rather than poll or sleep).
    admitted: Arc<watch::Sender<usize>>,
    /// The most callers running or waiting at once.
    capacity: usize,
}

impl Verifier {
    /// A pool of `workers` threads' worth of verification and `queue` more callers waiting.
    pub fn new(workers: usize, queue: usize) -> Self {
        let workers = workers.max(1);
        let (jobs, taken) = mpsc::channel::<Job>();
        let taken = Arc::new(Mutex::new(taken));
        let started = (0..workers)
            .filter(|i| {
                let taken = taken.clone();
                std::thread::Builder::new()
                    .name(format!("attest-verifier-{i}"))
                    .spawn(move || work_on(&taken))
                    .map_err(|err| tracing::warn!(error = %err, "cannot start a verifier thread"))
                    .is_ok()
            })
            .count();
        Self {
            // Without a thread of its own the pool falls back on the shared blocking threads.
            jobs: (started > 0).then_some(jobs),
            permits: Arc::new(Semaphore::new(workers)),
            admitted: Arc::new(watch::Sender::new(0)),
            capacity: workers + queue,
        }
    }

    /// One worker per core, and a queue that drains in about two seconds of argon2 work per core.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self::new(cores, cores * 16)
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
        let Some(jobs) = &self.jobs else {
            return tokio::task::spawn_blocking(work)
                .await
                .map_err(|_| Busy { retry_after: 1 });
        };
        let (done, result) = tokio::sync::oneshot::channel();
        jobs.send(Box::new(move || {
            // The caller may have gone (a cancelled request): nobody is left to tell.
            let _ = done.send(work());
        }))
        .map_err(|_| Busy { retry_after: 1 })?;
        // A panic in `work` drops `done`: the caller is told to retry.
        result.await.map_err(|_| Busy { retry_after: 1 })
    }

    fn admit(&self) -> Result<Admitted, Busy> {
        let capacity = self.capacity;
        let mut admitted = false;
        self.admitted.send_if_modified(|count| {
            admitted = *count < capacity;
            if admitted {
                *count += 1;
            }
            admitted
        });
        if admitted {
            Ok(Admitted(self.admitted.clone()))
        } else {
            Err(Busy { retry_after: 1 })
        }
    }

    /// Callers running or waiting now.
    pub fn admitted(&self) -> usize {
        *self.admitted.borrow()
    }

    /// Returns once at least `count` callers are running or waiting: lets a test fill the pool
    /// and know it is full without sleeping or polling.
    pub async fn until_admitted(&self, count: usize) {
        let mut seen = self.admitted.subscribe();
        // The sender lives in `self`, so waiting cannot fail.
        let _ = seen.wait_for(|now| *now >= count).await;
    }
}

/// Work for one of the pool's threads.
type Job = Box<dyn FnOnce() + Send>;

/// One of the pool's threads: runs jobs until every sender is gone. A job that panics ends only
/// itself.
fn work_on(jobs: &Mutex<mpsc::Receiver<Job>>) {
    loop {
        let next = jobs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .recv();
        let Ok(job) = next else { return };
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
    }
}

/// Counts a caller as running or waiting until it is dropped (also when its request is cancelled).
struct Admitted(Arc<watch::Sender<usize>>);

impl Drop for Admitted {
    fn drop(&mut self) {
        self.0.send_modify(|count| *count = count.saturating_sub(1));
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
        let (started, running_now) = tokio::sync::oneshot::channel::<()>();
        let running = tokio::spawn({
            let pool = pool.clone();
            async move {
                pool.run(move || {
                    started.send(()).ok();
                    gate.recv().ok();
                })
                .await
            }
        });
        running_now.await.ok();
        // One worker busy: the second caller queues…
        let queued = tokio::spawn({
            let pool = pool.clone();
            async move { pool.run(|| "queued").await }
        });
        pool.until_admitted(2).await;
        // …and the third is told to come back.
        assert_eq!(pool.run(|| "third").await, Err(Busy { retry_after: 1 }));
        assert_eq!(pool.admitted(), 2, "a refused caller is not counted");
        release.send(()).ok();
        assert_eq!(running.await.ok(), Some(Ok(())));
        assert_eq!(queued.await.ok(), Some(Ok("queued")));
        assert_eq!(pool.admitted(), 0);
    }
}
