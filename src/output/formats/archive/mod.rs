//! The portfolio archive: a zip holding `index.html` (for people), `manifest.json` (for machines:
//! standard version, mapping, judgements, sign-offs, and the SHA-256 and size of every file) and
//! every evidence file under `files/<sha256>-<name>`. The candidate's own copy of their data and the
//! external verifier's pack. Files are streamed from their readers, never held whole in memory.

mod index;
mod manifest;
mod names;
mod verify;

use std::io::{self, Read, Seek, Write};

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

pub use manifest::{FileEntry, Judgement, MANIFEST_FORMAT, MANIFEST_VERSION};
pub use names::{archive_path, sanitise};
pub use verify::{ArchiveProblem, ArchiveReport, verify_archive};

use super::results::{LearnerNumber, UnitLevel, level_scheme_name};
use manifest::{CandidateOut, ManifestOut};

/// Everything one candidate's archive holds, as plain data.
#[derive(Clone, Debug)]
pub struct ArchiveInput {
    /// When the archive is made (shown in the index, used as the zip entries' time).
    pub generated_at: DateTime<Utc>,
    /// Whose portfolio it is.
    pub candidate: ArchiveCandidate,
    /// The standard version the portfolio is assessed against.
    pub standard: ArchiveStandard,
    /// The standard's outcomes and criteria, for the index.
    pub outcomes: Vec<ArchiveOutcome>,
    /// The evidence records as stored (`rules::portfolio::Evidence` as JSON): the mapping to
    /// criteria and knowledge with each judgement and its feedback.
    pub evidence: Vec<Value>,
    /// The sign-offs as stored (assessor, candidate, IV declarations), each a JSON object.
    pub sign_offs: Vec<Value>,
    /// The questions sent to the candidate (`portfolio::question_sets::QuestionRequest` as JSON):
    /// each question as sent, the answer (typed text, or a recording listed in `files`), its mark
    /// and the assessor's comment.
    pub questions: Vec<Value>,
    /// The evidence files (and the recordings given as answers).
    pub files: Vec<ArchiveFile>,
    /// Small documents made for the archive (the statement PDF, its signed badge, the issuer's
    /// public keys), kept whole: each is listed and checked like an evidence file.
    pub documents: Vec<ArchiveDocument>,
    /// The signed audit checkpoint latest when the archive was made, written into the manifest.
    pub audit_checkpoint: Option<String>,
}

/// A document the archive holds besides the evidence files.
#[derive(Clone, Debug)]
pub struct ArchiveDocument {
    /// Its path in the zip, e.g. `credentials/statement-ABCD-EFGH-JKMN.pdf`.
    pub path: String,
    /// Its media type.
    pub media_type: String,
    /// Its content.
    pub bytes: Vec<u8>,
}

/// The candidate.
#[derive(Clone, Debug)]
pub struct ArchiveCandidate {
    /// Attest's id for the candidate.
    pub id: String,
    /// The candidate's name.
    pub name: String,
    /// The national learner number, where recorded.
    pub learner_number: Option<LearnerNumber>,
}

/// The standard version.
#[derive(Clone, Debug, Serialize)]
pub struct ArchiveStandard {
    /// e.g. `NZQA`.
    pub framework: String,
    /// e.g. `28268`.
    pub code: String,
    /// The version assessed against.
    pub version: u32,
    /// The title.
    pub title: String,
    /// The level, where the standard has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<UnitLevel>,
    /// The credit value, where the standard has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credits: Option<f64>,
    /// The hash of the standard version's content, as the catalogue records it.
    pub content_hash: String,
}

/// One outcome of the standard.
#[derive(Clone, Debug, Serialize)]
pub struct ArchiveOutcome {
    /// e.g. `1`.
    pub reference: String,
    /// The outcome's text.
    pub title: String,
    /// Its performance criteria.
    pub criteria: Vec<ArchiveCriterion>,
}

/// One performance criterion.
#[derive(Clone, Debug, Serialize)]
pub struct ArchiveCriterion {
    /// e.g. `1.2`, as evidence records name it.
    pub reference: String,
    /// The criterion's text.
    pub text: String,
}

/// One evidence file: what it was called and what its content must hash to.
#[derive(Clone, Debug)]
pub struct ArchiveFile {
    /// The name it was uploaded with.
    pub name: String,
    /// SHA-256 of its content, 64 lowercase hex digits (the content-addressed store's key).
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// The evidence record it belongs to.
    pub evidence_id: Option<String>,
    /// Its media type, where known.
    pub media_type: Option<String>,
}

