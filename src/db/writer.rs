//! SQLite's writes: one thread runs them in turn, and those that queued meanwhile share a commit.
//!
//! SQLite lets one transaction write at a time. Handing that turn from writer to writer costs a
//! wake-up each time (a parked thread, or a task its worker must poll before it takes a blocking
//! thread), and under many writers the turn sat idle in those gaps or went to whoever woke
//! first, so the slowest write waited ten times the average. Here every write of the process goes
//! to one thread that runs them back to back in arrival order. The writes that arrived while one
//! ran go into the next transaction together, each in a savepoint of its own: one that fails
//! rolls back alone, the others commit at once, and pages they share (the audit chain's tail, the
//! enrolments' rows) reach the WAL once per commit instead of once per write. No write is answered
//! before the commit that holds it, so an answered write is durable exactly as before and a crash
//! leaves none half done.
//!
//! PostgreSQL writes run here too, one thread per instance: there every write that appends to the
//! audit chain holds the chain's lock until it commits (see [`super::lock_audit_chain`]), so
//! writes ran one after another anyway, each waiting for its own commit's flush to disk (64
//! writers on one portfolio: 359 writes/s). Sharing a transaction, a batch takes the lock and
//! flushes once. Several instances still write side by side; the lock orders their batches.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;

use diesel::Connection;
use diesel::r2d2::{Pool, PooledConnection};
use tokio::sync::oneshot;

use super::checkpoint::Checkpointer;
use super::{DbConnection, DbError, Manager, write_transaction};

/// The most writes one commit holds: bounds how long the first of them waits for the last.
const BATCH: usize = 32;

/// One queued write.
trait Job: Send {
    /// Runs the write in a savepoint of the open transaction. `false` when it panicked: the
    /// transaction's state is then unknown and the whole batch is rolled back.
    fn run(&mut self, conn: &mut DbConnection) -> bool;

    /// Answers the caller once the transaction's fate is known (`Err` with the reason it did not
    /// commit).
    fn answer(self: Box<Self>, committed: Result<(), String>);
}

struct Pending<T, E, F> {
    write: Option<F>,
    outcome: Option<Result<T, E>>,
    reply: oneshot::Sender<Result<T, E>>,
}

impl<T, E, F> Job for Pending<T, E, F>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E> + Send,
    T: Send,
    E: From<DbError> + From<diesel::result::Error> + Send,
{
    fn run(&mut self, conn: &mut DbConnection) -> bool {
        let Some(write) = self.write.take() else {
            return true;
        };
        // Nested in the batch's transaction, diesel's `transaction` is a savepoint.
        match catch_unwind(AssertUnwindSafe(|| conn.transaction(write))) {
            Ok(outcome) => {
                self.outcome = Some(outcome);
                true
            }
            Err(_) => false,
        }
    }

    fn answer(self: Box<Self>, committed: Result<(), String>) {
        let answer = match (committed, self.outcome) {
            (Ok(()), Some(outcome)) => outcome,
            (Ok(()), None) => Err(E::from(DbError::Cancelled)),
            (Err(reason), _) => Err(E::from(DbError::Commit(reason))),
        };
        // The caller may have gone (a dropped request): the write stands all the same.
        let _ = self.reply.send(answer);
    }
}

/// The queue to the writing thread; the thread ends when the last handle is dropped.
#[derive(Clone)]
pub(super) struct Writer {
    jobs: mpsc::Sender<Box<dyn Job>>,
}

impl Writer {
    /// Starts the thread that runs the writes on connections from `pool` and wakes
    /// `checkpointer` after each commit.
    pub(super) fn start(
        pool: Pool<Manager>,
        checkpointer: Option<Checkpointer>,
    ) -> std::io::Result<Self> {
        let (jobs, queued) = mpsc::channel::<Box<dyn Job>>();
        std::thread::Builder::new()
            .name("db-writer".into())
            .spawn(move || run(&pool, &checkpointer, &queued))?;
        Ok(Self { jobs })
    }

