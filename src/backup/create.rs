//! Taking a backup: the database snapshot, every stored object, the secrets, then the manifest.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::process::Command;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use super::hashing::{copy_hashed, hash_file};
use super::{
    BackupError, Entry, FORMAT, MANIFEST, Manifest, PG_FILE, SECRETS, SQLITE_FILE, db_error, io,
    run_tool, store_error,
};
use crate::config::{Config, DatabaseUrl};
use crate::db::schema::{evidence, export_batches, files};
use crate::db::{Database, DbConnection};
use crate::storage::{self, StorageError};

/// Every content hash the database refers to.
fn referenced(conn: &mut DbConnection) -> Result<BTreeSet<String>, BackupError> {
    let mut all: BTreeSet<String> = files::table
        .select(files::sha256)
        .load::<String>(conn)
        .map_err(db_error)?
        .into_iter()
        .collect();
    let evidence_files: Vec<Option<String>> = evidence::table
        .select(evidence::file_sha256)
        .filter(evidence::file_sha256.is_not_null())
        .load(conn)
        .map_err(db_error)?;
    let batch_files: Vec<Option<String>> = export_batches::table
        .select(export_batches::file_sha256)
        .filter(export_batches::file_sha256.is_not_null())
        .load(conn)
        .map_err(db_error)?;
    let answer_files: Vec<Option<String>> = crate::db::schema::question_answers::table
        .select(crate::db::schema::question_answers::file_sha256)
        .filter(crate::db::schema::question_answers::file_sha256.is_not_null())
        .load(conn)
        .map_err(db_error)?;
    all.extend(
        evidence_files
            .into_iter()
            .chain(batch_files)
            .chain(answer_files)
            .flatten(),
    );
    Ok(all)
}

fn empty_or_absent(dir: &Path) -> Result<bool, BackupError> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(io(dir)(e)),
    }
}

/// Makes a backup of `db` and the file store of `config` into `out` (absent or empty).
pub fn backup(config: &Config, db: &Database, out: &Path) -> Result<Manifest, BackupError> {
    if !empty_or_absent(out)? {
        return Err(BackupError::Refused(format!(
            "{} is not empty: give a new folder for each backup",
            out.display()
        )));
    }
    std::fs::create_dir_all(out).map_err(io(out))?;
    let created_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut conn = db.conn().map_err(db_error)?;
    let migrations = crate::db::applied_migrations(&mut conn).map_err(db_error)?;
    let (backend, database, needed) = snapshot_database(config, &mut conn, out)?;
    drop(conn);
    let files = copy_objects(config, out, needed)?;
    let secrets = copy_secrets(config, out)?;
    let manifest = Manifest {
        format: FORMAT.to_owned(),
        attest_version: env!("CARGO_PKG_VERSION").to_owned(),
        created_at,
        backend: backend.to_owned(),
        database,
        migrations,
        secrets,
        files,
    };
    write_manifest(&manifest, out)?;
    Ok(manifest)
}

/// Step 1, the database snapshot: its backend name, its entry, and the content hashes it refers to.
fn snapshot_database(
    config: &Config,
    conn: &mut DbConnection,
    out: &Path,
) -> Result<(&'static str, Entry, BTreeSet<String>), BackupError> {
    let (backend, database_file, needed) = match &config.database {
        DatabaseUrl::Sqlite(_) => {
            let target = out.join(SQLITE_FILE);
            let quoted = target.display().to_string().replace('\'', "''");
            conn.batch_execute(&format!("VACUUM INTO '{quoted}'"))
                .map_err(db_error)?;
            // The hashes the snapshot itself refers to.
            let mut snapshot = diesel::SqliteConnection::establish(&target.display().to_string())
                .map_err(db_error)?;
            let needed = referenced_sqlite(&mut snapshot)?;
            ("sqlite", SQLITE_FILE, needed)
        }
        DatabaseUrl::Postgres(url) => {
            let target = out.join(PG_FILE);
            run_tool(
                "pg_dump",
                Command::new("pg_dump")
                    .arg("--format=custom")
                    .arg("--no-owner")
                    .arg("--no-privileges")
                    .arg(format!("--file={}", target.display()))
                    .arg(format!("--dbname={url}")),
            )?;
            // Read after the dump: every record of the dump that still exists, and newer ones.
            let needed = referenced(conn)?;
            ("postgres", PG_FILE, needed)
        }
    };
    let database_path = out.join(database_file);
    let (sha256, size) = hash_file(&database_path)?;
    let database = Entry {
        path: database_file.to_owned(),
        sha256,
        size,
    };
    Ok((backend, database, needed))
}

