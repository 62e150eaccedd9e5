//! Reading the audit trail: an organisation's entries (or one enrolment's), filtered by person,
//! enrolment, action and date, each in plain words; and the trail as a CSV or JSON file that keeps
//! every hashed field exactly, so [`check_file`] (`attest audit verify --file`) can check each
//! entry's hash and the links between consecutive entries without the database.
//!
//! The chain itself (writing, walking it whole) is [`crate::audit`].
//!
//! The filters and formats are here; reading entries from the database is in `entries`, trail
//! files (write, read, check) in `file`, and entries in plain words in `describe`.

pub mod actions;
mod describe;
mod entries;
mod file;

pub use describe::{Described, describe};
pub use entries::{actions, each, page};
pub use file::{COLUMNS, FileCheck, FileEntry, FileError, check_file, read_file, write_file};

use chrono::{NaiveDate, NaiveDateTime};
use serde::Deserialize;

use crate::action::{ActionError, Problems};

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
