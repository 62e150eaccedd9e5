//! Checks an archive against its own manifest: every listed file present with the listed size and
//! SHA-256, nothing unlisted. Reads each entry as a stream; nothing is extracted to disk.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::{self, Read, Seek};

use zip::ZipArchive;
use zip::result::ZipError;

use super::manifest::{FileEntry, ManifestIn};
use super::names::is_sha256;
use super::{ArchiveError, HashingWriter, MANIFEST_FORMAT, MANIFEST_VERSION};

/// The largest manifest read; a portfolio's manifest is far smaller, a zip bomb is not.
const MAX_MANIFEST_BYTES: u64 = 64 * 1024 * 1024;

/// What checking an archive found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ArchiveReport {
    /// Files (the index included) whose content was read and hashed.
    pub files_checked: usize,
    /// Bytes read from them.
    pub bytes_checked: u64,
    /// Everything wrong, in archive order then manifest order; empty when the archive is intact.
    pub problems: Vec<ArchiveProblem>,
}

impl ArchiveReport {
    /// Whether every file matched and nothing was missing or extra.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// One thing wrong with an archive, naming the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArchiveProblem {
    /// A file the manifest lists is not in the archive.
    Missing {
        /// Its path in the archive.
        path: String,
    },
    /// A file in the archive is not listed in the manifest.
    Extra {
        /// Its path in the archive.
        path: String,
    },
    /// A path appears twice in the archive.
    Duplicate {
        /// Its path in the archive.
        path: String,
    },
    /// A file's size is not the listed size.
    SizeMismatch {
        /// Its path in the archive.
        path: String,
        /// The size in the manifest.
        expected: u64,
        /// The size read.
        actual: u64,
    },
    /// A file's content does not hash to the listed SHA-256.
    HashMismatch {
        /// Its path in the archive.
        path: String,
        /// The SHA-256 in the manifest.
        expected: String,
        /// The SHA-256 of what was read.
        actual: String,
    },
    /// A file could not be read out of the zip (a damaged entry fails its CRC).
    Unreadable {
        /// Its path in the archive.
        path: String,
        /// What the zip reader said.
        reason: String,
    },
}

impl fmt::Display for ArchiveProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArchiveProblem::Missing { path } => {
                write!(f, "{path}: listed in manifest.json but missing")
            }
            ArchiveProblem::Extra { path } => write!(f, "{path}: not listed in manifest.json"),
            ArchiveProblem::Duplicate { path } => write!(f, "{path}: appears more than once"),
            ArchiveProblem::SizeMismatch {
                path,
                expected,
                actual,
            } => write!(f, "{path}: {actual} bytes, manifest.json says {expected}"),
            ArchiveProblem::HashMismatch {
                path,
                expected,
                actual,
            } => write!(f, "{path}: SHA-256 {actual}, manifest.json says {expected}"),
            ArchiveProblem::Unreadable { path, reason } => {
                write!(f, "{path}: cannot be read ({reason})")
            }
        }
    }
}

/// Checks every file in the archive against `manifest.json`. `Err` means the archive cannot be
/// checked at all (not a zip, no or malformed manifest); problems with files are in the report.
pub fn verify_archive(reader: impl Read + Seek) -> Result<ArchiveReport, ArchiveError> {
    let mut zip = ZipArchive::new(reader).map_err(|e| ArchiveError::NotZip(e.to_string()))?;
    let manifest = read_manifest(&mut zip)?;
    let mut expected: BTreeMap<String, &FileEntry> = BTreeMap::new();
    for entry in manifest.index.iter().chain(&manifest.files) {
        if !is_sha256(&entry.sha256) {
            return Err(ArchiveError::BadManifest(format!(
                "{} has SHA-256 `{}`, not 64 lowercase hex digits",
                entry.path, entry.sha256
            )));
        }
        if expected.insert(entry.path.clone(), entry).is_some() {
            return Err(ArchiveError::BadManifest(format!(
                "{} is listed twice",
                entry.path
            )));
        }
    }

    let mut report = ArchiveReport::default();
    let mut seen = BTreeSet::new();
    for position in 0..zip.len() {
        let path = zip
            .name_for_index(position)
            .map_or_else(|| format!("entry {position}"), str::to_owned);
        let mut file = match zip.by_index(position) {
            Ok(file) => file,
            Err(error) => {
                report.problems.push(ArchiveProblem::Unreadable {
                    path,
                    reason: error.to_string(),
                });
                continue;
            }
        };
        if file.is_dir() || (path == "manifest.json" && !seen.contains(&path)) {
            seen.insert(path);
            continue;
        }
        if !seen.insert(path.clone()) {
            report.problems.push(ArchiveProblem::Duplicate { path });
            continue;
        }
        let Some(entry) = expected.get(&path) else {
            report.problems.push(ArchiveProblem::Extra { path });
            continue;
        };
        let mut hashing = HashingWriter::new(io::sink());
        if let Err(error) = io::copy(&mut file, &mut hashing) {
            report.problems.push(ArchiveProblem::Unreadable {
                path,
                reason: error.to_string(),
            });
            continue;
        }
        let (sha256, size) = hashing.finish();
        report.files_checked += 1;
        report.bytes_checked += size;
        if size != entry.size {
            report.problems.push(ArchiveProblem::SizeMismatch {
                path: path.clone(),
                expected: entry.size,
                actual: size,
            });
        }
        if sha256 != entry.sha256 {
            report.problems.push(ArchiveProblem::HashMismatch {
                path,
                expected: entry.sha256.clone(),
                actual: sha256,
            });
        }
    }
    for path in expected.keys() {
        if !seen.contains(path) {
            report
                .problems
                .push(ArchiveProblem::Missing { path: path.clone() });
        }
    }
    Ok(report)
}

fn read_manifest<R: Read + Seek>(zip: &mut ZipArchive<R>) -> Result<ManifestIn, ArchiveError> {
    let file = match zip.by_name("manifest.json") {
        Ok(file) => file,
        Err(ZipError::FileNotFound) => return Err(ArchiveError::NoManifest),
        Err(error) => return Err(ArchiveError::BadManifest(error.to_string())),
    };
    let mut bytes = Vec::new();
    file.take(MAX_MANIFEST_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ArchiveError::BadManifest(e.to_string()))?;
    if bytes.len() as u64 > MAX_MANIFEST_BYTES {
        return Err(ArchiveError::BadManifest(format!(
            "larger than {MAX_MANIFEST_BYTES} bytes"
        )));
    }
    let manifest: ManifestIn =
        serde_json::from_slice(&bytes).map_err(|e| ArchiveError::BadManifest(e.to_string()))?;
    if manifest.format != MANIFEST_FORMAT {
        return Err(ArchiveError::BadManifest(format!(
            "format is `{}`, not `{MANIFEST_FORMAT}`",
            manifest.format
        )));
    }
    if manifest.format_version != MANIFEST_VERSION {
        return Err(ArchiveError::BadManifest(format!(
            "format_version {} is not supported (this Attest reads {MANIFEST_VERSION})",
            manifest.format_version
        )));
    }
    Ok(manifest)
}
