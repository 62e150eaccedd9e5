//! `attest files gc`: the file store checked against the records that refer to it. Files no record
//! references (left by a crash, or by a failure after a file was stored) are removed; records whose
//! file is missing are reported, since only a person can say where their content went.

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime};

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{evidence, export_batches, files, question_answers};
use crate::storage::{BlobStore, FoundFile, LocalStore, StorageError};

/// Files younger than this are never removed: a running server may be receiving them, or be about
/// to commit the record that refers to them.
pub const MIN_AGE: Duration = Duration::from_secs(60 * 60);

/// A record that names content the store does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingFile {
    /// `evidence` or `export_batch`.
    pub kind: &'static str,
    /// The record's id.
    pub id: String,
    /// The content it names.
    pub sha256: String,
}

/// What a collection found and did.
#[derive(Debug, Default)]
pub struct Report {
    /// Stored files no record references (removed unless a dry run).
    pub orphans: Vec<FoundFile>,
    /// Staging files left behind (removed unless a dry run).
    pub leftovers: Vec<FoundFile>,
    /// Records that lack their file.
    pub missing: Vec<MissingFile>,
}

impl Report {
    /// Bytes the orphans and leftovers take.
    pub fn reclaimable_bytes(&self) -> u64 {
        self.orphans
            .iter()
            .chain(&self.leftovers)
            .map(|f| f.size)
            .sum()
    }
}

/// Compares the store with the database and, unless `dry_run`, removes orphans and leftovers
/// older than [`MIN_AGE`] at `now`.
pub fn collect(
    conn: &mut DbConnection,
    store: &dyn BlobStore,
    staging: &LocalStore,
    now: SystemTime,
    dry_run: bool,
) -> Result<Report, GcError> {
    // Listed before the records are read: a file stored after this point is not judged at all.
    let objects = store.objects()?;
    let staging = staging.staging()?;
    let (referenced, missing) = references(conn, store)?;
    let old_enough = |file: &FoundFile| {
        now.duration_since(file.modified)
            .is_ok_and(|age| age >= MIN_AGE)
    };
    let report = Report {
        orphans: objects
            .into_iter()
            .filter(|f| !referenced.contains(&f.sha256) && old_enough(f))
            .collect(),
        leftovers: staging.into_iter().filter(old_enough).collect(),
        missing,
    };
    if !dry_run {
        for file in &report.orphans {
            store.remove(&file.sha256)?;
        }
        for file in &report.leftovers {
            match std::fs::remove_file(&file.path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(StorageError::Io(e).into()),
            }
        }
    }
    Ok(report)
}

/// Every hash a record refers to, and the records whose content is not in the store.
fn references(
    conn: &mut DbConnection,
    store: &dyn BlobStore,
) -> Result<(BTreeSet<String>, Vec<MissingFile>), GcError> {
    let evidence_files: Vec<(String, Option<String>)> = evidence::table
        .filter(evidence::file_sha256.is_not_null())
        .select((evidence::id, evidence::file_sha256))
        .order(evidence::id)
        .load(conn)?;
    let batch_files: Vec<(String, Option<String>)> = export_batches::table
        .filter(export_batches::file_sha256.is_not_null())
        .select((export_batches::id, export_batches::file_sha256))
        .order(export_batches::id)
        .load(conn)?;
    let answer_files: Vec<(String, Option<String>)> = question_answers::table
        .filter(question_answers::file_sha256.is_not_null())
        .select((question_answers::id, question_answers::file_sha256))
        .order(question_answers::id)
        .load(conn)?;
    let known: Vec<String> = files::table.select(files::sha256).load(conn)?;
    let mut referenced: BTreeSet<String> = known.into_iter().collect();
    let mut missing = Vec::new();
    let named = evidence_files
        .into_iter()
        .map(|(id, sha)| ("evidence", id, sha))
        .chain(
            batch_files
                .into_iter()
                .map(|(id, sha)| ("export_batch", id, sha)),
        )
        .chain(
            answer_files
                .into_iter()
                .map(|(id, sha)| ("question_answer", id, sha)),
        );
    for (kind, id, sha256) in named {
        let Some(sha256) = sha256 else { continue };
        if !store.contains(&sha256)? {
            missing.push(MissingFile {
                kind,
                id,
                sha256: sha256.clone(),
            });
        }
        referenced.insert(sha256);
    }
    Ok((referenced, missing))
}

/// Why a collection could not finish.
#[derive(Debug, thiserror::Error)]
pub enum GcError {
    /// The database failed.
    #[error("database: {0}")]
    Db(#[from] diesel::result::Error),
    /// The file store failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}
