//! People in bulk: candidates read from a CSV file (name, email, learner number, cohort,
//! standard, assessor, IV), checked row by row with every problem named by line and field, then
//! created in one transaction — each with an invitation link, an enrolment when a standard is
//! given, and a place in a cohort. A dry run does the same work and keeps none of it, so what it
//! reports is exactly what the import would do.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::Connection;
use serde::Serialize;

use super::invitations::{self, InvitationLink};
use crate::action::ActionError;
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::portfolio::{self, NewEnrolment, cohorts};

/// The columns a file may have; `name` and `email` are required, the rest optional (an empty cell
/// leaves that part out).
pub const COLUMNS: [&str; 7] = [
    "name",
    "email",
    "learner_number",
    "cohort",
    "standard",
    "assessor",
    "iv",
];

/// The most rows one file may hold (a large intake; bigger ones are split).
pub const MAX_ROWS: usize = 5_000;

/// One candidate as the file gives them.
#[derive(Debug, Clone, Default)]
pub struct ImportRow {
    /// The line of the file the row starts on (the header is line 1).
    pub line: u64,
    /// Full name.
    pub name: String,
    /// Email.
    pub email: String,
    /// NSN or SCN.
    pub learner_number: Option<String>,
    /// A cohort of the organisation, by name.
    pub cohort: Option<String>,
    /// `CODE` or `CODE@VERSION` from the catalogue: enrols the candidate.
    pub standard: Option<String>,
    /// The assessor's email (someone holding the assessor role here).
    pub assessor: Option<String>,
    /// The internal verifier's email.
    pub iv: Option<String>,
}

/// What is wrong with one cell (or the file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ImportProblem {
    /// The line of the file (1 is the header).
    pub line: u64,
    /// The column, as the header names it (empty for a problem with the whole line).
    pub field: String,
    /// Why, in plain words.
    pub reason: String,
}

/// A person the import created (or, in a dry run, would create).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportedPerson {
    /// The line of the file.
    pub line: u64,
    /// Their name.
    pub name: String,
    /// Their email.
    pub email: String,
    /// Their enrolment, when the row named a standard (none in a dry run).
    pub enrolment_id: Option<String>,
    /// The link through which they choose their password (none in a dry run).
    pub invitation: Option<InvitationLink>,
}

/// What an import did, or a dry run would do.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// True when nothing was kept.
    pub dry_run: bool,
    /// Everyone created, in file order.
    pub people: Vec<ImportedPerson>,
}

/// Why an import kept nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file or some of its rows are wrong: every problem, in file order.
    #[error("{} problem(s) in the file", .0.len())]
    Rows(Vec<ImportProblem>),
    /// Anything else (the database).
    #[error(transparent)]
    Action(#[from] ActionError),
}

impl From<diesel::result::Error> for ImportError {
    fn from(err: diesel::result::Error) -> Self {
        ImportError::Action(err.into())
    }
}

impl From<crate::db::DbError> for ImportError {
    fn from(err: crate::db::DbError) -> Self {
        ImportError::Action(err.into())
    }
}

impl ImportError {
    /// The problems as field errors keyed `line N: column`, for a problem+json answer.
    pub fn into_action(self) -> ActionError {
        match self {
            ImportError::Rows(problems) => ActionError::Invalid(
                problems
                    .into_iter()
                    .map(|p| (problem_key(&p), p.reason))
                    .collect::<BTreeMap<_, _>>(),
            ),
            ImportError::Action(err) => err,
        }
    }
}

fn problem_key(problem: &ImportProblem) -> String {
    if problem.field.is_empty() {
        format!("line {}", problem.line)
    } else {
        format!("line {}: {}", problem.line, problem.field)
    }
}

