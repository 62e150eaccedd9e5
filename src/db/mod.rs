//! The database: one diesel connection type over SQLite and PostgreSQL, an r2d2 pool, embedded
//! migrations, and the one helper through which all blocking database work runs.
//!
//! Backend-specific SQL lives only here, as an explicit `match` on [`DbConnection`].

mod checkpoint;
pub mod column;
mod first_row;
pub mod ids;
pub mod json;
mod migrate;
pub mod schema;
#[cfg(test)]
mod tests;
pub mod utc;
mod writer;

pub use first_row::{FirstRow, LimitOne};

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};

use crate::config::DatabaseUrl;

pub use migrate::MigrationStatus;

/// One connection to either backend; the variant is chosen from the URL scheme.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    /// PostgreSQL, for deployments with several instances.
    Postgresql(PgConnection),
    /// SQLite, the embedded default.
    Sqlite(SqliteConnection),
}

/// Runs `$body` with `$c` bound to the backend's own connection, for the few queries on every
/// request's path. Through [`DbConnection`] (diesel's `MultiConnection`) each execution writes the
/// query's SQL out two or three times — for the statement cache's key, for the binds — and reads
/// every column through one more layer: a fifth of a progress read's instructions. The body is
/// compiled once per backend, so it must be a query both accept (the DSL, not backend SQL).
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Sqlite($c) => $body,
            $crate::db::DbConnection::Postgresql($c) => $body,
        }
    };
}

/// Which backend a [`Database`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// PostgreSQL.
    Postgres,
    /// SQLite.
    Sqlite,
}

/// Errors of the database layer.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The database could not be reached or opened.
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    /// A query failed.
    #[error(transparent)]
    Query(diesel::result::Error),
    /// A stored value does not read back as its type (an unknown status, a malformed id, JSON
    /// that does not parse): the row is corrupt; nothing stands in for the value.
    #[error(transparent)]
    Corrupt(#[from] column::CorruptValue),
    /// A value could not be written as JSON, so nothing was stored or signed.
    #[error("cannot write JSON: {0}")]
    Json(serde_json::Error),
    /// No pooled connection became free in time.
    #[error("no database connection available: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    /// Applying migrations failed.
    #[error("migration failed: {0}")]
    Migration(String),
    /// A write ran but the transaction holding it did not commit (nothing of it was saved).
    #[error("the transaction did not commit: {0}")]
    Commit(String),
    /// The blocking task was cancelled (the server is shutting down).
    #[error("database task cancelled")]
    Cancelled,
}

impl From<diesel::result::Error> for DbError {
    /// A value a typed column could not read is reported as the corrupt row it is, naming the
    /// column when diesel knows it.
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::{DeserializeFieldError, Error};
        match err {
            Error::DeserializationError(inner) => {
                let inner = match inner.downcast::<column::CorruptValue>() {
                    Ok(corrupt) => return Self::Corrupt(*corrupt),
                    Err(inner) => inner,
                };
                match inner.downcast::<DeserializeFieldError>() {
                    Ok(field) if field.error.is::<column::CorruptValue>() => {
                        let DeserializeFieldError {
                            field_name, error, ..
                        } = *field;
                        match error.downcast::<column::CorruptValue>() {
                            Ok(corrupt) => Self::Corrupt(column::CorruptValue {
                                column: field_name,
                                ..*corrupt
                            }),
                            Err(error) => Self::Query(Error::DeserializationError(error)),
                        }
                    }
                    Ok(field) => Self::Query(Error::DeserializationError(field)),
                    Err(inner) => Self::Query(Error::DeserializationError(inner)),
                }
            }
            other => Self::Query(other),
        }
    }
}

type Manager = ConnectionManager<DbConnection>;

