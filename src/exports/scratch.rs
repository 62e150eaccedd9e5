//! A scratch file that removes itself: where a download is made before it is streamed (the zip
//! writer needs to seek, and a finished file lets the database connection go before the client reads).

use std::fs::File;
use std::path::{Path, PathBuf};

/// A file in a scratch folder, removed when dropped: after it was sent, when building it failed,
/// and when the client went away half-way.
#[derive(Debug)]
pub struct ScratchFile {
    path: PathBuf,
    file: File,
}

impl ScratchFile {
    /// Creates a new, empty scratch file in `dir` (readable and writable).
    pub fn create(dir: &Path) -> std::io::Result<Self> {
        let path = dir.join(format!("scratch-{}", uuid::Uuid::new_v4().simple()));
        let file = File::options()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)?;
        Ok(Self { path, file })
    }

    /// The open file; `&File` reads, writes and seeks.
    pub fn file(&self) -> &File {
        &self.file
    }

    /// Where it is (while it exists).
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ScratchFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}
