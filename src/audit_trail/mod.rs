//! Reading the audit trail: an organisation's entries (or one enrolment's), filtered by person,
//! enrolment, action and date, each in plain words; and the trail as a CSV or JSON file that keeps
//! every hashed field exactly, so [`check_file`] (`attest audit verify --file`) can check each
//! entry's hash and the links between consecutive entries without the database.
//!
//! The chain itself (writing, walking it whole) is [`crate::audit`].

pub mod actions;

use std::io::Write;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::action::{ActionError, Problems};
use crate::audit::Entry;
use crate::db::DbConnection;
use crate::db::schema::{audit_log, cohorts, enrolments, export_batches, sampling_plans};
use crate::exports::ExportFailure;
use crate::output::formats::results::ExportError;

/// Whose entries are read.
#[derive(Debug, Clone)]
pub enum Scope {
    /// Everything about an organisation: the organisation itself, its enrolments, plans, batches
    /// and cohorts, and what was done to its people there (grants, ratings, IV assignments).
    Organisation(String),
    /// One enrolment (a candidate's portfolio).
    Enrolment(String),
}

/// The filters as typed (query string or form): all optional text.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct TrailQuery {
    /// Entries by this person, or about them (a user id).
    pub person: Option<String>,
    /// Entries about this enrolment (an id).
    pub enrolment: Option<String>,
    /// Exactly this action, e.g. `evidence.add`.
    pub action: Option<String>,
    /// On or after this day (YYYY-MM-DD, UTC).
    pub from: Option<String>,
    /// On or before this day (YYYY-MM-DD, UTC).
    pub to: Option<String>,
    /// Only entries before this position (the next page of a screen).
    pub before: Option<String>,
    /// The export's format: csv or json.
    pub format: Option<String>,
}

/// Checked filters.
#[derive(Debug, Clone, Default)]
pub struct TrailFilter {
    person: Option<String>,
    enrolment: Option<String>,
    action: Option<String>,
    from: Option<NaiveDateTime>,
    /// The instant after the last day.
    until: Option<NaiveDateTime>,
    before: Option<i64>,
}

/// A trail file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrailFormat {
    /// RFC 4180 CSV with a header row ([`COLUMNS`]).
    Csv,
    /// One JSON array of entry objects with the same keys.
    Json,
}

impl TrailFormat {
    /// The media type of the file.
    pub fn media_type(self) -> &'static str {
        match self {
            TrailFormat::Csv => "text/csv; charset=utf-8",
            TrailFormat::Json => "application/json",
        }
    }

    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            TrailFormat::Csv => "csv",
            TrailFormat::Json => "json",
        }
    }
}

fn filled(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

fn day(problems: &mut Problems, field: &str, value: &Option<String>) -> Option<NaiveDate> {
    let text = filled(value)?;
    match NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
        Ok(day) => Some(day),
        Err(_) => {
            problems.add(field, "must be a date as YYYY-MM-DD");
            None
        }
    }
}

impl TrailQuery {
    /// Checks every filter, naming each bad one.
    pub fn check(&self) -> Result<TrailFilter, ActionError> {
        let mut problems = Problems::default();
        let from = day(&mut problems, "from", &self.from);
        let to = day(&mut problems, "to", &self.to);
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            problems.add("to", "is before from");
        }
        let before = match filled(&self.before) {
            None => None,
            Some(text) => match text.parse::<i64>() {
                Ok(seq) if seq > 0 => Some(seq),
                _ => {
                    problems.add("before", "must be a whole number above 0");
                    None
                }
            },
        };
        problems.finish()?;
        Ok(TrailFilter {
            person: filled(&self.person),
            enrolment: filled(&self.enrolment),
            action: filled(&self.action),
            from: from.and_then(|d| d.and_hms_opt(0, 0, 0)),
            until: to
                .and_then(|d| d.succ_opt())
                .and_then(|d| d.and_hms_opt(0, 0, 0)),
            before,
        })
    }

    /// The export format (`csv` unless given).
    pub fn format(&self) -> Result<TrailFormat, ActionError> {
        match filled(&self.format).as_deref() {
            None | Some("csv") => Ok(TrailFormat::Csv),
            Some("json") => Ok(TrailFormat::Json),
            Some(_) => Err(ActionError::invalid("format", "must be csv or json")),
        }
    }
}

