//! Trail files: the hashed fields of an entry as a file holds them, writing a trail as CSV or
//! JSON, reading one back, and checking its hashes and links without the database.

use std::io::Write;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::entries::each;
use super::{Scope, TrailFilter, TrailFormat};
use crate::audit::Entry;
use crate::db::DbConnection;
use crate::exports::ExportFailure;
use crate::output::formats::results::ExportError;

/// The hashed fields of an entry, as a trail file holds them. `at` is written exactly as it is
/// hashed (`YYYY-MM-DDTHH:MM:SS.ffffff`, UTC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    /// Position in the chain.
    pub seq: i64,
    /// When (UTC).
    pub at: String,
    /// Who, if anyone.
    pub actor_id: Option<String>,
    /// What was done.
    pub action: String,
    /// The kind of thing changed.
    pub entity: String,
    /// Its id.
    pub entity_id: String,
    /// State before (JSON text).
    pub before_json: Option<String>,
    /// State after (JSON text).
    pub after_json: Option<String>,
    /// The previous entry's hash.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
    /// The SHA-256 of the content the hash covers (none for entries written before content
    /// digests, whose hash covers the content itself). Files written before it lack the column.
    #[serde(default)]
    pub content_sha256: Option<String>,
    /// The `audit.erase` entry that anonymised this entry's content, if any.
    #[serde(default)]
    pub erased_by: Option<i64>,
}

/// The columns trail files had before content digests; such files still check.
pub(super) const COLUMNS_BEFORE_DIGESTS: usize = 10;

/// The columns of a trail CSV, and the keys of a trail JSON entry, in this order.
pub const COLUMNS: [&str; 12] = [
    "seq",
    "at",
    "actor_id",
    "action",
    "entity",
    "entity_id",
    "before_json",
    "after_json",
    "prev_hash",
    "hash",
    "content_sha256",
    "erased_by",
];

pub(super) const AT_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6f";

impl From<&Entry> for FileEntry {
    fn from(e: &Entry) -> Self {
        FileEntry {
            seq: e.seq,
            at: e.at.format(AT_FORMAT).to_string(),
            actor_id: e.actor_id.clone(),
            action: e.action.clone(),
            entity: e.entity.clone(),
            entity_id: e.entity_id.clone(),
            before_json: e.before_json.clone(),
            after_json: e.after_json.clone(),
            prev_hash: e.prev_hash.clone(),
            hash: e.hash.clone(),
            content_sha256: e.content_sha256.clone(),
            erased_by: e.erased_by,
        }
    }
}

/// Writes the entries `filter` keeps to `out` in `format`, oldest first.
pub fn write_file(
    conn: &mut DbConnection,
    scope: &Scope,
    filter: &TrailFilter,
    format: TrailFormat,
    out: &mut dyn Write,
) -> Result<u64, ExportFailure> {
    let io = |e: std::io::Error| ExportFailure::Write(ExportError::Io(e));
    let mut count = 0;
    match format {
        TrailFormat::Csv => {
            // The header is written here, so an empty trail still has one.
            let mut writer = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(out);
            writer.write_record(COLUMNS).map_err(|e| io(e.into()))?;
            each(conn, scope, filter, |entry| {
                count += 1;
                writer
                    .serialize(FileEntry::from(entry))
                    .map_err(|e| io(e.into()))
            })?;
            writer.flush().map_err(io)?;
        }
        TrailFormat::Json => {
            out.write_all(b"[").map_err(io)?;
            each(conn, scope, filter, |entry| {
                let line =
                    serde_json::to_string(&FileEntry::from(entry)).map_err(|e| io(e.into()))?;
                let separator: &[u8] = if count == 0 { b"\n" } else { b",\n" };
                count += 1;
                out.write_all(separator).map_err(io)?;
                out.write_all(line.as_bytes()).map_err(io)
            })?;
            out.write_all(b"\n]\n").map_err(io)?;
        }
    }
    Ok(count)
}

/// A trail file that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("{line}: {message}")]
pub struct FileError {
    /// Where (line, or line:column).
    pub line: String,
    /// What is wrong.
    pub message: String,
}

/// Reads a trail file: JSON when it starts with `[`, CSV otherwise.
pub fn read_file(text: &str) -> Result<Vec<FileEntry>, FileError> {
    if text.trim_start().starts_with('[') {
        return serde_json::from_str(text).map_err(|e| FileError {
            line: format!("{}:{}", e.line(), e.column()),
            message: e.to_string(),
        });
    }
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| FileError {
        line: "1".into(),
        message: e.to_string(),
    })?;
    if header.iter().ne(COLUMNS)
        && header
            .iter()
            .ne(COLUMNS[..COLUMNS_BEFORE_DIGESTS].iter().copied())
    {
        return Err(FileError {
            line: "1".into(),
            message: format!("the header must be {}", COLUMNS.join(",")),
        });
    }
    reader
        .deserialize::<FileEntry>()
        .map(|row| {
            row.map_err(|e| FileError {
                line: e
                    .position()
                    .map_or_else(|| "?".to_owned(), |p| p.line().to_string()),
                message: e.to_string(),
            })
        })
        .collect()
}

