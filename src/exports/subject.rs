//! The subject-access export: everything held about one person, in a folder — `account.json`
//! (account, roles, enrolments, the audit entries about them or by them) and one portfolio
//! archive per enrolment (each checks with `attest verify-archive`); or the same as one zip, for
//! the API.

use std::io::{Seek, Write};
use std::path::Path;

use chrono::Utc;

use super::archive_files::{NamedArchive, enrolment_archive, write_enrolment_archive};
use super::scratch::ScratchFile;
use crate::action::ActionError;
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::UserId;
use crate::output::formats::archive::ArchiveError;
use crate::output::pdf::FontSet;
use crate::privacy::SubjectScope;
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
    user_id: UserId,
    out: &Path,
) -> Result<usize, SubjectError> {
    refuse_full(out)?;
    let export = gather(conn, catalogue, fonts, user_id, &SubjectScope::All)?;
    write_folder(&export, store, out)
}

/// A folder that holds files is not written into (an export is never mixed with other files).
fn refuse_full(out: &Path) -> Result<(), SubjectError> {
    if std::fs::read_dir(out).is_ok_and(|mut d| d.next().is_some()) {
        return Err(SubjectError::Write(format!(
            "{} is not empty",
            out.display()
        )));
    }
    Ok(())
}

/// Writes a gathered export into `out` (created; must not hold files): `account.json` and one
/// portfolio archive per enrolment; returns how many archives it holds.
pub fn write_folder(
    export: &SubjectExport,
    store: &dyn BlobStore,
    out: &Path,
) -> Result<usize, SubjectError> {
    let fail = |e: &dyn std::fmt::Display| SubjectError::Write(format!("{}: {e}", out.display()));
    refuse_full(out)?;
    std::fs::create_dir_all(out).map_err(|e| fail(&e))?;
    let text = serde_json::to_vec_pretty(&export.account).map_err(|e| fail(&e))?;
    std::fs::write(out.join("account.json"), text).map_err(|e| fail(&e))?;
    for archive in &export.archives {
        let path = out.join(&archive.file_name);
        let file = std::fs::File::create(&path).map_err(|e| fail(&e))?;
        write_enrolment_archive(&archive.input, store, file).map_err(|e| fail(&e))?;
    }
    Ok(export.archives.len())
}

/// What a subject-access zip holds, read from the database: the account data and the portfolio
/// archives' inputs (the file bytes are read from the store while the zip is written).
#[derive(Debug, Clone)]
pub struct SubjectExport {
    /// `account.json`.
    pub account: serde_json::Value,
    /// One archive per enrolment in scope.
    pub archives: Vec<NamedArchive>,
    /// The zip's file name.
    pub file_name: String,
}

/// Reads what the person's export in `scope` holds.
pub fn gather(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    fonts: &FontSet,
    user_id: UserId,
    scope: &SubjectScope,
) -> Result<SubjectExport, ActionError> {
    let account = crate::privacy::account_data(conn, user_id, scope)?;
    let archives = crate::privacy::enrolments_of(conn, user_id, scope)?
        .into_iter()
        .map(|id| enrolment_archive(conn, catalogue, fonts, id, Utc::now()))
        .collect::<Result<Vec<_>, _>>()?;
    let name = account["account"]["name"].as_str().unwrap_or("person");
    Ok(SubjectExport {
        file_name: format!(
            "subject-access-{}-{}.zip",
            super::archive_files::file_safe(name),
            Utc::now().format("%Y-%m-%d")
        ),
        account,
        archives,
    })
}

/// Writes the export as one zip: `account.json` and each portfolio archive as an entry (stored:
/// it is compressed already), each built in a scratch file in `scratch_dir`.
pub fn write_zip<W: Write + Seek>(
    export: &SubjectExport,
    store: &dyn BlobStore,
    scratch_dir: &Path,
    out: W,
) -> Result<W, ArchiveError> {
    let mut zip = zip::ZipWriter::new(out);
    let json = serde_json::to_vec_pretty(&export.account).map_err(std::io::Error::other)?;
    zip.start_file(
        "account.json",
        zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated),
    )?;
    zip.write_all(&json)?;
    let stored = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(true);
    for archive in &export.archives {
        let scratch = ScratchFile::create(scratch_dir)?;
        write_enrolment_archive(&archive.input, store, scratch.file())?;
        let mut inner = scratch.file();
        inner.rewind()?;
        zip.start_file(archive.file_name.as_str(), stored)?;
        std::io::copy(&mut inner, &mut zip)?;
    }
    Ok(zip.finish()?)
}
