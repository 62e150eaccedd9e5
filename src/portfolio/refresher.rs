//! Brings stored evaluations up to date after the writes that changed them commit, outside the
//! write lock and after the writer has had its answer, one computation at a time per enrolment.
//!
//! Evaluating a portfolio costs time that grows with its evidence. Done inside each write's
//! transaction it held SQLite's write lock (every writer of the organisation waits) and, with many
//! writers on one portfolio, it ran once per write on an ever larger portfolio. Here the write
//! commits first; then [`Refresher::refresh`] computes the evaluation in a read transaction (no
//! write lock) and stores it in a short write whose upsert never replaces a row of a later
//! revision. Callers that arrive while a computation of the same enrolment runs wait for the next
//! one, which starts after they committed and so covers all of them (a group commit): at most one
//! computation per enrolment runs, and one follows however many writes queued behind it.
//!
//! The writer does not wait for it: [`Refresher::refresh`] starts the computation in the
//! background and returns, so a write answers in the time of its own transaction, however large
//! the portfolio. Correctness never depends on the refresh: a stored row carries the stamp of what
//! it was computed from and a stale one is recomputed on read (see [`super::stored`]), through the
//! same single flight ([`Refresher::current`]), so a read that arrives before the background
//! computation joins it instead of computing again.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::enrolment::load_enrolment;
use super::stored::{self, StoredEvaluation};
use crate::action::ActionError;
use crate::catalogue::Catalogue;
use crate::db::Database;
use crate::db::ids::EnrolmentId;

/// One enrolment's computations: the tickets handed out and what the last one covered.
#[derive(Default)]
struct Flight {
    /// Handed out in order, one per caller, after the caller's own commit or stale read.
    tickets: AtomicU64,
    /// A background refresh is waiting for its turn (see [`Refresher::refresh`]): it will cover
    /// every ticket handed out before it starts, so no other needs to be queued meanwhile.
    queued: AtomicBool,
    /// Held by the computation running now; holds the highest ticket the last finished
    /// computation covers and what it computed.
    done: tokio::sync::Mutex<(u64, Option<Arc<StoredEvaluation>>)>,
}

/// Computes and stores evaluations after commit, once per enrolment at a time (see the module).
#[derive(Clone)]
pub struct Refresher {
    db: Database,
    catalogue: Catalogue,
    flights: Arc<Mutex<HashMap<EnrolmentId, Arc<Flight>>>>,
    /// The background refreshes started and not yet finished.
    running: tokio_util::task::TaskTracker,
    /// Turns for background computations: at most half the cores compute at once, so a burst of
    /// writes over many portfolios leaves the rest to the writers and readers instead of every
    /// write's evaluation competing with them. Refreshes that wait meanwhile pile up per
    /// enrolment and are covered by one computation when their turn comes. Reads that find a
    /// stale row do not take a turn: someone is waiting for them.
    turns: Arc<tokio::sync::Semaphore>,
}

impl std::fmt::Debug for Refresher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Refresher").finish_non_exhaustive()
    }
}

impl Refresher {
    /// A refresher over `db` evaluating with `catalogue`.
    pub fn new(db: Database, catalogue: Catalogue) -> Self {
        Self {
            db,
            catalogue,
            flights: Arc::default(),
            running: tokio_util::task::TaskTracker::new(),
            turns: Arc::new(tokio::sync::Semaphore::new(background_turns())),
        }
    }

    /// Starts storing the evaluation of `enrolment_id` as of everything committed before this
    /// call, and returns without waiting for it. Call it after a write that changed the portfolio
    /// has committed; a failure only leaves the row stale (the next read recomputes it), so it is
    /// logged, not returned. Must be called on the service's runtime.
    pub fn refresh(&self, enrolment_id: EnrolmentId) {
        let this = self.clone();
        // The ticket is taken before returning, so the computation that covers it starts after
        // the caller's commit even if the task is scheduled later.
        let flight = self.flight(enrolment_id);
        let ticket = flight.tickets.fetch_add(1, Ordering::SeqCst) + 1;
        // One refresh already waiting for its turn covers this ticket too: it clears the mark
        // before it reads which tickets it covers, and this ticket was taken before the mark was
        // found set.
        if flight.queued.swap(true, Ordering::SeqCst) {
            self.leave(enrolment_id, flight);
            return;
        }
        self.running.spawn(async move {
            // The semaphore is never closed; if it were, computing without a turn is still right.
            let turn = this.turns.acquire().await.ok();
            flight.queued.store(false, Ordering::SeqCst);
            let ticket = ticket.max(flight.tickets.load(Ordering::SeqCst));
            let result = this.in_flight(&flight, ticket, enrolment_id).await;
            drop(turn);
            this.leave(enrolment_id, flight);
            if let Err(err) = result {
                tracing::warn!(enrolment = %enrolment_id, error = %err, "stored evaluation not refreshed");
            }
        });
    }

