//! The store in a local folder (`ROOT/objects/ab/cdef…`, staging in `ROOT/tmp`), the default.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::{BlobStore, StorageError, valid_hash};

/// A store in a local folder: `ROOT/objects/ab/cdef…`.
#[derive(Debug, Clone)]
pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    /// A store under `root` (created on first use), for a starting server: staging files left by a
    /// crash are removed.
    pub fn new(root: impl Into<PathBuf>) -> std::io::Result<Self> {
        let store = Self::open(root)?;
        for entry in std::fs::read_dir(store.temp_dir())?.flatten() {
            let _ = std::fs::remove_file(entry.path());
        }
        Ok(store)
    }

    /// A store under `root` (created on first use) that leaves the staging folder alone: a server
    /// may be receiving into it.
    pub fn open(root: impl Into<PathBuf>) -> std::io::Result<Self> {
        let store = Self { root: root.into() };
        std::fs::create_dir_all(store.temp_dir())?;
        std::fs::create_dir_all(store.root.join("objects"))?;
        Ok(store)
    }

    /// Where uploads are received before they are complete.
    pub fn temp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    pub(super) fn object_path(&self, sha256: &str) -> Result<PathBuf, StorageError> {
        if !valid_hash(sha256) {
            return Err(StorageError::Missing(sha256.to_owned()));
        }
        Ok(self
            .root
            .join("objects")
            .join(&sha256[..2])
            .join(&sha256[2..]))
    }
}

/// A file found in the store's folders, for `attest files gc`.
#[derive(Debug, Clone)]
pub struct FoundFile {
    /// Where it is.
    pub path: PathBuf,
    /// The content's SHA-256 (objects only; empty for staging files).
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// When it last changed.
    pub modified: SystemTime,
}

impl LocalStore {
    fn list_objects(&self) -> Result<Vec<FoundFile>, StorageError> {
        let mut found = Vec::new();
        for prefix in std::fs::read_dir(self.root.join("objects"))?.flatten() {
            if !prefix.path().is_dir() {
                continue;
            }
            let prefix_name = prefix.file_name().to_string_lossy().into_owned();
            for entry in std::fs::read_dir(prefix.path())?.flatten() {
                let sha256 = format!("{prefix_name}{}", entry.file_name().to_string_lossy());
                if self.object_path(&sha256).ok().as_deref() == Some(entry.path().as_path()) {
                    found.push(describe(entry.path(), sha256)?);
                }
            }
        }
        Ok(found)
    }

    /// Files in the staging folder: uploads being received and scratch files, or left by a crash.
    pub fn staging(&self) -> Result<Vec<FoundFile>, StorageError> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(self.temp_dir())?.flatten() {
            if entry.path().is_file() {
                found.push(describe(entry.path(), String::new())?);
            }
        }
        Ok(found)
    }
}

fn describe(path: PathBuf, sha256: String) -> Result<FoundFile, StorageError> {
    let meta = std::fs::metadata(&path)?;
    Ok(FoundFile {
        path,
        sha256,
        size: meta.len(),
        modified: meta.modified()?,
    })
}

impl BlobStore for LocalStore {
    fn put(&self, temp: &Path, sha256: &str) -> Result<(), StorageError> {
        let target = self.object_path(sha256)?;
        if target.exists() {
            std::fs::remove_file(temp)?;
            // Fresh again: `attest files gc` spares young files, so content a new record has just
            // come to reference is not collected as an orphan while that record commits.
            File::options()
                .write(true)
                .open(&target)?
                .set_modified(SystemTime::now())?;
            return Ok(());
        }
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::rename(temp, &target)?;
        if let Some(dir) = target.parent() {
            // The rename is durable only once the folder itself is synced.
            File::open(dir)?.sync_all()?;
        }
        Ok(())
    }

    fn open(&self, sha256: &str) -> Result<Box<dyn Read + Send>, StorageError> {
        let path = self.object_path(sha256)?;
        match File::open(path) {
            Ok(file) => Ok(Box::new(file)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(StorageError::Missing(sha256.to_owned()))
            }
            Err(e) => Err(e.into()),
        }
    }

    fn contains(&self, sha256: &str) -> Result<bool, StorageError> {
        Ok(self.object_path(sha256).is_ok_and(|path| path.is_file()))
    }

    fn objects(&self) -> Result<Vec<FoundFile>, StorageError> {
        self.list_objects()
    }

    fn remove(&self, sha256: &str) -> Result<(), StorageError> {
        match std::fs::remove_file(self.object_path(sha256)?) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    fn location(&self) -> String {
        self.root.display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{Receiving, read_verified};

    #[test]
    fn receive_store_read_and_dedupe() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path()).unwrap();
        let mut first = Receiving::start(&store.temp_dir(), 1024).unwrap();
        first.write(b"%PDF-1.4 a small pdf").unwrap();
        let received = first.finish().unwrap();
        let sha = received.sha256.clone();
        store.put(&received.path, &sha).unwrap();
        let mut second = Receiving::start(&store.temp_dir(), 1024).unwrap();
        second.write(b"%PDF-1.4 a small pdf").unwrap();
        let again = second.finish().unwrap();
        assert_eq!(again.sha256, sha);
        store.put(&again.path, &sha).unwrap();
        assert_eq!(
            std::fs::read_dir(store.temp_dir()).unwrap().count(),
            0,
            "no temp files left"
        );
        assert_eq!(
            read_verified(&store, &sha).unwrap(),
            b"%PDF-1.4 a small pdf"
        );
        std::fs::write(store.object_path(&sha).unwrap(), b"tampered").unwrap();
        assert!(matches!(
            read_verified(&store, &sha),
            Err(StorageError::Corrupt(_))
        ));
    }

    #[test]
    fn a_starting_server_removes_staging_leftovers_and_gc_opening_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path()).unwrap();
        let mut cut_off = Receiving::start(&store.temp_dir(), 1024).unwrap();
        cut_off.write(b"%PDF-1.4 half").unwrap();
        // A crash: the process ends without running any destructor.
        std::mem::forget(cut_off);
        assert_eq!(store.staging().unwrap().len(), 1);
        LocalStore::open(dir.path()).unwrap();
        assert_eq!(
            store.staging().unwrap().len(),
            1,
            "open leaves uploads under way"
        );
        LocalStore::new(dir.path()).unwrap();
        assert!(store.staging().unwrap().is_empty(), "a start removes them");
    }
}