/// The entries of `scope` that `filter` keeps, as a query: oldest first when `ascending`.
fn query<'a>(
    scope: &Scope,
    filter: &TrailFilter,
) -> audit_log::BoxedQuery<'a, crate::db::MultiBackend> {
    let mut query = audit_log::table.into_boxed();
    match scope {
        Scope::Organisation(org) => {
            // A person's entries belong to the organisation they name, so grants or ratings in
            // another organisation are never shown here.
            let names_org = format!("%\"org_id\":\"{org}\"%");
            query = query.filter(
                audit_log::entity
                    .eq("organisation")
                    .and(audit_log::entity_id.eq(org.clone()))
                    .or(audit_log::entity.eq("enrolment").and(
                        audit_log::entity_id.eq_any(
                            enrolments::table
                                .filter(enrolments::org_id.eq(org.clone()))
                                .select(enrolments::id),
                        ),
                    ))
                    .or(audit_log::entity.eq("sampling_plan").and(
                        audit_log::entity_id.eq_any(
                            sampling_plans::table
                                .filter(sampling_plans::org_id.eq(org.clone()))
                                .select(sampling_plans::id),
                        ),
                    ))
                    .or(audit_log::entity.eq("export_batch").and(
                        audit_log::entity_id.eq_any(
                            export_batches::table
                                .filter(export_batches::org_id.eq(org.clone()))
                                .select(export_batches::id),
                        ),
                    ))
                    .or(audit_log::entity.eq("cohort").and(
                        audit_log::entity_id.eq_any(
                            cohorts::table
                                .filter(cohorts::org_id.eq(org.clone()))
                                .select(cohorts::id),
                        ),
                    ))
                    .or(audit_log::entity.eq("user").and(
                        audit_log::after_json
                            .like(names_org.clone())
                            .or(audit_log::before_json.like(names_org))
                            .assume_not_null(),
                    )),
            );
        }
        Scope::Enrolment(id) => {
            query = query
                .filter(audit_log::entity.eq("enrolment"))
                .filter(audit_log::entity_id.eq(id.clone()));
        }
    }
    if let Some(person) = &filter.person {
        query = query.filter(
            audit_log::actor_id
                .eq(person.clone())
                .assume_not_null()
                .or(audit_log::entity
                    .eq("user")
                    .and(audit_log::entity_id.eq(person.clone()))),
        );
    }
    if let Some(enrolment) = &filter.enrolment {
        query = query
            .filter(audit_log::entity.eq("enrolment"))
            .filter(audit_log::entity_id.eq(enrolment.clone()));
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_log::action.eq(action.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_log::at.ge(from));
    }
    if let Some(until) = filter.until {
        query = query.filter(audit_log::at.lt(until));
    }
    query
}

/// One screen of entries, newest first: at most `limit`, before `filter`'s `before` position.
pub fn page(
    conn: &mut DbConnection,
    scope: &Scope,
    filter: &TrailFilter,
    limit: i64,
) -> Result<Vec<Entry>, ActionError> {
    let mut q = query(scope, filter);
    if let Some(before) = filter.before {
        q = q.filter(audit_log::seq.lt(before));
    }
    Ok(q.order(audit_log::seq.desc())
        .limit(limit)
        .select(Entry::as_select())
        .load(conn)?)
}

/// Every entry `filter` keeps, oldest first (chain order), a page of 500 at a time.
pub fn each<E: From<diesel::result::Error>>(
    conn: &mut DbConnection,
    scope: &Scope,
    filter: &TrailFilter,
    mut on_entry: impl FnMut(&Entry) -> Result<(), E>,
) -> Result<(), E> {
    const PAGE: i64 = 500;
    let mut after = 0;
    loop {
        let entries: Vec<Entry> = query(scope, filter)
            .filter(audit_log::seq.gt(after))
            .order(audit_log::seq.asc())
            .limit(PAGE)
            .select(Entry::as_select())
            .load(conn)?;
        for entry in &entries {
            on_entry(entry)?;
        }
        match entries.last() {
            Some(last) if entries.len() as i64 == PAGE => after = last.seq,
            _ => return Ok(()),
        }
    }
}

/// The actions found in `scope`, sorted (the choices of the action filter).
pub fn actions(conn: &mut DbConnection, scope: &Scope) -> Result<Vec<String>, ActionError> {
    Ok(query(scope, &TrailFilter::default())
        .select(audit_log::action)
        .distinct()
        .order(audit_log::action.asc())
        .load(conn)?)
}

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
const COLUMNS_BEFORE_DIGESTS: usize = 10;

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

const AT_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6f";

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

/// An entry in plain words: what was done, and each field that changed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Described {
    /// e.g. "Evidence added".
    pub what: String,
    /// e.g. "status: submitted → assessed".
    pub changes: Vec<String>,
}

/// Describes an entry for people: the action's name and, field by field, before → after.
pub fn describe(entry: &Entry) -> Described {
    let parse = |text: &Option<String>| -> serde_json::Map<String, serde_json::Value> {
        text.as_deref()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
            .map(|v| match v {
                serde_json::Value::Object(map) => map,
                other => {
                    let mut map = serde_json::Map::new();
                    map.insert("value".into(), other);
                    map
                }
            })
            .unwrap_or_default()
    };
    let before = parse(&entry.before_json);
    let after = parse(&entry.after_json);
    let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    let changes = keys
        .into_iter()
        .filter_map(|key| {
            let (b, a) = (before.get(key), after.get(key));
            if b == a {
                return None;
            }
            let words = key.replace('_', " ");
            Some(match (b, a) {
                (Some(b), Some(a)) => format!("{words}: {} → {}", plain(b), plain(a)),
                (None, Some(a)) => format!("{words}: {}", plain(a)),
                (Some(b), None) => format!("{words}: {} (removed)", plain(b)),
                (None, None) => return None,
            })
        })
        .collect();
    Described {
        what: action_words(&entry.action),
        changes,
    }
}

/// A value as people read it: text as it is, nothing as "none", long values shortened.
fn plain(value: &serde_json::Value) -> String {
    const LONGEST: usize = 120;
    let text = match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "none".to_owned(),
        serde_json::Value::Array(items) if items.is_empty() => "none".to_owned(),
        other => other.to_string(),
    };
    if text.chars().count() > LONGEST {
        let cut: String = text.chars().take(LONGEST).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// `evidence.add` → "Evidence add", `sampling_plan.draw` → "Sampling plan draw".
fn action_words(action: &str) -> String {
    let words = action.replace(['.', '_'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
