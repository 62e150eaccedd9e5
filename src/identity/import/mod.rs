//! People in bulk: candidates read from a CSV file (name, email, learner number, cohort,
//! standard, assessor, IV), checked row by row with every problem named by line and field, then
//! created in one transaction — each with an invitation link, an enrolment when a standard is
//! given, and a place in a cohort. A dry run does the same work and keeps none of it, so what it
//! reports is exactly what the import would do.

mod create;
mod read;

pub use create::import_people;
pub use read::read_csv;

use std::collections::BTreeMap;

use serde::Serialize;

use super::invitations::InvitationLink;
use crate::action::ActionError;

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
