//! What a page shows of an enrolment's reports, read from its stored evaluation.
//!
//! The portfolio page shows both views' bars, the gaps of one view and why each instance does not
//! count: all of it is in the stored report (the progress API's JSON). When the stored row is
//! current in the page's own read transaction, the page reads those parts from it, a parse of
//! the JSON where evaluating would run the engine in both views on every view of the page. When
//! it is not (a write committed and its refresh has not stored the new row yet), the enrolment is
//! evaluated right there, exactly as the refresh will, and read the same way: one path to what
//! the page shows, so the two cannot differ.

use serde::Deserialize;

use super::enrolment::Enrolment;
use super::evidence::{EvidenceRecord, list_evidence};
use super::progress::Evaluation;
use super::stored;
use crate::action::ActionError;
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::rules::{Progress, Status, View};
use crate::standards::Standard;

/// The reports in both views, as far as pages read them.
#[derive(Debug, Deserialize)]
pub struct ShownReports {
    /// Everything mapped, judged or not.
    pub claimed: ShownReport,
    /// Only what the assessor accepted.
    pub confirmed: ShownReport,
}

impl ShownReports {
    /// The report in `view`.
    pub fn of(&self, view: View) -> &ShownReport {
        match view {
            View::Claimed => &self.claimed,
            View::Confirmed => &self.confirmed,
        }
    }
}

/// One view's report, as far as pages read it (the rest of the stored JSON is skipped).
#[derive(Debug, Deserialize)]
pub struct ShownReport {
    /// Whether the unit is complete.
    pub complete: bool,
    /// Requirements met overall.
    pub progress: Progress,
    /// Each outcome's progress, in the standard's order.
    pub outcomes: Vec<ShownOutcome>,
    /// The knowledge items.
    pub knowledge: Vec<ShownItem>,
    /// Each evidence instance, in the portfolio's order.
    pub evidence: Vec<ShownInstance>,
    /// What is still missing, most useful first.
    pub gaps: Vec<ShownMessage>,
}

/// An outcome's line.
#[derive(Debug, Deserialize)]
pub struct ShownOutcome {
    /// The outcome id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its requirements met.
    pub progress: Progress,
}

/// A knowledge item's line.
#[derive(Debug, Deserialize)]
pub struct ShownItem {
    /// Whether completion needs it.
    pub required: bool,
    /// Whether it is met.
    pub status: Status,
}

/// An evidence instance's line.
#[derive(Debug, Deserialize)]
pub struct ShownInstance {
    /// The instance id (the record's id).
    pub id: String,
    /// Why it, or one of its mappings, does not count.
    #[serde(default)]
    pub not_counted: Vec<ShownMessage>,
}

/// A sentence of the report (a gap, a reason).
#[derive(Debug, Deserialize)]
pub struct ShownMessage {
    /// The sentence.
    pub message: String,
}

/// The enrolment's standard, its evidence records (oldest first) and its reports, all as of the
/// caller's transaction.
pub fn records_and_reports<'c>(
    conn: &mut DbConnection,
    catalogue: &'c Catalogue,
    enrolment: &Enrolment,
    candidate: String,
) -> Result<(&'c Standard, Vec<EvidenceRecord>, ShownReports), ActionError> {
    let standard = &catalogue.pinned(enrolment)?.standard;
    let (records, json) = match stored::fresh(conn, catalogue, enrolment, None)? {
        Some(row) => (list_evidence(conn, enrolment.id)?, row.progress),
        None => {
            let evaluation = Evaluation::load(conn, catalogue, enrolment, Some(candidate))?;
            let json = evaluation.progress_json().map_err(unreadable)?.json;
            (evaluation.records, json)
        }
    };
    let reports = serde_json::from_str(&json).map_err(unreadable)?;
    Ok((standard, records, reports))
}

/// The report is written by this program: failing to read it back is a fault, not input.
fn unreadable(error: serde_json::Error) -> ActionError {
    diesel::result::Error::DeserializationError(Box::new(error)).into()
}