/// The driver's reason on one line: libpq spreads it over several.
fn connect_error(err: diesel::ConnectionError) -> DbError {
    let text = err.to_string();
    DbError::Connect(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The versions of every migration the database has applied, oldest first.
pub fn applied_migrations(conn: &mut DbConnection) -> Result<Vec<String>, DbError> {
    migrate::applied(conn)
}

/// A pool of connections plus the knowledge of which backend they reach.
#[derive(Clone)]
pub struct Database {
    pool: Pool<Manager>,
    backend: Backend,
    /// The thread all of this process's writes run on (see [`writer`]); on SQLite it wakes the
    /// checkpoint thread after its commits (see [`checkpoint`]).
    writer: writer::Writer,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("backend", &self.backend)
            .finish()
    }
}

/// Applies the SQLite pragmas on every connection the pool opens.
#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<DbConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), diesel::r2d2::Error> {
        if let DbConnection::Sqlite(conn) = conn {
            // The busy timeout makes a second writer wait instead of failing at once.
            conn.batch_execute(&format!(
                "PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
                 PRAGMA wal_autocheckpoint = {};",
                checkpoint::AUTOCHECKPOINT_PAGES
            ))
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

impl Database {
    /// Opens a pool on `url`, creating the SQLite file (and its folder) when needed.
    pub fn connect(url: &DatabaseUrl) -> Result<Self, DbError> {
        let (backend, size) = match url {
            DatabaseUrl::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        DbError::Connect(format!("cannot create folder {}: {e}", dir.display()))
                    })?;
                }
                // One more than the readers' 8: the writing thread keeps one (see `writer`).
                (Backend::Sqlite, 9)
            }
            DatabaseUrl::Postgres(_) => (Backend::Postgres, 10),
        };
        // One direct connection first: it fails at once with the server's own reason, where the pool
        // would retry until its timeout and then report only that it timed out.
        match url {
            // WAL is a property of the file: set it once here, before the pool opens its connections
            // at the same time and race for the lock the switch needs.
            DatabaseUrl::Sqlite(path) => SqliteConnection::establish(&path.display().to_string())
                .and_then(|mut conn| {
                    conn.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL;")
                        .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))
                })
                .map_err(connect_error)?,
            DatabaseUrl::Postgres(url) => {
                drop(PgConnection::establish(url).map_err(connect_error)?)
            }
        }
        let manager = Manager::new(url.connection_string());
        // No idle minimum: with one, taking the idle connection makes the pool open another on
        // its own thread, and a command that ends meanwhile exits while libpq is in OpenSSL's
        // handshake, which the exit handlers are tearing down (a segfault on exit, seen on
        // PostgreSQL). Connections open when first asked for; the check above reports a bad URL.
        let pool = Pool::builder()
            .max_size(size)
            .min_idle(Some(0))
            .connection_timeout(Duration::from_secs(10))
            .connection_customizer(Box::new(SqlitePragmas))
            .build(manager)
            .map_err(|e| DbError::Connect(e.to_string()))?;
        let thread = |e: std::io::Error| DbError::Connect(format!("cannot start a thread: {e}"));
        let checkpointer = match url {
            DatabaseUrl::Sqlite(path) => {
                Some(checkpoint::Checkpointer::start(path.clone()).map_err(thread)?)
            }
            DatabaseUrl::Postgres(_) => None,
        };
        let writer = writer::Writer::start(pool.clone(), checkpointer).map_err(thread)?;
        Ok(Self {
            pool,
            backend,
            writer,
        })
    }

    /// The backend this database talks to.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool's use now: connections held, idle ones, and the most it opens.
    pub fn pool_use(&self) -> (u32, u32, u32) {
        let state = self.pool.state();
        (
            state.connections,
            state.idle_connections,
            self.pool.max_size(),
        )
    }

    /// Takes a connection from the pool (blocking).
    pub fn conn(&self) -> Result<PooledConnection<Manager>, DbError> {
        Ok(self.pool.get()?)
    }

    /// Applies every pending migration; returns the names applied.
    pub fn migrate(&self) -> Result<Vec<String>, DbError> {
        migrate::run_pending(&mut *self.conn()?)
    }

    /// Whether the database answers and its migrations are current.
    pub fn status(&self) -> Result<MigrationStatus, DbError> {
        migrate::status(&mut *self.conn()?)
    }

    /// Runs `f` in a read transaction on a blocking thread, off the async workers.
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + From<diesel::result::Error> + Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get().map_err(DbError::from)?;
            let conn: &mut DbConnection = &mut conn;
            conn.transaction(f)
        })
        .await
        .map_err(|_| E::from(DbError::Cancelled))?
    }

    /// Runs a read of a few point selects, like [`Database::read`], but on the calling thread when
    /// the database is SQLite and a connection is free at once. Such a read is in-process and
    /// takes microseconds from SQLite's page cache (WAL readers never wait for the writer), less
    /// than handing it to a blocking thread and back, which was a quarter of a progress read's
    /// time under load (`perf`, docs/performance.md). Only for reads whose cost does not grow with
    /// the data: anything longer would hold up every request on this worker. On PostgreSQL (a
    /// network round trip) or with no connection free, it is [`Database::read`].
    pub async fn read_point<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + From<diesel::result::Error> + Send + 'static,
    {
        if self.backend == Backend::Sqlite
            && let Some(mut conn) = self.pool.try_get()
        {
            let conn: &mut DbConnection = &mut conn;
            return conn.transaction(f);
        }
        self.read(f).await
    }

    /// Runs `f` in a write transaction on the process's one writing thread ([`writer`]), in a
    /// savepoint of a transaction (on SQLite one that took the write lock up front, `BEGIN
    /// IMMEDIATE`) that may hold other writes that queued with it; it is answered once that
    /// transaction commits.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + From<diesel::result::Error> + Send + 'static,
    {
        self.writer.write(f).await
    }
}

/// Serialises appends to the audit chain for the rest of the transaction. SQLite writers are already
/// serialised by `BEGIN IMMEDIATE`; on PostgreSQL several instances may write at once, so a
/// transaction-scoped advisory lock keeps the chain from forking.
pub fn lock_audit_chain(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    const AUDIT_CHAIN_LOCK: i64 = 0x4154_5445_5354; // "ATTEST"
    match conn {
        DbConnection::Sqlite(_) => Ok(()),
        DbConnection::Postgresql(pg) => {
            diesel::sql_query(format!("SELECT pg_advisory_xact_lock({AUDIT_CHAIN_LOCK})"))
                .execute(pg)
                .map(drop)
        }
    }
}

/// A transaction that holds the write lock from its start (see [`Database::write`]). Synchronous, for
/// the CLI and for callers already on a blocking thread.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConnection::Sqlite(inner) => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?
        }
        DbConnection::Postgresql(_) => {
            <DbConnection as Connection>::TransactionManager::begin_transaction(conn)?
        }
    }
    match f(conn) {
        Ok(value) => {
            <DbConnection as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(err) => {
            // The original error matters more than a failed rollback; the pool drops broken connections.
            let _ = <DbConnection as Connection>::TransactionManager::rollback_transaction(conn);
            Err(err)
        }
    }
}