/// What checking a trail file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCheck {
    /// Entries checked.
    pub entries: usize,
    /// Links checked between consecutive entries (seq n and n + 1 both in the file).
    pub links: usize,
    /// Positions missing between the first and last entry (filtered out, or another
    /// organisation's): their links cannot be checked from this file.
    pub gaps: usize,
    /// Entries whose content was erased on request (they check by their content digest).
    pub erased: usize,
    /// Erased entries whose erasure entry is not in the file: written before content digests,
    /// their hash cannot be checked from this file (the database's `attest audit verify` can).
    pub unchecked: Vec<i64>,
    /// Every problem, by position.
    pub problems: Vec<String>,
}

/// Checks each entry's hash against its content (or, for an erased entry, against what its
/// erasure entry attests when the file holds it, else its content digest), the order, and each
/// link between consecutive entries.
pub fn check_file(entries: &[FileEntry]) -> FileCheck {
    let mut check = FileCheck {
        entries: entries.len(),
        links: 0,
        gaps: 0,
        erased: 0,
        unchecked: Vec::new(),
        problems: Vec::new(),
    };
    let stored = |entry: &FileEntry, at| Entry {
        seq: entry.seq,
        at,
        actor_id: entry.actor_id.clone(),
        action: entry.action.clone(),
        entity: entry.entity.clone(),
        entity_id: entry.entity_id.clone(),
        before_json: entry.before_json.clone(),
        after_json: entry.after_json.clone(),
        prev_hash: entry.prev_hash.clone(),
        hash: entry.hash.clone(),
        content_sha256: entry.content_sha256.clone(),
        erased_by: entry.erased_by,
    };
    // The attestations of the erasure entries the file holds.
    let erasures: std::collections::HashMap<i64, _> = entries
        .iter()
        .filter(|e| e.action == crate::audit::ERASE_ACTION)
        .filter_map(|e| {
            let at = NaiveDateTime::parse_from_str(&e.at, AT_FORMAT).ok()?;
            Some((e.seq, crate::audit::attested(&stored(e, at))?))
        })
        .collect();
    let mut previous: Option<&FileEntry> = None;
    for entry in entries {
        match NaiveDateTime::parse_from_str(&entry.at, AT_FORMAT) {
            Err(_) => check.problems.push(format!(
                "entry {}: at {:?} is not YYYY-MM-DDTHH:MM:SS.ffffff",
                entry.seq, entry.at
            )),
            Ok(at) => {
                let stored = stored(entry, at);
                match entry.erased_by {
                    Some(by) if erasures.contains_key(&by) => {
                        match crate::audit::check_erased(&stored, by, erasures.get(&by)) {
                            Some(reason) => check
                                .problems
                                .push(format!("entry {}: {reason}", entry.seq)),
                            None => check.erased += 1,
                        }
                    }
                    // The erasure entry is elsewhere: an entry hashed over its digest still
                    // checks by it; an older one cannot be checked here.
                    Some(_) if stored.seal().as_ref() == Some(&entry.hash) => check.erased += 1,
                    Some(_) => {
                        check.erased += 1;
                        check.unchecked.push(entry.seq);
                    }
                    None if !stored.intact() => check.problems.push(format!(
                        "entry {}: its content does not match its hash",
                        entry.seq
                    )),
                    None => {}
                }
            }
        }
        if let Some(prev) = previous {
            if entry.seq <= prev.seq {
                check.problems.push(format!(
                    "entry {}: comes after entry {} (the file must be in chain order)",
                    entry.seq, prev.seq
                ));
            } else if entry.seq == prev.seq + 1 {
                check.links += 1;
                if entry.prev_hash != prev.hash {
                    check.problems.push(format!(
                        "entry {}: does not point to entry {}'s hash",
                        entry.seq, prev.seq
                    ));
                }
            } else {
                check.gaps += usize::try_from(entry.seq - prev.seq - 1).unwrap_or(0);
            }
        } else if entry.seq == 1 && entry.prev_hash != crate::audit::GENESIS {
            check
                .problems
                .push("entry 1: does not point to the start of the chain".to_owned());
        }
        previous = Some(entry);
    }
    check
}