    /// Runs `write` in a write transaction on the writing thread; answers after its commit.
    pub(super) async fn write<T, E, F>(&self, write: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + From<diesel::result::Error> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job = Box::new(Pending {
            write: Some(write),
            outcome: None,
            reply,
        });
        self.jobs
            .send(job)
            .map_err(|_| E::from(DbError::Cancelled))?;
        answer.await.map_err(|_| E::from(DbError::Cancelled))?
    }
}

fn run(
    pool: &Pool<Manager>,
    checkpointer: &Option<Checkpointer>,
    queued: &mpsc::Receiver<Box<dyn Job>>,
) {
    // One connection for batch after batch: no other connection of the process writes, so its
    // page cache stays valid between them instead of being read again from the file.
    let mut kept: Option<PooledConnection<Manager>> = None;
    while let Ok(first) = queued.recv() {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match queued.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let conn = match kept.take() {
            Some(conn) => Ok(conn),
            None => pool.get().map_err(|e| DbError::from(e).to_string()),
        };
        let committed = conn.and_then(|mut conn| {
            let committed = commit(&mut conn, &mut batch);
            // After a failure the connection goes back to the pool, which drops it if it is
            // left inside a transaction (a write that panicked).
            if committed.is_ok() {
                if let Some(checkpointer) = checkpointer {
                    checkpointer.committed();
                }
                kept = Some(conn);
            }
            committed
        });
        for job in batch {
            job.answer(committed.clone());
        }
    }
}

/// Runs `batch` in one transaction and commits it.
fn commit(conn: &mut DbConnection, batch: &mut [Box<dyn Job>]) -> Result<(), String> {
    write_transaction(conn, |conn| {
        if batch.iter_mut().all(|job| job.run(conn)) {
            Ok(())
        } else {
            Err(DbError::Commit(
                "a write failed unexpectedly; nothing was saved".into(),
            ))
        }
    })
    .map_err(|e: DbError| e.to_string())
}

#[cfg(test)]
mod tests {
    use diesel::RunQueryDsl;
    use diesel::sql_types::{BigInt, Integer};

