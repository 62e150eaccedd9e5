//! Writing portfolio archives, shared by the command line and the API: which archives an
//! enrolment or a cohort gives (with their file names), writing one archive from the blob store,
//! and a cohort's archives packed into one zip.

use std::io::{Read, Seek, Write};
use std::path::Path;

use chrono::{DateTime, Utc};

use super::archive_input;
use super::scratch::ScratchFile;
use crate::action::ActionError;
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::{CohortId, EnrolmentId};
use crate::output::formats::archive::{ArchiveError, ArchiveInput, write_archive};
use crate::output::pdf::FontSet;
use crate::portfolio::cohorts;
use crate::storage::BlobStore;

/// One enrolment's archive input, with the file name it is offered under.
#[derive(Debug, Clone)]
pub struct NamedArchive {
    /// `<candidate>-<standard code>-v<version>-<enrolment id prefix>.zip`, safe anywhere.
    pub file_name: String,
    /// Everything the archive holds except the file bytes.
    pub input: ArchiveInput,
}

/// The archive of one enrolment (see [`archive_input`]), named after the candidate and standard.
pub fn enrolment_archive(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    fonts: &FontSet,
    enrolment_id: EnrolmentId,
    now: DateTime<Utc>,
) -> Result<NamedArchive, ActionError> {
    let input = archive_input(conn, catalogue, fonts, enrolment_id, now)?;
    Ok(NamedArchive {
        file_name: archive_file_name(&input, enrolment_id),
        input,
    })
}

/// The archives of every enrolment of a cohort, oldest enrolment first.
pub fn cohort_archives(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    fonts: &FontSet,
    cohort_id: CohortId,
    now: DateTime<Utc>,
) -> Result<Vec<NamedArchive>, ActionError> {
    cohorts::cohort_enrolments(conn, cohort_id)?
        .iter()
        .map(|enrolment| enrolment_archive(conn, catalogue, fonts, enrolment.id, now))
        .collect()
}

/// The file name of an enrolment's archive. The enrolment id prefix keeps two enrolments of one
/// candidate on one standard apart.
fn archive_file_name(input: &ArchiveInput, enrolment_id: EnrolmentId) -> String {
    format!(
        "{}-{}-v{}-{}.zip",
        file_safe(&input.candidate.name),
        file_safe(&input.standard.code),
        input.standard.version,
        enrolment_id.to_string().get(..8).unwrap_or_default()
    )
}

/// The file name of a cohort's zip of archives.
pub fn cohort_zip_name(cohort_name: &str) -> String {
    format!("cohort-{}-portfolios.zip", file_safe(cohort_name))
}

/// Letters, digits, `-` and `_` only, so a name is safe as part of a file name anywhere.
pub fn file_safe(text: &str) -> String {
    let safe: String = text
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(60)
        .collect();
    if safe.is_empty() { "_".into() } else { safe }
}

/// Writes the archive of `input` to `out`, reading every evidence file from `store`.
pub fn write_enrolment_archive<W: Write + Seek>(
    input: &ArchiveInput,
    store: &dyn BlobStore,
    out: W,
) -> Result<W, ArchiveError> {
    write_archive(
        input,
        |f| store.open(&f.sha256).map_err(std::io::Error::other),
        out,
    )
}

/// Writes one zip holding each archive of `archives` as an entry named by its file name. Each
/// archive is built in a scratch file in `scratch_dir` (the zip writer needs to seek) and copied in
/// *stored*: it is compressed already, and deflating it again costs time for nothing. Every
/// inner archive checks with `verify_archive` on its own.
pub fn write_cohort_zip<W: Write + Seek>(
    archives: &[NamedArchive],
    store: &dyn BlobStore,
    scratch_dir: &Path,
    out: W,
) -> Result<W, ArchiveError> {
    let mut zip = zip::ZipWriter::new(out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        // Inner archives of big portfolios can pass 4 GiB; the flag costs 20 bytes per entry.
        .large_file(true);
    for archive in archives {
        let scratch = ScratchFile::create(scratch_dir)?;
        write_enrolment_archive(&archive.input, store, scratch.file())?;
        let mut inner = scratch.file();
        inner.rewind()?;
        zip.start_file(archive.file_name.as_str(), options)?;
        std::io::copy(&mut inner, &mut zip)?;
    }
    Ok(zip.finish()?)
}

/// SHA-256 (hex) and size of everything `reader` gives, read in 64 KiB pieces.
pub fn sha256_of(mut reader: impl Read) -> std::io::Result<(String, u64)> {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    let mut buffer = vec![0; 64 * 1024];
    let mut size = 0;
    loop {
        let read = reader.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        size += read as u64;
    }
    Ok((hex::encode(hasher.finalize()), size))
}
