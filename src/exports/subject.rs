//! The subject-access export: everything held about one person, in a folder — `account.json`
//! (account, roles, enrolments, the audit entries about them or by them) and one portfolio
//! archive per enrolment (each checks with `attest verify-archive`).

use std::path::Path;

use chrono::Utc;

use super::archives::{enrolment_archive, write_enrolment_archive};
use crate::action::ActionError;
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::output::pdf::FontSet;
use crate::storage::BlobStore;

/// Why the export could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SubjectError {
    /// Reading the records failed.
    #[error(transparent)]
    Action(#[from] ActionError),
    /// Writing failed.
    #[error("{0}")]
    Write(String),
}

/// Writes the person's export into `out` (created; must not hold files); returns how many
/// portfolio archives it holds.
pub fn write(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    fonts: &FontSet,
    store: &dyn BlobStore,
    user_id: &str,
    out: &Path,
) -> Result<usize, SubjectError> {
    let fail = |e: &dyn std::fmt::Display| SubjectError::Write(format!("{}: {e}", out.display()));
    if std::fs::read_dir(out).is_ok_and(|mut d| d.next().is_some()) {
        return Err(SubjectError::Write(format!(
            "{} is not empty",
            out.display()
        )));
    }
    std::fs::create_dir_all(out).map_err(|e| fail(&e))?;
    let account = crate::privacy::account_data(conn, user_id)?;
    let text = serde_json::to_vec_pretty(&account).map_err(|e| fail(&e))?;
    std::fs::write(out.join("account.json"), text).map_err(|e| fail(&e))?;
    let enrolments = crate::privacy::enrolments_of(conn, user_id)?;
    for id in &enrolments {
        let archive = enrolment_archive(conn, catalogue, fonts, id, Utc::now())?;
        let path = out.join(&archive.file_name);
        let file = std::fs::File::create(&path).map_err(|e| fail(&e))?;
        write_enrolment_archive(&archive.input, store, file).map_err(|e| fail(&e))?;
    }
    Ok(enrolments.len())
}
