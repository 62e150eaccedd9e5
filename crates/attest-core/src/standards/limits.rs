//! What reading one YAML document (a standard or a portfolio) may cost, so that no input can make
//! the process run out of memory.
//!
//! A YAML alias repeats the node its anchor names, so a few kilobytes that nest aliases ("billion
//! laughs") expand to gigabytes once deserialized. The limits are checked on the event stream, before
//! anything is built: the size of the text, the number of nodes *after* aliases are expanded, the
//! depth of nesting, and the text the position index keeps (one path per node).

use std::io::Read;
use std::path::Path;

/// The largest document read, in bytes: a 1,000-instance portfolio is about 600 KB.
pub const MAX_BYTES: usize = 4 << 20;

/// The most nodes a document may hold once every alias is expanded (a 1,000-instance portfolio
/// has about 30,000).
pub const MAX_NODES: u64 = 200_000;

/// The deepest nesting of mappings and sequences (the formats need fewer than ten levels).
pub const MAX_DEPTH: usize = 64;

/// The most text the position index may keep for its paths (one per node, each repeating its
/// parent's), so that long keys in deep documents cannot multiply.
pub const MAX_PATH_BYTES: usize = 32 << 20;

/// Reads at most [`MAX_BYTES`] and one more byte of `path`, so that a huge file is refused without
/// reading it whole.
pub fn read_bounded(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Why `bytes` are too many to read, with the line and column where the limit is crossed.
pub fn oversize(bytes: &[u8]) -> Option<(super::Position, String)> {
    if bytes.len() <= MAX_BYTES {
        return None;
    }
    let before = &bytes[..MAX_BYTES];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |newline| newline + 1);
    // Columns count characters: every byte that does not continue a UTF-8 sequence starts one.
    let column = before[line_start..]
        .iter()
        .filter(|&&b| b & 0xC0 != 0x80)
        .count()
        + 1;
    let reason = format!(
        "the file is larger than {} MiB, the most a standard or portfolio may be",
        MAX_BYTES >> 20
    );
    Some((super::Position { line, column }, reason))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_over_the_limit_is_refused_where_the_limit_falls() {
        let mut bytes = b"a: 1\nb: ".to_vec();
        bytes.resize(MAX_BYTES + 10, b'x');
        let (position, reason) = oversize(&bytes).expect("too large");
        assert_eq!((position.line, position.column), (2, MAX_BYTES - 5 + 1));
        assert!(reason.starts_with("the file is larger than 4 MiB"));
        assert_eq!(oversize(&bytes[..MAX_BYTES]), None);
    }
}
