//! Migrations embedded in the binary, one folder per backend with the same names.

use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::{DbConnection, DbError};

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Whether the schema is current.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    /// Migrations embedded in this binary that the database has not applied.
    pub pending: Vec<String>,
}

impl MigrationStatus {
    /// True when nothing is pending.
    pub fn is_current(&self) -> bool {
        self.pending.is_empty()
    }
}

fn migration_error(err: impl std::fmt::Display) -> DbError {
    DbError::Migration(err.to_string())
}

pub(super) fn run_pending(conn: &mut DbConnection) -> Result<Vec<String>, DbError> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE).map_err(migration_error)?,
        DbConnection::Postgresql(c) => c
            .run_pending_migrations(POSTGRES)
            .map_err(migration_error)?,
    };
    Ok(applied.iter().map(ToString::to_string).collect())
}

pub(super) fn status(conn: &mut DbConnection) -> Result<MigrationStatus, DbError> {
    let pending = match conn {
        DbConnection::Sqlite(c) => names(c.pending_migrations(SQLITE).map_err(migration_error)?),
        DbConnection::Postgresql(c) => {
            names(c.pending_migrations(POSTGRES).map_err(migration_error)?)
        }
    };
    Ok(MigrationStatus { pending })
}

fn names<DB: diesel::backend::Backend>(
    migrations: Vec<Box<dyn diesel::migration::Migration<DB>>>,
) -> Vec<String> {
    migrations.iter().map(|m| m.name().to_string()).collect()
}

pub(super) fn applied(conn: &mut DbConnection) -> Result<Vec<String>, DbError> {
    let versions = match conn {
        DbConnection::Sqlite(c) => c.applied_migrations().map_err(migration_error)?,
        DbConnection::Postgresql(c) => c.applied_migrations().map_err(migration_error)?,
    };
    let mut all: Vec<String> = versions.iter().map(ToString::to_string).collect();
    all.sort();
    Ok(all)
}