/// An error while making an archive, or one that cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// The input contradicts itself (a malformed SHA-256, one content with two sizes).
    #[error("archive input: {0}")]
    InvalidInput(String),
    /// An evidence file could not be opened.
    #[error("could not open evidence file {name} ({sha256}): {source}")]
    Open {
        /// The file's original name.
        name: String,
        /// Its SHA-256.
        sha256: String,
        /// What went wrong.
        source: io::Error,
    },
    /// An evidence file's content is not what its record says; the archive is incomplete.
    #[error(
        "evidence file {name} does not match its record: expected {expected_size} bytes with \
         SHA-256 {expected_sha256}, read {actual_size} bytes with SHA-256 {actual_sha256}"
    )]
    SourceMismatch {
        /// The file's original name.
        name: String,
        /// The SHA-256 on record.
        expected_sha256: String,
        /// The SHA-256 of what was read.
        actual_sha256: String,
        /// The size on record.
        expected_size: u64,
        /// The size of what was read.
        actual_size: u64,
    },
    /// The file is not a zip archive, or its directory is damaged.
    #[error("not a readable zip archive: {0}")]
    NotZip(String),
    /// The archive has no `manifest.json`.
    #[error("the archive has no manifest.json")]
    NoManifest,
    /// `manifest.json` is not an Attest manifest this version can read.
    #[error("manifest.json is not valid: {0}")]
    BadManifest(String),
    /// Writing or reading failed.
    #[error("archive I/O failed: {0}")]
    Io(#[from] io::Error),
    /// The zip writer failed.
    #[error("zip error: {0}")]
    Zip(String),
}

impl From<zip::result::ZipError> for ArchiveError {
    fn from(error: zip::result::ZipError) -> Self {
        match error {
            zip::result::ZipError::Io(io) => ArchiveError::Io(io),
            other => ArchiveError::Zip(other.to_string()),
        }
    }
}

/// Writes the archive of `input` to `out` and hands `out` back. `open` opens a file's content by
/// its record (e.g. `|f| store.open(&f.sha256)`); each file is streamed into the zip while it is
/// hashed, and a file whose content does not match its SHA-256 and size fails the archive with
/// [`ArchiveError::SourceMismatch`] (the partial output must then be discarded).
pub fn write_archive<W, F, R>(input: &ArchiveInput, mut open: F, out: W) -> Result<W, ArchiveError>
where
    W: Write + Seek,
    F: FnMut(&ArchiveFile) -> io::Result<R>,
    R: Read,
{
    let planned = plan_files(&input.files)?;
    let mut entries: Vec<FileEntry> = planned.iter().map(|p| p.entry.clone()).collect();
    entries.extend(input.documents.iter().map(|d| FileEntry {
        path: d.path.clone(),
        name: d.path.rsplit('/').next().unwrap_or_default().to_owned(),
        evidence: Vec::new(),
        media_type: Some(d.media_type.clone()),
        sha256: hex::encode(Sha256::digest(&d.bytes)),
        size: d.bytes.len() as u64,
    }));
    let judgements = manifest::judgements(&input.evidence);
    let modified = zip_time(input.generated_at);
    let mut zip = ZipWriter::new(out);

    zip.start_file("index.html", entry_options(modified, "index.html", 0))?;
    let mut index_out = HashingWriter::new(&mut zip);
    index::write_index(&mut index_out, input, &entries, &judgements)?;
    let (index_sha256, index_size) = index_out.finish();

    let manifest = ManifestOut {
        format: MANIFEST_FORMAT,
        format_version: MANIFEST_VERSION,
        generated_at: input.generated_at,
        candidate: CandidateOut::of(input),
        standard: &input.standard,
        outcomes: &input.outcomes,
        evidence: &input.evidence,
        judgements: &judgements,
        sign_offs: &input.sign_offs,
        questions: &input.questions,
        index: FileEntry {
            path: "index.html".into(),
            name: String::new(),
            evidence: Vec::new(),
            media_type: Some("text/html".into()),
            sha256: index_sha256,
            size: index_size,
        },
        files: entries,
        audit_checkpoint: input.audit_checkpoint.as_deref(),
    };
    zip.start_file("manifest.json", entry_options(modified, "manifest.json", 0))?;
    serde_json::to_writer_pretty(&mut zip, &manifest).map_err(io::Error::from)?;

    for plan in &planned {
        let file = plan.file;
        zip.start_file(
            plan.entry.path.as_str(),
            entry_options(modified, &plan.entry.path, file.size),
        )?;
        let reader = open(file).map_err(|source| ArchiveError::Open {
            name: file.name.clone(),
            sha256: file.sha256.clone(),
            source,
        })?;
        copy_checked(reader, &mut zip, file)?;
    }
    for document in &input.documents {
        zip.start_file(
            document.path.as_str(),
            entry_options(modified, &document.path, document.bytes.len() as u64),
        )?;
        zip.write_all(&document.bytes)?;
    }
    Ok(zip.finish()?)
}

