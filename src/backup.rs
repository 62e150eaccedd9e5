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

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::{Config, DatabaseUrl};
use crate::db::schema::{evidence, export_batches, files};
use crate::db::{Database, DbConnection};
use crate::storage::{self, LocalStore, StorageError};

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

/// Copies `from` to `to` (created new, mode 0600 when `private`) and returns its SHA-256 and size.
fn copy_hashed(from: &Path, to: &Path, private: bool) -> Result<(String, u64), BackupError> {
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    let mut input = File::open(from).map_err(io(from))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut output = options.open(to).map_err(io(to))?;
    let (sha256, size) = hash_through(&mut input, Some(&mut output), from)?;
    output.sync_all().map_err(io(to))?;
    Ok((sha256, size))
}

/// Reads `input` to its end (writing it to `output` when given); its SHA-256 and size.
fn hash_through(
    input: &mut dyn Read,
    mut output: Option<&mut File>,
    path: &Path,
) -> Result<(String, u64), BackupError> {
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let n = input.read(&mut buffer).map_err(io(path))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        size += n as u64;
        if let Some(out) = output.as_deref_mut() {
            out.write_all(&buffer[..n]).map_err(io(path))?;
        }
    }
    Ok((hex::encode(hasher.finalize()), size))
}

fn hash_file(path: &Path) -> Result<(String, u64), BackupError> {
    let mut file = File::open(path).map_err(io(path))?;
    hash_through(&mut file, None, path)
}

fn store_error(err: StorageError) -> BackupError {
    BackupError::Refused(format!("file store: {err}"))
}

fn db_error(err: impl std::fmt::Display) -> BackupError {
    BackupError::Db(err.to_string())
}

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

    // 1. The database snapshot.
    let (backend, database_file, mut needed) = match &config.database {
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
            let needed = referenced(&mut conn)?;
            ("postgres", PG_FILE, needed)
        }
    };
    drop(conn);
    let database_path = out.join(database_file);
    let (sha256, size) = hash_file(&database_path)?;
    let database = Entry {
        path: database_file.to_owned(),
        sha256,
        size,
    };

    // 2. Every stored object, checked against its own name while it is copied.
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

    // 3. The secrets kept in the data dir.
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

    let manifest = Manifest {
        format: FORMAT.to_owned(),
        attest_version: env!("CARGO_PKG_VERSION").to_owned(),
        created_at,
        backend: backend.to_owned(),
        database,
        migrations,
        secrets,
        files: entries,
    };
    let manifest_path = out.join(MANIFEST);
    let text = serde_json::to_vec_pretty(&manifest).map_err(|e| BackupError::Db(e.to_string()))?;
    let mut file = File::create(&manifest_path).map_err(io(&manifest_path))?;
    file.write_all(&text).map_err(io(&manifest_path))?;
    file.sync_all().map_err(io(&manifest_path))?;
    Ok(manifest)
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
    Ok(manifest)
}

/// Where a backup's database file sits (for documentation and tests).
pub fn database_file(manifest: &Manifest, dir: &Path) -> PathBuf {
    dir.join(&manifest.database.path)
}
