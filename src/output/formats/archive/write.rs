//! Writing the archive: planning the files, then streaming `index.html`, `manifest.json`, every
//! evidence file (checked against its hash as it goes) and the documents into the zip.

use std::io::{self, Read, Seek, Write};

use chrono::{DateTime, Datelike, Timelike, Utc};
use sha2::{Digest, Sha256};
use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

use super::manifest::{
    self, CandidateOut, FileEntry, MANIFEST_FORMAT, MANIFEST_VERSION, ManifestOut,
};
use super::names::{self, archive_path};
use super::{ArchiveError, ArchiveFile, ArchiveInput, HashingWriter, index};

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