/// A file to add, with its manifest entry. Files with the same content and the same name are
/// added once; the entry lists every evidence record they belong to.
struct Planned<'a> {
    file: &'a ArchiveFile,
    entry: FileEntry,
}

fn plan_files(files: &[ArchiveFile]) -> Result<Vec<Planned<'_>>, ArchiveError> {
    let mut planned: Vec<Planned<'_>> = Vec::with_capacity(files.len());
    for file in files {
        if !names::is_sha256(&file.sha256) {
            return Err(ArchiveError::InvalidInput(format!(
                "file {} has SHA-256 `{}`, not 64 lowercase hex digits",
                file.name, file.sha256
            )));
        }
        let path = archive_path(&file.sha256, &file.name);
        if let Some(same) = planned.iter_mut().find(|p| p.entry.path == path) {
            if same.file.size != file.size {
                return Err(ArchiveError::InvalidInput(format!(
                    "content {} is recorded with two sizes ({} and {} bytes)",
                    file.sha256, same.file.size, file.size
                )));
            }
            same.entry.evidence.extend(file.evidence_id.clone());
            continue;
        }
        planned.push(Planned {
            file,
            entry: FileEntry {
                path,
                name: file.name.clone(),
                evidence: file.evidence_id.iter().cloned().collect(),
                media_type: file.media_type.clone(),
                sha256: file.sha256.clone(),
                size: file.size,
            },
        });
    }
    Ok(planned)
}

/// Extensions of formats that are compressed already: stored as they are, not deflated again.
const STORED_EXTENSIONS: &[&str] = &[
    "jpg", "jpeg", "png", "gif", "webp", "heic", "mp4", "m4v", "mov", "webm", "mp3", "m4a", "aac",
    "ogg", "opus", "zip", "gz", "7z", "docx", "xlsx", "pptx", "odt", "ods", "odp",
];

fn entry_options(modified: zip::DateTime, path: &str, size: u64) -> SimpleFileOptions {
    let extension = path
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    let (method, level) = if STORED_EXTENSIONS.contains(&extension.as_str()) {
        (CompressionMethod::Stored, None)
    } else {
        // The fastest level: evidence archives are made on demand, and the large files (photos,
        // video) are stored anyway, so a smaller zip is not worth several times the time.
        (CompressionMethod::Deflated, Some(1))
    };
    SimpleFileOptions::default()
        .compression_method(method)
        .compression_level(level)
        .last_modified_time(modified)
        .unix_permissions(0o644)
        .large_file(size >= u64::from(u32::MAX))
}

/// The zip entries' time: `at` where the zip format can hold it (1980–2107).
fn zip_time(at: DateTime<Utc>) -> zip::DateTime {
    let part = |n: u32| u8::try_from(n).unwrap_or(0);
    u16::try_from(at.year())
        .ok()
        .and_then(|year| {
            zip::DateTime::from_date_and_time(
                year,
                part(at.month()),
                part(at.day()),
                part(at.hour()),
                part(at.minute()),
                part(at.second()),
            )
            .ok()
        })
        .unwrap_or_default()
}

/// Copies `reader` into `out` piece by piece, hashing as it goes, then checks size and hash.
fn copy_checked(
    mut reader: impl Read,
    out: &mut impl Write,
    file: &ArchiveFile,
) -> Result<(), ArchiveError> {
    let mut hashing = HashingWriter::new(out);
    io::copy(&mut reader, &mut hashing)?;
    let (sha256, size) = hashing.finish();
    if sha256 != file.sha256 || size != file.size {
        return Err(ArchiveError::SourceMismatch {
            name: file.name.clone(),
            expected_sha256: file.sha256.clone(),
            actual_sha256: sha256,
            expected_size: file.size,
            actual_size: size,
        });
    }
    Ok(())
}

/// Passes bytes on while counting and hashing them.
pub(super) struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    size: u64,
}

impl<W> HashingWriter<W> {
    pub(super) fn new(inner: W) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
            size: 0,
        }
    }

    /// The SHA-256 (lowercase hex) and size of everything written.
    pub(super) fn finish(self) -> (String, u64) {
        (hex::encode(self.hasher.finalize()), self.size)
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.hasher.update(&buf[..written]);
        self.size += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A level for people, e.g. `NZQF level 3`.
fn level_text(level: &UnitLevel) -> String {
    format!("{} level {}", level_scheme_name(level.scheme), level.value)
}
