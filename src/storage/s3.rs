//! The object store (`ATTEST_FILES_URL=s3://bucket/prefix`): the same content-addressed layout as
//! the local folder (`PREFIX/objects/ab/cdef…`) in any S3-compatible store, through the
//! `object_store` crate. Its client is asynchronous; [`BlobStore`] is called from blocking threads
//! (actix's blocking pool, the CLI), so the store keeps a small runtime of its own and every call
//! waits on it. Uploads stream from the staging file (a multipart upload above one part), downloads
//! stream in the chunks the server sends; neither holds a whole large file in memory.

use std::future::Future;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use object_store::aws::{AmazonS3, AmazonS3Builder, AmazonS3ConfigKey};
use object_store::path::Path as Key;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};
use tokio::io::AsyncReadExt;

use super::{BlobStore, FoundFile, StorageError, valid_hash};

/// Files up to this size go up in one request; larger ones as a multipart upload of parts this size.
const PART: usize = 8 * 1024 * 1024;
/// Parts in flight at once during a multipart upload (memory: about this many parts).
const PARTS_IN_FLIGHT: usize = 2;

/// The environment variables passed on to the S3 client (read through the configuration, so a
/// test can give its own).
pub const S3_VARIABLES: &[&str] = &[
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_ALLOW_HTTP",
    "AWS_VIRTUAL_HOSTED_STYLE_REQUEST",
];

/// Where an `s3://` store is and how to reach it.
#[derive(Clone, PartialEq, Eq)]
pub struct S3Location {
    /// The bucket.
    pub bucket: String,
    /// The folder inside the bucket (no leading or trailing `/`; may be empty).
    pub prefix: String,
    /// `AWS_*` settings, by their variable names.
    pub options: Vec<(String, String)>,
}

