//! What can go wrong making an archive, or reading one.

use std::io;

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
