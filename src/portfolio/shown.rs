//! What pages and grids show of an enrolment's reports, read from its stored evaluation.
//!
//! The portfolio page shows both views' bars, the gaps of one view and why each instance does not
//! count; a cohort's grid, each criterion's standing: all of it is in the stored report (the
//! progress API's JSON). When the stored row is
//! current in the page's own read transaction, the page reads those parts from it, a parse of
//! the JSON where evaluating would run the engine in both views on every view of the page. When
//! it is not (a write committed and its refresh has not stored the new row yet), the enrolment is
//! evaluated right there, exactly as the refresh will, and read the same way ([`reports`]): the
//! two cannot differ.

use serde::Deserialize;

use super::enrolment::Enrolment;
use super::evidence::{EvidenceRecord, list_evidence};
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
    /// The knowledge items, in the standard's order.
    pub knowledge: Vec<ShownItem>,
    /// Each evidence instance, in the portfolio's order.
    pub evidence: Vec<ShownInstance>,
    /// What is still missing, most useful first.
    pub gaps: Vec<ShownMessage>,
}

impl ShownReport {
    /// Every criterion (with its outcome's id) and then every knowledge item (with `knowledge`).
    pub fn items(&self) -> impl Iterator<Item = (&str, &ShownItem)> {
        self.outcomes
            .iter()
            .flat_map(|o| o.criteria.iter().map(move |c| (o.id.as_str(), c)))
            .chain(self.knowledge.iter().map(|k| ("knowledge", k)))
    }
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
    /// Its criteria.
    pub criteria: Vec<ShownItem>,
}

/// A criterion's or knowledge item's line.
#[derive(Debug, Deserialize)]
pub struct ShownItem {
    /// The item id.
    pub id: String,
    /// The item's text.
    pub text: String,
    /// Whether it is met.
    pub status: Status,
    /// Recorded as not applicable.
    #[serde(default)]
    pub not_applicable: bool,
    /// Whether completion needs it (knowledge items no rule requires are shown for information).
    pub required: bool,
    /// Evidence instances that count for it in this view.
    pub evidence: Vec<String>,
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

/// The enrolment's reports as of the caller's transaction: read from its stored evaluation when
/// that is current, else evaluated now (and not stored). `version` is the organisation's
/// interpretations version when the caller has it (see [`stored::fresh`]).
pub fn reports(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    enrolment: &Enrolment,
    version: Option<i64>,
) -> Result<ShownReports, ActionError> {
    let json = stored::current_json(conn, catalogue, enrolment, version)?;
    serde_json::from_str(&json).map_err(|e| {
        // Written by this program: failing to read it back is a fault, not input.
        ActionError::from(diesel::result::Error::DeserializationError(Box::new(e)))
    })
}

/// The enrolment's standard, its evidence records (oldest first) and its [`reports`], all as of
/// the caller's transaction.
pub fn records_and_reports<'c>(
    conn: &mut DbConnection,
    catalogue: &'c Catalogue,
    enrolment: &Enrolment,
) -> Result<(&'c Standard, Vec<EvidenceRecord>, ShownReports), ActionError> {
    let standard = &catalogue.pinned(enrolment)?.standard;
    let reports = reports(conn, catalogue, enrolment, None)?;
    Ok((standard, list_evidence(conn, enrolment.id)?, reports))
}
