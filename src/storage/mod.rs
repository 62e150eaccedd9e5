//! Evidence files: received to a temporary file while hashing (never whole in memory), checked by
//! content against an allowlist, fsynced, then moved into a content-addressed store. The store sits
//! behind [`BlobStore`]: a local folder ([`LocalStore`], the default) or an S3-compatible object
//! store ([`s3::S3Store`], `ATTEST_FILES_URL=s3://…`). Uploads are always staged in the local
//! folder `DATA_DIR/files/tmp` first.

mod content_type;
mod local;
pub mod migrate;
mod receiving;
pub mod s3;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use content_type::detect;
pub use local::{FoundFile, LocalStore};
pub use receiving::{Received, Receiving};

/// Storage failures and refusals of what was sent.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The upload is larger than allowed.
    #[error("the file is larger than the {limit_mb} MB limit")]
    TooLarge {
        /// The limit in MB.
        limit_mb: u64,
    },
    /// The upload is empty.
    #[error("the file is empty")]
    Empty,
    /// The content is not an accepted type.
    #[error(
        "{0} files are not accepted: send PDF, an image, audio, video, an office document or plain text"
    )]
    Refused(String),
    /// A stored file no longer matches its hash.
    #[error("stored file {0} does not match its hash")]
    Corrupt(String),
    /// Not in the store.
    #[error("no stored file {0}")]
    Missing(String),
    /// The file system failed.
    #[error("file store: {0}")]
    Io(#[from] std::io::Error),
    /// The object store failed or refused.
    #[error("object store: {0}")]
    Remote(String),
}

/// Where finished files live, by SHA-256.
pub trait BlobStore: Send + Sync {
    /// Moves a complete, fsynced temporary file into the store under `sha256`. Storing content that
    /// is already there keeps one copy.
    fn put(&self, temp: &Path, sha256: &str) -> Result<(), StorageError>;
    /// Opens stored content for reading.
    fn open(&self, sha256: &str) -> Result<Box<dyn Read + Send>, StorageError>;
    /// Whether the store holds content with this hash (not checked against it).
    fn contains(&self, sha256: &str) -> Result<bool, StorageError>;
    /// Every object in the store (names that are not a hash are left out: not ours).
    fn objects(&self) -> Result<Vec<FoundFile>, StorageError>;
    /// Removes content; content that is not there is no error.
    fn remove(&self, sha256: &str) -> Result<(), StorageError>;
    /// Where the store is, for messages (a folder or an `s3://` URL).
    fn location(&self) -> String;
}

/// Whether `sha256` is a SHA-256 in lower-case hex (the only names the stores use).
pub fn valid_hash(sha256: &str) -> bool {
    sha256.len() == 64
        && sha256
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
}

/// Where uploads and scratch files are staged: `DATA_DIR/files/tmp`, whatever the store.
pub fn staging_dir(config: &crate::config::Config) -> PathBuf {
    config.data_dir.join("files").join("tmp")
}

/// The store the configuration names: `ATTEST_FILES_URL`, else the folder `DATA_DIR/files`. A
/// starting server (`starting`) removes staging files a crash left; commands leave them alone (a
/// server may be receiving into the folder). An object store is asked once to prove it answers.
pub fn open_store(
    config: &crate::config::Config,
    starting: bool,
) -> Result<std::sync::Arc<dyn BlobStore>, StorageError> {
    let local = if starting {
        LocalStore::new(config.data_dir.join("files"))?
    } else {
        LocalStore::open(config.data_dir.join("files"))?
    };
    open_at(config.files.as_ref(), local)
}

/// The store at `location` (an object store), or `local` when there is none.
pub fn open_at(
    location: Option<&s3::S3Location>,
    local: LocalStore,
) -> Result<std::sync::Arc<dyn BlobStore>, StorageError> {
    match location {
        None => Ok(std::sync::Arc::new(local)),
        Some(location) => {
            let store = s3::S3Store::new(location)?;
            store.check()?;
            Ok(std::sync::Arc::new(store))
        }
    }
}

/// Reads stored content whole while checking its hash; a mismatch is refused, never served.
pub fn read_verified(store: &dyn BlobStore, sha256: &str) -> Result<Vec<u8>, StorageError> {
    let mut bytes = Vec::new();
    copy_verified(store, sha256, &mut bytes)?;
    Ok(bytes)
}

/// Copies stored content to `out` while checking its hash, and returns its size. On a mismatch
/// what was written must be thrown away (write to a scratch file, not to a response under way).
pub fn copy_verified<W: Write + ?Sized>(
    store: &dyn BlobStore,
    sha256: &str,
    out: &mut W,
) -> Result<u64, StorageError> {
    let mut reader = store.open(sha256)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 64 * 1024];
    let mut size = 0u64;
    loop {
        let read = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        hasher.update(&buffer[..read]);
        out.write_all(&buffer[..read])?;
        size += read as u64;
    }
    if hex::encode(hasher.finalize()) != sha256 {
        return Err(StorageError::Corrupt(sha256.to_owned()));
    }
    Ok(size)
}

/// A file name safe for `Content-Disposition`: no folders, no control or quote characters.
pub fn sanitise_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';' | '\\'))
        .collect::<String>()
        .trim()
        .trim_start_matches('.')
        .chars()
        .take(150)
        .collect();
    if cleaned.is_empty() {
        "evidence".to_owned()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sanitised() {
        assert_eq!(sanitise_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitise_name("C:\\Users\\x\\call \"1\".mp3"), "call 1.mp3");
        assert_eq!(sanitise_name(".."), "evidence");
        assert_eq!(sanitise_name("Zoë's notes.pdf"), "Zoë's notes.pdf");
    }
}