/// Step 2, every stored object, checked against its own name while it is copied; refused when the
/// snapshot refers to content (`needed`) the store does not hold.
fn copy_objects(
    config: &Config,
    out: &Path,
    mut needed: BTreeSet<String>,
) -> Result<Vec<Entry>, BackupError> {
    let store = storage::open_store(config, false).map_err(store_error)?;
    let objects = store.objects().map_err(store_error)?;
    let mut entries = Vec::with_capacity(objects.len());
    for object in objects {
        let relative = object_path(&object.sha256);
        let target = out.join(&relative);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(io(dir))?;
        }
        let mut file = File::create_new(&target).map_err(io(&target))?;
        let size = match storage::copy_verified(store.as_ref(), &object.sha256, &mut file) {
            Ok(size) => size,
            Err(StorageError::Corrupt(_)) => {
                return Err(BackupError::Mismatch {
                    path: object.path.display().to_string(),
                    expected: object.sha256.clone(),
                    actual: "something else".into(),
                });
            }
            Err(e) => return Err(store_error(e)),
        };
        file.sync_all().map_err(io(&target))?;
        needed.remove(&object.sha256);
        entries.push(Entry {
            path: relative,
            sha256: object.sha256,
            size,
        });
    }
    if let Some(missing) = needed.iter().next() {
        return Err(BackupError::Refused(format!(
            "the database refers to file {missing}, which is not in the file store ({} missing in all; `attest files gc --dry-run` lists the records)",
            needed.len()
        )));
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(entries)
}

/// Step 3, the secrets kept in the data dir.
fn copy_secrets(config: &Config, out: &Path) -> Result<Vec<Entry>, BackupError> {
    let mut secrets = Vec::new();
    for name in SECRETS {
        let from = config.data_dir.join(name);
        if from.is_file() {
            let (sha256, size) = copy_hashed(&from, &out.join("secrets").join(name), true)?;
            secrets.push(Entry {
                path: format!("secrets/{name}"),
                sha256,
                size,
            });
        }
    }
    Ok(secrets)
}

/// Last, the manifest: its presence marks a backup that finished.
fn write_manifest(manifest: &Manifest, out: &Path) -> Result<(), BackupError> {
    let manifest_path = out.join(MANIFEST);
    let text = serde_json::to_vec_pretty(manifest).map_err(|e| BackupError::Db(e.to_string()))?;
    let mut file = File::create(&manifest_path).map_err(io(&manifest_path))?;
    file.write_all(&text).map_err(io(&manifest_path))?;
    file.sync_all().map_err(io(&manifest_path))?;
    Ok(())
}

fn referenced_sqlite(conn: &mut diesel::SqliteConnection) -> Result<BTreeSet<String>, BackupError> {
    #[derive(QueryableByName)]
    struct Hash {
        #[diesel(sql_type = diesel::sql_types::Text)]
        sha256: String,
    }
    let rows: Vec<Hash> = diesel::sql_query(
        "SELECT sha256 FROM files \
         UNION SELECT file_sha256 AS sha256 FROM evidence WHERE file_sha256 IS NOT NULL \
         UNION SELECT file_sha256 AS sha256 FROM export_batches WHERE file_sha256 IS NOT NULL",
    )
    .load(conn)
    .map_err(db_error)?;
    Ok(rows.into_iter().map(|h| h.sha256).collect())
}

fn object_path(sha256: &str) -> String {
    let (prefix, rest) = sha256.split_at(2.min(sha256.len()));
    format!("files/objects/{prefix}/{rest}")
}
