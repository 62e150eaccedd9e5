//! Copying and reading files while hashing them: every file of a backup is checked by its SHA-256.

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::{BackupError, io};

/// Copies `from` to `to` (created new, mode 0600 when `private`) and returns its SHA-256 and size.
pub(super) fn copy_hashed(
    from: &Path,
    to: &Path,
    private: bool,
) -> Result<(String, u64), BackupError> {
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    let mut input = File::open(from).map_err(io(from))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut output = options.open(to).map_err(io(to))?;
    let (sha256, size) = hash_through(&mut input, Some(&mut output), from)?;
    output.sync_all().map_err(io(to))?;
    Ok((sha256, size))
}

/// Reads `input` to its end (writing it to `output` when given); its SHA-256 and size.
fn hash_through(
    input: &mut dyn Read,
    mut output: Option<&mut File>,
    path: &Path,
) -> Result<(String, u64), BackupError> {
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let n = input.read(&mut buffer).map_err(io(path))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        size += n as u64;
        if let Some(out) = output.as_deref_mut() {
            out.write_all(&buffer[..n]).map_err(io(path))?;
        }
    }
    Ok((hex::encode(hasher.finalize()), size))
}

pub(super) fn hash_file(path: &Path) -> Result<(String, u64), BackupError> {
    let mut file = File::open(path).map_err(io(path))?;
    hash_through(&mut file, None, path)
}
