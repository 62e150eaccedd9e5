//! Bringing a process up: the data folder, the database (migrated where that is automatic), the
//! session-token secret. Shared by `serve`, the CLI commands and the tests.

use std::io::Write;
use std::path::Path;

use crate::catalogue::{self, Catalogue, CatalogueError};
use crate::config::Config;
use crate::db::{Backend, Database, DbError};
use crate::keys::{KeyError, KeyRing};

/// Why the process could not be brought up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The database URL points somewhere unusable.
    #[error("ATTEST_DATABASE_URL: {0}")]
    Database(DbError),
    /// Migrations failed.
    #[error("{0}")]
    Migration(DbError),
    /// The standards did not load, or changed where enrolments pin them.
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    /// A standard an organisation published no longer loads.
    #[error(transparent)]
    Published(#[from] crate::org_catalogue::LoadPublishedError),
    /// The operator's signing key file is unusable.
    #[error(transparent)]
    Keys(KeyError),
    /// The data folder or secret file could not be written.
    #[error("ATTEST_DATA_DIR: {path}: {source}")]
    DataDir {
        /// The path at fault.
        path: String,
        /// What the file system said.
        source: std::io::Error,
    },
}

impl SetupError {
    /// Whether the fault is in a configuration value (exit code 2) rather than at run time.
    pub fn is_configuration(&self) -> bool {
        matches!(
            self,
            Self::Database(_) | Self::DataDir { .. } | Self::Catalogue(_) | Self::Keys(_)
        )
    }
}

/// Opens the database; SQLite is migrated on the spot, PostgreSQL only by `attest migrate` (several
/// instances may share it, so one deliberate step applies schema changes).
pub fn open_database(config: &Config, migrate_sqlite: bool) -> Result<Database, SetupError> {
    std::fs::create_dir_all(&config.data_dir).map_err(|source| SetupError::DataDir {
        path: config.data_dir.display().to_string(),
        source,
    })?;
    let db = Database::connect(&config.database).map_err(SetupError::Database)?;
    // A pool builds lazily: prove now that the database answers, with the reason if it does not.
    db.conn().map_err(SetupError::Database)?;
    if migrate_sqlite && db.backend() == Backend::Sqlite {
        let applied = db.migrate().map_err(SetupError::Migration)?;
        if !applied.is_empty() {
            tracing::info!(count = applied.len(), "applied migrations");
        }
    }
    Ok(db)
}

/// Loads the standards and records them in the catalogue table, then adds the versions
/// organisations published into their own catalogues.
pub fn load_catalogue(config: &Config, db: &Database) -> Result<Catalogue, SetupError> {
    let catalogue = Catalogue::load(&config.standards_dir)?;
    let mut conn = db.conn().map_err(SetupError::Migration)?;
    crate::db::write_transaction(&mut conn, |c| catalogue::sync(c, &catalogue))?;
    let published = crate::org_catalogue::load_all(&mut conn, &catalogue)?;
    tracing::info!(
        standards = catalogue.all().len(),
        published,
        "catalogue loaded"
    );
    Ok(catalogue)
}

/// The HS256 secret: from the configuration, else read from (or created in) `DATA_DIR/jwt-secret`
/// with mode 0600, so sessions survive a restart without anyone choosing a secret.
pub fn jwt_secret(config: &Config) -> Result<Vec<u8>, SetupError> {
    kept_secret(
        config.jwt_secret.as_ref(),
        &config.data_dir.join("jwt-secret"),
    )
}

/// The issuer keys: sealed with `ATTEST_KEY_SECRET` (else the secret kept in `DATA_DIR/key-secret`,
/// made on first use like the token secret), and the operator's instance key when one is supplied.
pub fn key_ring(config: &Config) -> Result<KeyRing, SetupError> {
    let secret = kept_secret(
        config.key_secret.as_ref(),
        &config.data_dir.join("key-secret"),
    )?;
    let supplied = match &config.signing_key_file {
        Some(path) => Some(KeyRing::read_key_file(path).map_err(SetupError::Keys)?),
        None => None,
    };
    Ok(KeyRing::new(&secret, supplied, config.keys_per_org))
}

fn kept_secret(configured: Option<&Vec<u8>>, path: &Path) -> Result<Vec<u8>, SetupError> {
    if let Some(secret) = configured {
        return Ok(secret.clone());
    }
    let io_error = |source| SetupError::DataDir {
        path: path.display().to_string(),
        source,
    };
    match std::fs::read(path) {
        Ok(secret) if secret.len() >= 32 => return Ok(secret),
        Ok(_) | Err(_) if path.exists() => {
            return Err(io_error(std::io::Error::other(
                "exists but holds fewer than 32 bytes; delete it to make a new one",
            )));
        }
        _ => {}
    }
    let secret: [u8; 48] = rand::random();
    let encoded = hex::encode(secret).into_bytes();
    write_private(path, &encoded).map_err(io_error)?;
    Ok(encoded)
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_is_made_once_and_kept_private() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::from_lookup(|name| {
            (name == "ATTEST_DATA_DIR").then(|| dir.path().display().to_string())
        })
        .unwrap();
        let first = jwt_secret(&config).unwrap();
        let second = jwt_secret(&config).unwrap();
        assert_eq!(first, second);
        assert!(first.len() >= 32);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("jwt-secret"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
