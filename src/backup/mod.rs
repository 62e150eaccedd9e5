//! `attest backup` and `attest restore`: a consistent copy of the database and the file store,
//! taken while the server runs, with a manifest of every file's SHA-256; put back into an empty
//! data dir (and, for PostgreSQL, an empty database) only after every hash has been checked.
//!
//! SQLite is copied with `VACUUM INTO` (one read transaction: a consistent snapshot while writers
//! carry on); PostgreSQL with `pg_dump --format=custom` (also one snapshot) and put back with
//! `pg_restore`. Evidence files are content-addressed and never change, so copying every object
//! after the database snapshot covers every file the snapshot refers to (`attest files gc` removes
//! only files no record refers to and only once they are an hour old). The file store may be the
//! local folder or an object store (`ATTEST_FILES_URL`): either way every object is read through
//! [`BlobStore`], checked against its hash on the way, and written into the backup folder; a
//! restore puts the files into whichever store the restoring instance is configured with.

mod create;
mod hashing;
mod restore;

use std::path::Path;
use std::process::Command;

use serde::{Deserialize, Serialize};

use crate::storage::StorageError;

pub use create::backup;
pub use restore::{check, database_file, restore};

/// The manifest's format name; a restore refuses any other.
pub const FORMAT: &str = "attest-backup/1";
/// The manifest's file name inside a backup folder; written last, so its presence marks a backup
/// that finished.
pub const MANIFEST: &str = "manifest.json";
const SQLITE_FILE: &str = "attest.db";
const PG_FILE: &str = "attest.pgdump";
/// The secrets kept in the data dir that a restored instance needs (sessions, issuer keys).
const SECRETS: &[&str] = &["jwt-secret", "key-secret"];

/// Why a backup or restore failed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// Refused before anything was written.
    #[error("{0}")]
    Refused(String),
    /// A file did not match the hash it was recorded with.
    #[error("{path}: SHA-256 {actual} does not match the manifest's {expected}")]
    Mismatch {
        /// The file.
        path: String,
        /// What the manifest says.
        expected: String,
        /// What the file holds.
        actual: String,
    },
    /// The file system failed.
    #[error("{path}: {source}")]
    Io {
        /// Where.
        path: String,
        /// What.
        source: std::io::Error,
    },
    /// The database failed.
    #[error("database: {0}")]
    Db(String),
    /// pg_dump or pg_restore failed.
    #[error("{tool}: {reason}")]
    Tool {
        /// Which program.
        tool: &'static str,
        /// Its error output.
        reason: String,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// One file of a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Its path inside the backup folder.
    pub path: String,
    /// Its SHA-256 (hex).
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
}

/// What a backup holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// The version of Attest that wrote it.
    pub attest_version: String,
    /// When the database snapshot was taken (UTC, RFC 3339).
    pub created_at: String,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// The database snapshot.
    pub database: Entry,
    /// The migrations applied to the snapshot, newest last.
    pub migrations: Vec<String>,
    /// The secrets copied from the data dir (absent when they came from the environment).
    pub secrets: Vec<Entry>,
    /// Every evidence and export file, by content hash (`files/objects/ab/cdef…`).
    pub files: Vec<Entry>,
}

impl Manifest {
    /// Bytes the backup holds.
    pub fn total_bytes(&self) -> u64 {
        self.database.size
            + self.files.iter().map(|e| e.size).sum::<u64>()
            + self.secrets.iter().map(|e| e.size).sum::<u64>()
    }
}

fn store_error(err: StorageError) -> BackupError {
    BackupError::Refused(format!("file store: {err}"))
}

fn db_error(err: impl std::fmt::Display) -> BackupError {
    BackupError::Db(err.to_string())
}

fn run_tool(tool: &'static str, command: &mut Command) -> Result<(), BackupError> {
    let output = command.output().map_err(|e| BackupError::Tool {
        tool,
        reason: format!("cannot run it ({e}); install the PostgreSQL client tools"),
    })?;
    if output.status.success() {
        Ok(())
    } else {
        Err(BackupError::Tool {
            tool,
            reason: String::from_utf8_lossy(&output.stderr)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        })
    }
}