    /// Waits until every background refresh started so far has finished (tests, and anyone who
    /// needs the stored rows rather than the answers).
    pub async fn settled(&self) {
        while !self.running.is_empty() {
            self.running.close();
            self.running.wait().await;
            self.running.reopen();
        }
    }

    /// The evaluation of `enrolment_id` as of everything committed before this call, computed
    /// (or taken from a computation that started after this call) and stored. Shared, not
    /// copied: a report can be megabytes and every caller covered by one computation gets it.
    pub async fn current(
        &self,
        enrolment_id: EnrolmentId,
    ) -> Result<Arc<StoredEvaluation>, ActionError> {
        let flight = self.flight(enrolment_id);
        let ticket = flight.tickets.fetch_add(1, Ordering::SeqCst) + 1;
        let result = self.in_flight(&flight, ticket, enrolment_id).await;
        self.leave(enrolment_id, flight);
        result
    }

    async fn in_flight(
        &self,
        flight: &Flight,
        ticket: u64,
        enrolment_id: EnrolmentId,
    ) -> Result<Arc<StoredEvaluation>, ActionError> {
        let mut done = flight.done.lock().await;
        if let (covered, Some(last)) = &*done
            && *covered >= ticket
        {
            // A computation that started after this caller's ticket: it saw the caller's commit.
            return Ok(Arc::clone(last));
        }
        // Every ticket handed out so far belongs to a caller whose commit is already visible to
        // the read transaction that starts now.
        let covers = flight.tickets.load(Ordering::SeqCst);
        // The last report is of no use to anyone from here (every later caller waits for this
        // computation) and, for a large portfolio, is as big as the one about to be made: let it
        // go first rather than hold both at the peak.
        done.1 = None;
        let computed = self.compute_and_store(enrolment_id).await?;
        let computed = Arc::new(computed);
        *done = (covers, Some(Arc::clone(&computed)));
        Ok(computed)
    }

    async fn compute_and_store(
        &self,
        enrolment_id: EnrolmentId,
    ) -> Result<StoredEvaluation, ActionError> {
        let catalogue = self.catalogue.clone();
        let computed = self
            .db
            .read(move |conn| {
                let enrolment = load_enrolment(conn, enrolment_id)?;
                stored::compute(conn, &catalogue, &enrolment)
            })
            .await?;
        self.db
            .write(move |conn| {
                stored::store(conn, &computed)?;
                Ok::<_, ActionError>(computed)
            })
            .await
    }

    fn flight(&self, enrolment_id: EnrolmentId) -> Arc<Flight> {
        let mut flights = self
            .flights
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        flights.entry(enrolment_id).or_default().clone()
    }

    /// Forgets the enrolment's flight when no one else is in it, so the map stays as small as the
    /// number of enrolments being refreshed right now.
    fn leave(&self, enrolment_id: EnrolmentId, flight: Arc<Flight>) {
        let mut flights = self
            .flights
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Flights are handed out under this lock, so the count cannot grow meanwhile: the map's
        // reference and this one mean nobody else holds it.
        let last = Arc::strong_count(&flight) == 2;
        // Let go of it under the lock too: dropped after the lock (as a parameter would be), a
        // second leaver could count this reference still, and neither would remove the flight,
        // which would then keep its last report (megabytes for a large portfolio) for good.
        drop(flight);
        if last {
            flights.remove(&enrolment_id);
        }
    }

    /// How many enrolments have a computation queued or running, or a reader waiting for one.
    pub fn flights(&self) -> usize {
        self.flights
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len()
    }
}

/// How many background computations may run at once: half the cores, at least one.
fn background_turns() -> usize {
    std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1))
}