/// Reads a CSV file (UTF-8, a header row naming the columns in any order). Every unreadable line
/// and unknown column is reported; nothing is dropped silently.
pub fn read_csv(bytes: &[u8]) -> Result<Vec<ImportRow>, ImportError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        ImportError::Rows(vec![ImportProblem {
            line: line_of(bytes, e.valid_up_to()),
            field: String::new(),
            reason: "is not UTF-8 text: save the file as CSV UTF-8".into(),
        }])
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // The csv reader counts a CRLF line break as no line at all for the first record (browsers
    // send a text box's lines with CRLF, spreadsheets save them so): with LF alone every row
    // keeps its own line number.
    let text = text.replace("\r\n", "\n");
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.as_bytes());
    let mut problems = Vec::new();
    let header: Vec<String> = match reader.headers() {
        Ok(header) => header.iter().map(|h| h.to_lowercase()).collect(),
        Err(err) => return Err(ImportError::Rows(vec![csv_problem(&err, 1)])),
    };
    for (i, column) in header.iter().enumerate() {
        if !COLUMNS.contains(&column.as_str()) {
            problems.push(ImportProblem {
                line: 1,
                field: column.clone(),
                reason: format!(
                    "is not a column this import reads (column {}); the columns are: {}",
                    i + 1,
                    COLUMNS.join(", ")
                ),
            });
        }
    }
    for required in ["name", "email"] {
        if !header.iter().any(|h| h == required) {
            problems.push(ImportProblem {
                line: 1,
                field: required.into(),
                reason: "is a required column and the header lacks it".into(),
            });
        }
    }
    if !problems.is_empty() {
        return Err(ImportError::Rows(problems));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(err) => {
                let line = err.position().map_or(0, |p| p.line());
                problems.push(csv_problem(&err, line));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            problems.push(ImportProblem {
                line,
                field: String::new(),
                reason: format!("the file holds more than {MAX_ROWS} people: split it"),
            });
            break;
        }
        for (i, value) in record.iter().enumerate() {
            if let Some(c) = value
                .chars()
                .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
            {
                problems.push(ImportProblem {
                    line,
                    field: header.get(i).cloned().unwrap_or_default(),
                    reason: format!("contains the control character U+{:04X}", u32::from(c)),
                });
            }
        }
        let cell = |name: &str| {
            header
                .iter()
                .position(|h| h == name)
                .and_then(|i| record.get(i))
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        rows.push(ImportRow {
            line,
            name: cell("name").unwrap_or_default(),
            email: cell("email").unwrap_or_default(),
            learner_number: cell("learner_number"),
            cohort: cell("cohort"),
            standard: cell("standard"),
            assessor: cell("assessor"),
            iv: cell("iv"),
        });
    }
    if !problems.is_empty() {
        return Err(ImportError::Rows(problems));
    }
    if rows.is_empty() {
        return Err(ImportError::Rows(vec![ImportProblem {
            line: 2,
            field: String::new(),
            reason: "the file names nobody: one person per line after the header".into(),
        }]));
    }
    Ok(rows)
}

fn csv_problem(err: &csv::Error, line: u64) -> ImportProblem {
    let reason = match err.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("has {len} cells where the header has {expected_len}"),
        _ => format!("cannot be read as CSV: {err}"),
    };
    ImportProblem {
        line,
        field: String::new(),
        reason,
    }
}

fn line_of(bytes: &[u8], offset: usize) -> u64 {
    1 + bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64
}

/// Creates every row's candidate (audited, each with an invitation), enrols them and puts them in
/// their cohort, all or nothing. With `dry_run` the same work is done and rolled back.
pub fn import_people(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    actor_id: Option<&str>,
    org_id: &str,
    rows: &[ImportRow],
    dry_run: bool,
    now: DateTime<Utc>,
) -> Result<ImportReport, ImportError> {
    let outcome = conn.transaction(|conn| {
        let mut people = Vec::with_capacity(rows.len());
        let mut problems = Vec::new();
        for row in rows {
            // A savepoint per row: a refused row leaves nothing behind, and the rows after it are
            // still checked, so one run names every problem.
            match conn.transaction(|conn| import_row(conn, catalogue, actor_id, org_id, row, now)) {
                Ok(person) => people.push(person),
                Err(ImportError::Rows(found)) => problems.extend(found),
                Err(other) => return Err(other),
            }
        }
        if !problems.is_empty() {
            return Err(ImportError::Rows(problems));
        }
        if dry_run {
            return Err(ImportError::Action(ActionError::Conflict(DRY_RUN.into())));
        }
        Ok(people)
    });
    match outcome {
        Ok(people) => Ok(ImportReport {
            dry_run: false,
            people,
        }),
        Err(ImportError::Action(ActionError::Conflict(reason))) if dry_run && reason == DRY_RUN => {
            let people = rows
                .iter()
                .map(|row| ImportedPerson {
                    line: row.line,
                    name: row.name.trim().to_owned(),
                    email: row.email.trim().to_lowercase(),
                    enrolment_id: None,
                    invitation: None,
                })
                .collect();
            Ok(ImportReport {
                dry_run: true,
                people,
            })
        }
        Err(err) => Err(err),
    }
}

/// The marker a dry run rolls back with (never shown).
const DRY_RUN: &str = "dry run: roll back";