    use crate::config::DatabaseUrl;
    use crate::db::{Database, DbConnection, DbError};

    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }

    fn count(conn: &mut DbConnection, sql: &str) -> Result<i64, DbError> {
        Ok(diesel::sql_query(sql).get_result::<Count>(conn)?.n)
    }

    /// A database on each backend under test (PostgreSQL when `ATTEST_TEST_POSTGRES_URL` is set),
    /// with the name of a table of its own to create: PostgreSQL's test database is shared.
    fn databases(dir: &std::path::Path) -> Vec<(Database, String)> {
        let table = format!("writer_{}", uuid::Uuid::new_v4().simple());
        let mut all = vec![(
            Database::connect(&DatabaseUrl::Sqlite(dir.join("w.db"))).unwrap(),
            table.clone(),
        )];
        if let Some(url) = std::env::var("ATTEST_TEST_POSTGRES_URL")
            .ok()
            .filter(|u| !u.is_empty())
        {
            all.push((
                Database::connect(&DatabaseUrl::Postgres(url)).unwrap(),
                table,
            ));
        }
        all
    }

    async fn drop_table(db: &Database, table: String) {
        db.write(move |c| {
            diesel::sql_query(format!("DROP TABLE {table}")).execute(c)?;
            Ok::<_, DbError>(())
        })
        .await
        .unwrap();
    }

    #[tokio::test(flavor = "current_thread")]
    async fn point_reads_run_on_the_callers_thread_on_sqlite_only() {
        let dir = tempfile::tempdir().unwrap();
        for (db, _) in databases(dir.path()) {
            // The pool opens connections on demand; a point read takes only an idle one.
            db.read(|c| count(c, "SELECT CAST(1 AS BIGINT) AS n"))
                .await
                .unwrap();
            let caller = std::thread::current().id();
            let (one, ran_on) = db
                .read_point(|c| {
                    let one = count(c, "SELECT CAST(1 AS BIGINT) AS n")?;
                    Ok::<_, DbError>((one, std::thread::current().id()))
                })
                .await
                .unwrap();
            assert_eq!(one, 1);
            assert_eq!(
                ran_on == caller,
                db.backend() == crate::db::Backend::Sqlite,
                "{:?}",
                db.backend()
            );
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn writes_sharing_a_commit_fail_alone() {
        let dir = tempfile::tempdir().unwrap();
        for (db, table) in databases(dir.path()) {
            writes_fail_alone(&db, &table).await;
            drop_table(&db, table).await;
        }
    }

    async fn writes_fail_alone(db: &Database, table: &str) {
        let create = format!("CREATE TABLE {table} (i INTEGER PRIMARY KEY)");
        db.write(move |c| {
            diesel::sql_query(create).execute(c)?;
            Ok::<_, DbError>(())
        })
        .await
        .unwrap();
        // Keeps the writing thread busy while the writes below queue, so they share commits.
        let busy = tokio::spawn({
            let db = db.clone();
            async move {
                db.write(|_| {
                    std::thread::sleep(std::time::Duration::from_millis(300));
                    Ok::<_, DbError>(())
                })
                .await
            }
        });
        std::thread::sleep(std::time::Duration::from_millis(50));
        let writes: Vec<_> = (0..64)
            .map(|i| {
                let db = db.clone();
                let insert = format!("INSERT INTO {table} (i) VALUES ($1)");
                tokio::spawn(async move {
                    db.write(move |c| {
                        // `$1` is PostgreSQL's placeholder; SQLite reads it as a numbered one.
                        diesel::sql_query(insert).bind::<Integer, _>(i).execute(c)?;
                        if i % 3 == 0 {
                            // Fails after writing: its row must not stay.
                            return Err(DbError::Commit(format!("write {i} refused")));
                        }
                        if i == 31 {
                            // A statement the database refuses: on PostgreSQL it would spoil
                            // the whole transaction, were it not in a savepoint of its own.
                            diesel::sql_query("SELECT no_such_column FROM no_such_table")
                                .execute(c)?;
                        }
                        Ok(i)
                    })
                    .await
                })
            })
            .collect();
        busy.await.unwrap().unwrap();
        let answers = futures_util::future::join_all(writes).await;
        for (i, answer) in answers.into_iter().enumerate() {
            match answer.unwrap() {
                Ok(n) => assert_eq!(n as usize, i),
                Err(DbError::Commit(reason)) => assert_eq!(reason, format!("write {i} refused")),
                Err(DbError::Query(_)) => assert_eq!(i, 31),
                Err(other) => panic!("write {i}: {other}"),
            }
        }
        let (all, refused) = (
            format!("SELECT COUNT(*) AS n FROM {table}"),
            format!("SELECT COUNT(*) AS n FROM {table} WHERE i % 3 = 0 OR i = 31"),
        );
        let (kept, refused) = db
            .read(move |c| Ok::<_, DbError>((count(c, &all)?, count(c, &refused)?)))
            .await
            .unwrap();
        assert_eq!((kept, refused), (64 - 22 - 1, 0));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_panicking_write_leaves_the_writer_running() {
        let dir = tempfile::tempdir().unwrap();
        for (db, table) in databases(dir.path()) {
            let panicked: Result<(), DbError> = db.write(|_| panic!("a bug")).await;
            assert!(panicked.is_err());
            let (create, insert) = (
                format!("CREATE TABLE {table} (i INTEGER)"),
                format!("INSERT INTO {table} (i) VALUES (1)"),
            );
            db.write(move |c| {
                diesel::sql_query(create).execute(c)?;
                diesel::sql_query(insert).execute(c)?;
                Ok::<_, DbError>(())
            })
            .await
            .unwrap();
            let all = format!("SELECT COUNT(*) AS n FROM {table}");
            let n = db.read(move |c| count(c, &all)).await.unwrap();
            assert_eq!(n, 1);
            drop_table(&db, table).await;
        }
    }
}
