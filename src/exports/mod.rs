//! Gathers what the export writers in `output::formats` need from the database, and keeps the
//! report-once ledger: results files (`results`, `ledger`), what goes in a portfolio archive
//! (`archive_contents`) and Open Badges (`badges`); `archive_files` writes archives from the file
//! store for the CLI, the API and the pages alike. See `docs/exports.md`.

pub mod actions;
mod archive_contents;
pub mod archive_files;
pub mod badges;
pub mod ledger;
pub mod results;
pub mod scratch;
pub mod subject;

pub use archive_contents::archive_input;

use crate::action::ActionError;
use crate::output::formats::results::ExportError;
use crate::storage::StorageError;

/// Why an export did not complete.
#[derive(Debug, thiserror::Error)]
pub enum ExportFailure {
    /// Refused or failed in the database (bad filter, not found, …).
    #[error(transparent)]
    Action(#[from] ActionError),
    /// The file could not be written, or a row was refused by its writer.
    #[error(transparent)]
    Write(#[from] ExportError),
    /// The batch's kept file could not be stored or read back intact.
    #[error("export file store: {0}")]
    Store(#[from] StorageError),
}

impl From<diesel::result::Error> for ExportFailure {
    fn from(err: diesel::result::Error) -> Self {
        Self::Action(err.into())
    }
}
