//! Evidence files: received to a temporary file while hashing (never whole in memory), checked by
//! content against an allowlist, fsynced, then moved into a content-addressed store. The store sits
//! behind [`BlobStore`]: a local folder ([`LocalStore`], the default) or an S3-compatible object
//! store ([`s3::S3Store`], `ATTEST_FILES_URL=s3://…`). Uploads are always staged in the local
//! folder `DATA_DIR/files/tmp` first.

pub mod migrate;
pub mod s3;

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sha2::{Digest, Sha256};

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

    fn object_path(&self, sha256: &str) -> Result<PathBuf, StorageError> {
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

/// The MIME type of the content, if it is one Attest accepts as evidence.
pub fn detect(head: &[u8]) -> Result<String, StorageError> {
    if let Some(kind) = infer::get(head) {
        let mime = kind.mime_type();
        let accepted = matches!(
            kind.matcher_type(),
            infer::MatcherType::Image
                | infer::MatcherType::Audio
                | infer::MatcherType::Video
                | infer::MatcherType::Doc
        ) || mime == "application/pdf"
            || mime == "application/rtf"
            || mime.starts_with("application/vnd.oasis.opendocument");
        return if accepted {
            Ok(mime.to_owned())
        } else {
            Err(StorageError::Refused(mime.to_owned()))
        };
    }
    if looks_like_text(head) {
        return Ok("text/plain; charset=utf-8".into());
    }
    Err(StorageError::Refused("unrecognised binary".into()))
}

/// UTF-8 (a character may be cut at the end of the sample) without control bytes other than white space.
fn looks_like_text(head: &[u8]) -> bool {
    let valid = match std::str::from_utf8(head) {
        Ok(text) => text,
        Err(e) if e.error_len().is_none() => match std::str::from_utf8(&head[..e.valid_up_to()]) {
            Ok(text) => text,
            Err(_) => return false,
        },
        Err(_) => return false,
    };
    !valid
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
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
    fn types_are_read_from_content_not_names() {
        assert_eq!(detect(b"%PDF-1.7\n...").unwrap(), "application/pdf");
        assert_eq!(
            detect(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap(),
            "image/png"
        );
        assert!(
            detect("Kia ora, Tāne\n".as_bytes())
                .unwrap()
                .starts_with("text/plain")
        );
        assert!(matches!(
            detect(b"MZ\x90\0\x03\0\0\0\x04\0"),
            Err(StorageError::Refused(_))
        ));
        assert!(matches!(
            detect(b"\x7fELF\x02\x01\x01\0"),
            Err(StorageError::Refused(_))
        ));
        assert!(matches!(
            detect(&[0u8, 1, 2, 3, 255, 254]),
            Err(StorageError::Refused(_))
        ));
    }

    #[test]
    fn names_are_sanitised() {
        assert_eq!(sanitise_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitise_name("C:\\Users\\x\\call \"1\".mp3"), "call 1.mp3");
        assert_eq!(sanitise_name(".."), "evidence");
        assert_eq!(sanitise_name("Zoë's notes.pdf"), "Zoë's notes.pdf");
    }

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