impl std::fmt::Debug for S3Location {
    /// Leaves the secret key out of logs and error output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Location")
            .field("url", &self.url())
            .field(
                "options",
                &self.options.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl S3Location {
    /// Parses `s3://bucket[/prefix]`; `options` are the `AWS_*` settings.
    pub fn parse(url: &str, options: Vec<(String, String)>) -> Result<Self, String> {
        let rest = url
            .trim()
            .strip_prefix("s3://")
            .ok_or_else(|| format!("'{url}' is not an s3://BUCKET/PREFIX URL"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let bucket_ok = (3..=63).contains(&bucket.len())
            && bucket
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
        if !bucket_ok {
            return Err(format!(
                "'{url}': '{bucket}' is not a bucket name (3 to 63 lower-case letters, digits, '-' or '.')"
            ));
        }
        let prefix = prefix.trim_matches('/').to_owned();
        if prefix
            .split('/')
            .any(|part| part == "." || part == ".." || (part.is_empty() && !prefix.is_empty()))
            || prefix.chars().any(|c| c.is_control() || c == '\\')
        {
            return Err(format!(
                "'{url}': the prefix '{prefix}' is not a folder path"
            ));
        }
        Ok(Self {
            bucket: bucket.to_owned(),
            prefix,
            options,
        })
    }

    /// `s3://bucket/prefix`.
    pub fn url(&self) -> String {
        if self.prefix.is_empty() {
            format!("s3://{}", self.bucket)
        } else {
            format!("s3://{}/{}", self.bucket, self.prefix)
        }
    }
}

/// Evidence and export files in an S3-compatible bucket.
pub struct S3Store {
    client: Arc<AmazonS3>,
    objects: Key,
    url: String,
    bucket: String,
    handle: tokio::runtime::Handle,
    runtime: Option<tokio::runtime::Runtime>,
}

impl std::fmt::Debug for S3Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Store").field("url", &self.url).finish()
    }
}

impl Drop for S3Store {
    /// Stops the store's runtime without waiting (also safe from inside an async context).
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

fn remote(err: object_store::Error) -> StorageError {
    StorageError::Remote(err.to_string())
}

/// Runs `future` on the store's runtime and waits for it from this (blocking) thread.
fn wait<F>(handle: &tokio::runtime::Handle, future: F) -> Result<F::Output, StorageError>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    handle.spawn(async move {
        let _ = tx.send(future.await);
    });
    rx.recv()
        .map_err(|_| StorageError::Remote("the object store client stopped".into()))
}

impl S3Store {
    /// A client for `location` (no request is made until the first use; see [`S3Store::check`]).
    pub fn new(location: &S3Location) -> Result<Self, StorageError> {
        let mut builder = AmazonS3Builder::new().with_bucket_name(&location.bucket);
        for (name, value) in &location.options {
            let key: AmazonS3ConfigKey = name
                .to_ascii_lowercase()
                .parse()
                .map_err(|e: object_store::Error| StorageError::Remote(format!("{name}: {e}")))?;
            builder = builder.with_config(key, value);
        }
        let client = builder
            .build()
            .map_err(|e| StorageError::Remote(format!("{}: {e}", location.url())))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("attest-s3")
            .enable_all()
            .build()?;
        let objects = if location.prefix.is_empty() {
            Key::from("objects")
        } else {
            Key::parse(format!("{}/objects", location.prefix))
                .map_err(|e| StorageError::Remote(e.to_string()))?
        };
        Ok(Self {
            client: Arc::new(client),
            objects,
            url: location.url(),
            bucket: location.bucket.clone(),
            handle: runtime.handle().clone(),
            runtime: Some(runtime),
        })
    }

    /// Proves the bucket answers (listing one page of the store), with the reason if it does not.
    pub fn check(&self) -> Result<(), StorageError> {
        let client = self.client.clone();
        let prefix = self.objects.clone();
        wait(&self.handle, async move {
            let mut listing = client.list(Some(&prefix));
            match listing.next().await {
                Some(Err(e)) => Err(e),
                _ => Ok(()),
            }
        })?
        .map_err(|e| StorageError::Remote(format!("{}: {e}", self.url)))
    }

    fn key(&self, sha256: &str) -> Result<Key, StorageError> {
        if !valid_hash(sha256) {
            return Err(StorageError::Missing(sha256.to_owned()));
        }
        Ok(self.objects.clone().join(&sha256[..2]).join(&sha256[2..]))
    }
}

async fn upload(client: Arc<AmazonS3>, key: Key, temp: std::path::PathBuf) -> Result<(), String> {
    let mut file = tokio::fs::File::open(&temp)
        .await
        .map_err(|e| format!("{}: {e}", temp.display()))?;
    let size = file
        .metadata()
        .await
        .map_err(|e| format!("{}: {e}", temp.display()))?
        .len();
    if size <= PART as u64 {
        let mut bytes = Vec::with_capacity(size as usize);
        file.read_to_end(&mut bytes)
            .await
            .map_err(|e| format!("{}: {e}", temp.display()))?;
        client
            .put(&key, PutPayload::from(bytes))
            .await
            .map_err(|e| e.to_string())?;
        return Ok(());
    }
    let parts = client
        .put_multipart(&key)
        .await
        .map_err(|e| e.to_string())?;
    let mut writer = WriteMultipart::new_with_chunk_size(parts, PART);
    let mut buffer = vec![0u8; 1024 * 1024];
    let sent: Result<(), String> = async {
        loop {
            let read = file
                .read(&mut buffer)
                .await
                .map_err(|e| format!("{}: {e}", temp.display()))?;
            if read == 0 {
                return Ok(());
            }
            writer
                .wait_for_capacity(PARTS_IN_FLIGHT)
                .await
                .map_err(|e| e.to_string())?;
            writer.write(&buffer[..read]);
        }
    }
    .await;
    match sent {
        Ok(()) => writer.finish().await.map(drop).map_err(|e| e.to_string()),
        Err(e) => {
            // No half-uploaded parts left behind in the bucket.
            let _ = writer.abort().await;
            Err(e)
        }
    }
}

impl BlobStore for S3Store {
    /// Uploads the staging file, then removes it. Content already there is uploaded again: the
    /// fresh modification time keeps `attest files gc` from judging it while the record that now
    /// refers to it commits (as the local store touches the file).
    fn put(&self, temp: &Path, sha256: &str) -> Result<(), StorageError> {
        let key = self.key(sha256)?;
        wait(
            &self.handle,
            upload(self.client.clone(), key, temp.to_path_buf()),
        )?
        .map_err(|e| StorageError::Remote(format!("{}: {e}", self.url)))?;
        std::fs::remove_file(temp)?;
        Ok(())
    }

    fn open(&self, sha256: &str) -> Result<Box<dyn Read + Send>, StorageError> {
        let key = self.key(sha256)?;
        let client = self.client.clone();
        let got = wait(&self.handle, async move { client.get(&key).await })?;
        match got {
            Ok(result) => Ok(Box::new(S3Reader {
                stream: Some(result.into_stream()),
                chunk: bytes::Bytes::new(),
                handle: self.handle.clone(),
            })),
            Err(object_store::Error::NotFound { .. }) => {
                Err(StorageError::Missing(sha256.to_owned()))
            }
            Err(e) => Err(remote(e)),
        }
    }

    fn contains(&self, sha256: &str) -> Result<bool, StorageError> {
        let Ok(key) = self.key(sha256) else {
            return Ok(false);
        };
        let client = self.client.clone();
        match wait(&self.handle, async move { client.head(&key).await })? {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(remote(e)),
        }
    }

    fn objects(&self) -> Result<Vec<FoundFile>, StorageError> {
        let client = self.client.clone();
        let prefix = self.objects.clone();
        let listed = wait(&self.handle, async move {
            let mut all = Vec::new();
            let mut listing = client.list(Some(&prefix));
            while let Some(meta) = listing.next().await {
                all.push(meta?);
            }
            Ok::<_, object_store::Error>(all)
        })?
        .map_err(remote)?;
        let base = format!("{}/", self.objects);
        Ok(listed
            .into_iter()
            .filter_map(|meta| {
                let name = meta.location.as_ref().strip_prefix(&base)?;
                let (head, tail) = name.split_once('/')?;
                let sha256 = format!("{head}{tail}");
                (head.len() == 2 && valid_hash(&sha256)).then(|| FoundFile {
                    path: format!("s3://{}/{}", self.bucket, meta.location).into(),
                    sha256,
                    size: meta.size,
                    modified: SystemTime::from(meta.last_modified),
                })
            })
            .collect())
    }

    fn remove(&self, sha256: &str) -> Result<(), StorageError> {
        let key = self.key(sha256)?;
        let client = self.client.clone();
        match wait(&self.handle, async move { client.delete(&key).await })? {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(remote(e)),
        }
    }

    fn location(&self) -> String {
        self.url.clone()
    }
}

/// A download in progress: the server's chunks, pulled one at a time on the store's runtime.
struct S3Reader {
    stream: Option<BoxStream<'static, object_store::Result<bytes::Bytes>>>,
    chunk: bytes::Bytes,
    handle: tokio::runtime::Handle,
}

impl Read for S3Reader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.chunk.is_empty() {
            let Some(mut stream) = self.stream.take() else {
                return Ok(0);
            };
            let (next, stream) = wait(&self.handle, async move {
                let next = stream.next().await;
                (next, stream)
            })
            .map_err(std::io::Error::other)?;
            match next {
                None => return Ok(0),
                Some(Ok(chunk)) => {
                    self.chunk = chunk;
                    self.stream = Some(stream);
                }
                Some(Err(e)) => return Err(std::io::Error::other(e)),
            }
        }
        let n = out.len().min(self.chunk.len());
        out[..n].copy_from_slice(&self.chunk.split_to(n));
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_a_bucket_and_a_folder() {
        let at = S3Location::parse("s3://attest-files/eu/prod/", vec![]).unwrap();
        assert_eq!(
            (at.bucket.as_str(), at.prefix.as_str()),
            ("attest-files", "eu/prod")
        );
        assert_eq!(at.url(), "s3://attest-files/eu/prod");
        assert_eq!(S3Location::parse("s3://files", vec![]).unwrap().prefix, "");
        for bad in [
            "files",
            "s3://",
            "s3://A_B/x",
            "s3://ok-bucket/a/../b",
            "s3://ok-bucket/a//b",
        ] {
            assert!(S3Location::parse(bad, vec![]).is_err(), "{bad}");
        }
        let secret = S3Location::parse(
            "s3://files",
            vec![("AWS_SECRET_ACCESS_KEY".into(), "hunter2".into())],
        )
        .unwrap();
        assert!(!format!("{secret:?}").contains("hunter2"));
    }
}
