//! Receiving an upload: into a temporary file while hashing it, then checked and fsynced.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::StorageError;
use super::content_type::detect;

/// An upload being received: a temporary file, its running hash and size, and its first bytes.
#[derive(Debug)]
pub struct Receiving {
    path: PathBuf,
    file: File,
    hasher: Sha256,
    size: u64,
    head: Vec<u8>,
    limit: u64,
}

/// A complete upload, on disk and fsynced, not yet in the store.
#[derive(Debug)]
pub struct Received {
    /// The temporary file.
    pub path: PathBuf,
    /// SHA-256, hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// The type detected from the content.
    pub content_type: String,
}

impl Received {
    /// Removes the temporary file (when the upload is refused after receiving it).
    pub fn discard(self) {}
}

impl Drop for Received {
    /// Once stored, the temporary path no longer exists; otherwise nothing is left behind, even when
    /// the request is dropped half-way (the client went away).
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

const HEAD_BYTES: usize = 8192;

impl Receiving {
    /// Starts receiving into a new temporary file in `dir`.
    pub fn start(dir: &Path, limit: u64) -> Result<Self, StorageError> {
        let path = dir.join(format!("upload-{}", uuid::Uuid::new_v4().simple()));
        let file = File::create(&path)?;
        Ok(Self {
            path,
            file,
            hasher: Sha256::new(),
            size: 0,
            head: Vec::new(),
            limit,
        })
    }

    /// Appends a chunk; refuses past the limit (the temporary file is removed).
    pub fn write(&mut self, chunk: &[u8]) -> Result<(), StorageError> {
        self.size += chunk.len() as u64;
        if self.size > self.limit {
            return Err(StorageError::TooLarge {
                limit_mb: self.limit / (1024 * 1024),
            });
        }
        if self.head.len() < HEAD_BYTES {
            let take = (HEAD_BYTES - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        self.hasher.update(chunk);
        self.file.write_all(chunk)?;
        Ok(())
    }

    /// Ends the upload: checks it is non-empty and of an accepted type, then fsyncs it. On any
    /// refusal the temporary file is removed.
    pub fn finish(self) -> Result<Received, StorageError> {
        if self.size == 0 {
            return Err(StorageError::Empty);
        }
        let content_type = detect(&self.head)?;
        self.seal(content_type)
    }

    /// Ends a file Attest wrote itself (a recorded export), whose type it knows: fsyncs it, with
    /// no check of its content.
    pub fn seal(mut self, content_type: impl Into<String>) -> Result<Received, StorageError> {
        let content_type = content_type.into();
        self.file.sync_all()?;
        let sha256 = hex::encode(std::mem::take(&mut self.hasher).finalize());
        // From here the received file owns the temporary path.
        let path = std::mem::take(&mut self.path);
        Ok(Received {
            path,
            sha256,
            size: self.size,
            content_type,
        })
    }

    /// Abandons the upload (connection cut, request refused): nothing is left behind.
    pub fn abort(self) {}
}

/// Lets a writer (an export) write straight into a file on its way to the store.
impl Write for Receiving {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        Receiving::write(self, buf).map_err(std::io::Error::other)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

impl Drop for Receiving {
    /// Also runs when the request is dropped half-way because the client went away.
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::LocalStore;

    #[test]
    fn over_the_limit_and_empty_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path()).unwrap();
        let mut big = Receiving::start(&store.temp_dir(), 4).unwrap();
        assert!(matches!(
            big.write(b"12345"),
            Err(StorageError::TooLarge { .. })
        ));
        big.abort();
        let empty = Receiving::start(&store.temp_dir(), 4).unwrap();
        assert!(matches!(empty.finish(), Err(StorageError::Empty)));
        assert_eq!(std::fs::read_dir(store.temp_dir()).unwrap().count(), 0);
    }
}