fn import_row(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    actor_id: Option<&str>,
    org_id: &str,
    row: &ImportRow,
    now: DateTime<Utc>,
) -> Result<ImportedPerson, ImportError> {
    let on_row = |field: &str, reason: String| ImportProblem {
        line: row.line,
        field: field.to_owned(),
        reason,
    };
    let mut problems = Vec::new();
    let assessor = staff_id(
        conn,
        org_id,
        row.assessor.as_deref(),
        "assessor",
        &mut problems,
        row,
    )?;
    let iv = staff_id(conn, org_id, row.iv.as_deref(), "iv", &mut problems, row)?;
    let cohort = match &row.cohort {
        None => None,
        Some(name) => match cohorts::find_cohort(conn, org_id, name) {
            Ok(cohort) => Some(cohort),
            Err(ActionError::NotFound) => {
                problems.push(on_row(
                    "cohort",
                    format!("no cohort named \"{name}\" in this organisation: create it first"),
                ));
                None
            }
            Err(other) => return Err(other.into()),
        },
    };
    if cohort.is_some() && row.standard.is_none() {
        problems.push(on_row(
            "cohort",
            "a cohort holds enrolments: give the standard too".into(),
        ));
    }
    let new = super::NewUser {
        email: row.email.clone(),
        name: row.name.clone(),
        password: None,
        role: "candidate".into(),
        national_learner_number: row.learner_number.clone(),
    };
    let user = match super::create_user(conn, actor_id, org_id, new) {
        Ok(user) => Some(user),
        Err(ActionError::Invalid(fields)) => {
            problems.extend(fields.into_iter().map(|(field, reason)| {
                let column = match field.as_str() {
                    "national_learner_number" => "learner_number",
                    other => other,
                };
                on_row(column, reason)
            }));
            None
        }
        Err(other) => return Err(other.into()),
    };
    let (Some(user), true) = (user, problems.is_empty()) else {
        return Err(ImportError::Rows(problems));
    };
    let mut enrolment_id = None;
    if let Some(standard) = &row.standard {
        let new = NewEnrolment {
            org_id: crate::identity::parse_id(org_id)?,
            candidate_id: user.id,
            assessor_id: assessor,
            iv_id: iv,
            standard: standard.clone(),
            start_date: None,
        };
        let enrolment = portfolio::create_enrolment(conn, catalogue, actor_id, new, now)
            .map_err(|err| enrolment_problems(err, &on_row))?;
        if let Some(cohort) = &cohort {
            let members = cohorts::CohortMembers {
                add: vec![crate::identity::parse_id(&enrolment.id)?],
                remove: Vec::new(),
            };
            cohorts::change_members(conn, actor_id, cohort, &members).map_err(|err| match err {
                ActionError::Invalid(fields) => ImportError::Rows(
                    fields
                        .into_values()
                        .map(|reason| on_row("cohort", format!("the enrolment {reason}")))
                        .collect(),
                ),
                other => other.into(),
            })?;
        }
        enrolment_id = Some(enrolment.id);
    } else if assessor.is_some() || iv.is_some() {
        return Err(ImportError::Rows(vec![on_row(
            if assessor.is_some() { "assessor" } else { "iv" },
            "an assessor or IV is assigned to an enrolment: give the standard too".into(),
        )]));
    }
    let invitation = invitations::invite(conn, actor_id, &user.id.to_string(), now)?;
    Ok(ImportedPerson {
        line: row.line,
        name: user.name,
        email: user.email,
        enrolment_id,
        invitation: Some(invitation),
    })
}

fn enrolment_problems(
    err: ActionError,
    on_row: &impl Fn(&str, String) -> ImportProblem,
) -> ImportError {
    match err {
        ActionError::Invalid(fields) => ImportError::Rows(
            fields
                .into_iter()
                .map(|(field, reason)| {
                    let column = match field.as_str() {
                        "assessor_id" => "assessor",
                        "iv_id" => "iv",
                        "candidate_id" => "email",
                        other => other,
                    };
                    on_row(column, reason)
                })
                .collect(),
        ),
        other => other.into(),
    }
}

/// The id of the person `email` names, for a staff column; unknown emails are a problem of the row.
fn staff_id(
    conn: &mut DbConnection,
    org_id: &str,
    email: Option<&str>,
    column: &str,
    problems: &mut Vec<ImportProblem>,
    row: &ImportRow,
) -> Result<Option<uuid::Uuid>, ImportError> {
    let Some(email) = email else {
        return Ok(None);
    };
    let found = super::find_user_by_email(conn, &super::users::normalise_email(email))?;
    match found {
        Some(user) if super::is_member(conn, &user.id, org_id)? => {
            Ok(Some(crate::identity::parse_id(&user.id)?))
        }
        _ => {
            problems.push(ImportProblem {
                line: row.line,
                field: column.into(),
                reason: format!("nobody with the email {email} works in this organisation"),
            });
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<u64> {
        read_csv(text.as_bytes())
            .unwrap()
            .iter()
            .map(|r| r.line)
            .collect()
    }

    #[test]
    fn rows_keep_the_line_they_start_on_whatever_the_line_endings() {
        assert_eq!(lines("name,email\na,a@x.nz\nb,b@x.nz\n"), [2, 3]);
        assert_eq!(lines("name,email\r\na,a@x.nz\r\nb,b@x.nz\r\n"), [2, 3]);
        assert_eq!(
            lines("\u{feff}name,email\n\"a\nb\",a@x.nz\nc,c@x.nz"),
            [2, 4]
        );
    }

    #[test]
    fn unknown_columns_short_rows_and_control_characters_are_named() {
        let Err(ImportError::Rows(problems)) = read_csv(b"name,email,shoe\na,b,c\n") else {
            panic!("an unknown column is refused");
        };
        assert_eq!((problems[0].line, problems[0].field.as_str()), (1, "shoe"));
        let Err(ImportError::Rows(problems)) = read_csv(b"name,email\na\nb,c\x00d\n") else {
            panic!("a short row is refused");
        };
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems[0].line, 2);
        assert_eq!((problems[1].line, problems[1].field.as_str()), (3, "email"));
        assert!(read_csv(b"name,email\n").is_err(), "nobody to add");
        assert!(read_csv(b"name\nx\n").is_err(), "email is required");
    }
}
