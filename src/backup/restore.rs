//! Checking a backup against its manifest and putting it back into an empty instance.

use std::path::{Path, PathBuf};
use std::process::Command;

use diesel::prelude::*;

use super::hashing::{copy_hashed, hash_file};
use super::{BackupError, FORMAT, MANIFEST, Manifest, db_error, io, run_tool, store_error};
use crate::config::{Config, DatabaseUrl};
use crate::storage::{self, BlobStore, LocalStore};

/// Reads a backup's manifest and checks every file it lists against its hash.
pub fn check(dir: &Path) -> Result<Manifest, BackupError> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read(&path).map_err(io(&path))?;
    let manifest: Manifest = serde_json::from_slice(&text).map_err(|e| {
        BackupError::Refused(format!("{}: not a backup manifest ({e})", path.display()))
    })?;
    if manifest.format != FORMAT {
        return Err(BackupError::Refused(format!(
            "{}: format {} is not {FORMAT}",
            path.display(),
            manifest.format
        )));
    }
    let all = std::iter::once(&manifest.database)
        .chain(&manifest.secrets)
        .chain(&manifest.files);
    for entry in all {
        if entry.path.contains("..") || entry.path.starts_with('/') {
            return Err(BackupError::Refused(format!(
                "{}: path {} leaves the backup folder",
                path.display(),
                entry.path
            )));
        }
        let file = dir.join(&entry.path);
        let (sha256, size) = hash_file(&file)?;
        if sha256 != entry.sha256 || size != entry.size {
            return Err(BackupError::Mismatch {
                path: file.display().to_string(),
                expected: entry.sha256.clone(),
                actual: sha256,
            });
        }
    }
    Ok(manifest)
}

/// Puts the backup in `dir` back: the database into `config`'s (an SQLite file that does not exist
/// yet, or a PostgreSQL database with no tables), the files into an empty file store, the secrets
/// into the data dir (unless the environment supplies them). Every hash is checked first.
pub fn restore(config: &Config, dir: &Path) -> Result<Manifest, BackupError> {
    let manifest = check(dir)?;
    let store_root = config.data_dir.join("files");
    let staging = LocalStore::open(&store_root).map_err(io(&store_root))?;
    let store = storage::open_at(config.files.as_ref(), staging.clone()).map_err(store_error)?;
    let held = store.objects().map_err(store_error)?;
    if !held.is_empty() {
        return Err(BackupError::Refused(format!(
            "{} already holds {} files: restore into an empty file store",
            store.location(),
            held.len()
        )));
    }
    restore_database(config, dir, &manifest)?;
    restore_files(store.as_ref(), &staging, dir, &manifest)?;
    restore_secrets(config, dir, &manifest)?;
    Ok(manifest)
}

/// The database, into an SQLite file that does not exist yet or a PostgreSQL database with no
/// tables, of the same backend as the backup.
fn restore_database(config: &Config, dir: &Path, manifest: &Manifest) -> Result<(), BackupError> {
    match (&config.database, manifest.backend.as_str()) {
        (DatabaseUrl::Sqlite(path), "sqlite") => {
            if path.exists() {
                return Err(BackupError::Refused(format!(
                    "{} exists: restore into an empty data dir",
                    path.display()
                )));
            }
            std::fs::create_dir_all(&config.data_dir).map_err(io(&config.data_dir))?;
            let from = dir.join(&manifest.database.path);
            let (sha256, _) = copy_hashed(&from, path, false)?;
            if sha256 != manifest.database.sha256 {
                let _ = std::fs::remove_file(path);
                return Err(BackupError::Mismatch {
                    path: from.display().to_string(),
                    expected: manifest.database.sha256.clone(),
                    actual: sha256,
                });
            }
        }
        (DatabaseUrl::Postgres(url), "postgres") => {
            let mut conn = diesel::PgConnection::establish(url).map_err(db_error)?;
            #[derive(QueryableByName)]
            struct Count {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            let tables: Vec<Count> = diesel::sql_query(
                "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'",
            )
            .load(&mut conn)
            .map_err(db_error)?;
            if tables.first().is_some_and(|c| c.n > 0) {
                return Err(BackupError::Refused(
                    "ATTEST_DATABASE_URL: the database has tables: restore into a new, empty database".into(),
                ));
            }
            drop(conn);
            run_tool(
                "pg_restore",
                Command::new("pg_restore")
                    .arg("--no-owner")
                    .arg("--no-privileges")
                    .arg("--exit-on-error")
                    .arg("--single-transaction")
                    .arg(format!("--dbname={url}"))
                    .arg(dir.join(&manifest.database.path)),
            )?;
        }
        (_, backend) => {
            return Err(BackupError::Refused(format!(
                "the backup is of a {backend} database, and ATTEST_DATABASE_URL names the other kind"
            )));
        }
    }
    Ok(())
}

/// Every file, staged and checked against its hash before it goes into the (empty) store.
fn restore_files(
    store: &dyn BlobStore,
    staging: &LocalStore,
    dir: &Path,
    manifest: &Manifest,
) -> Result<(), BackupError> {
    for entry in &manifest.files {
        let staged = staging.temp_dir().join(format!("restore-{}", entry.sha256));
        let (sha256, _) = copy_hashed(&dir.join(&entry.path), &staged, false)?;
        if sha256 != entry.sha256 {
            let _ = std::fs::remove_file(&staged);
            return Err(BackupError::Mismatch {
                path: entry.path.clone(),
                expected: entry.sha256.clone(),
                actual: sha256,
            });
        }
        store.put(&staged, &sha256).map_err(store_error)?;
    }
    Ok(())
}

/// The secrets, into the data dir, except those the environment supplies or already there.
fn restore_secrets(config: &Config, dir: &Path, manifest: &Manifest) -> Result<(), BackupError> {
    for entry in &manifest.secrets {
        let name = entry.path.trim_start_matches("secrets/");
        let from_env = match name {
            "jwt-secret" => config.jwt_secret.is_some(),
            "key-secret" => config.key_secret.is_some(),
            _ => true,
        };
        let target = config.data_dir.join(name);
        if from_env || target.exists() {
            continue;
        }
        copy_hashed(&dir.join(&entry.path), &target, true)?;
    }
    Ok(())
}

/// Where a backup's database file sits (for documentation and tests).
pub fn database_file(manifest: &Manifest, dir: &Path) -> PathBuf {
    dir.join(&manifest.database.path)
}
