//! Enrolments as the lists show them (dashboard, caseload, the admin's list): who, which unit, how
//! far in both views, what waits for the assessor, how long the candidate has been quiet.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::action::ActionError;
use crate::auth::policy::{Actor, enrolment_scope};
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::identity;
use crate::portfolio::{self, Enrolment, EnrolmentFilter, EvidenceRecord};
use crate::standards::Standard;

/// One enrolment in a list.
#[derive(Debug, Clone, Serialize)]
pub struct EnrolmentRow {
    /// The enrolment id.
    pub id: String,
    /// The candidate's name.
    pub candidate: String,
    /// The candidate's id.
    pub candidate_id: String,
    /// The assessor's name, if one is assigned.
    pub assessor: Option<String>,
    /// The assessor's id.
    pub assessor_id: Option<String>,
    /// "NZQA 28268 v2".
    pub unit: String,
    /// The standard's title.
    pub title: String,
    /// active, submitted, …
    pub status: String,
    /// When the candidate started.
    pub start_date: NaiveDate,
    /// Requirements met counting everything mapped, in percent.
    pub claimed: u32,
    /// Requirements met counting only what the assessor accepted, in percent.
    pub confirmed: u32,
    /// Every requirement met in the confirmed view.
    pub complete: bool,
    /// Mappings waiting for the assessor's judgement.
    pub waiting: usize,
    /// Days since the candidate last added evidence (or since the start, before any).
    pub idle_days: i64,
    /// An internal verifier disagreed with the decision and the assessor has not answered yet.
    pub sent_back: bool,
    /// The standard version's last date for assessment, when it is near or has passed (open
    /// enrolments only).
    pub date_warning: Option<String>,
}

/// "NZQA 28268 v2".
pub fn unit_name(standard: &Standard) -> String {
    format!(
        "{} {} v{}",
        standard.framework, standard.code, standard.version
    )
}

/// The standard an enrolment is pinned to; gone from the catalogue is a conflict the admin must
/// resolve, not a fault.
pub fn standard_of<'a>(
    catalogue: &'a Catalogue,
    enrolment: &Enrolment,
) -> Result<&'a Standard, ActionError> {
    catalogue.pinned(enrolment).map(|loaded| &loaded.standard)
}

/// Mappings of the records the assessor has not judged yet (testimony still awaiting its witness
/// left out: see [`EvidenceRecord::waiting_mappings`], which the "next item waiting" shares).
pub fn waiting_for_judgement(records: &[EvidenceRecord]) -> usize {
    records.iter().map(EvidenceRecord::waiting_mappings).sum()
}

/// User names by id, loaded once each.
#[derive(Default)]
pub struct Names(HashMap<String, String>);

impl Names {
    /// The user's name.
    pub fn of(&mut self, conn: &mut DbConnection, user_id: &str) -> Result<String, ActionError> {
        if let Some(name) = self.0.get(user_id) {
            return Ok(name.clone());
        }
        let name = identity::load_user(conn, user_id)?.name;
        self.0.insert(user_id.to_owned(), name.clone());
        Ok(name)
    }
}

/// The row of one enrolment: evaluates its portfolio in both views.
pub fn row(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    names: &mut Names,
    enrolment: &Enrolment,
) -> Result<EnrolmentRow, ActionError> {
    let candidate = names.of(conn, &enrolment.candidate_id)?;
    let assessor = match &enrolment.assessor_id {
        Some(id) => Some(names.of(conn, id)?),
        None => None,
    };
    let mut date_warning = None;
    let (unit, title, claimed, confirmed, complete, records) = match catalogue.pinned(enrolment) {
        Ok(_) => {
            let evaluation =
                portfolio::Evaluation::load(conn, catalogue, enrolment, Some(candidate.clone()))?;
            let report = evaluation.progress();
            let (claimed, confirmed, complete) = (
                report.claimed.progress.percent(),
                report.confirmed.progress.percent(),
                report.confirmed.complete,
            );
            date_warning = if matches!(enrolment.status.as_str(), "active" | "submitted") {
                crate::catalogue::date_warnings(evaluation.standard, Utc::now().date_naive())
                    .into_iter()
                    .find(|w| w.field == "last_date_for_assessment")
                    .map(|w| w.message)
            } else {
                None
            };
            (
                unit_name(evaluation.standard),
                evaluation.standard.title.clone(),
                claimed,
                confirmed,
                complete,
                evaluation.records,
            )
        }
        // Listed anyway, so the admin sees it; its page explains.
        Err(_) => (
            format!(
                "{} v{}",
                enrolment.standard_code, enrolment.standard_version
            ),
            "(standard no longer in the catalogue)".to_owned(),
            0,
            0,
            false,
            portfolio::list_evidence(conn, &enrolment.id)?,
        ),
    };
    let last_by_candidate = records
        .iter()
        .filter(|r| r.recorded_by == enrolment.candidate_id)
        .map(|r| r.recorded_at.date())
        .max();
    let quiet_since = last_by_candidate.unwrap_or(enrolment.start_date);
    Ok(EnrolmentRow {
        id: enrolment.id.clone(),
        candidate,
        candidate_id: enrolment.candidate_id.clone(),
        assessor,
        assessor_id: enrolment.assessor_id.clone(),
        unit,
        title,
        status: enrolment.status.clone(),
        start_date: enrolment.start_date,
        claimed,
        confirmed,
        complete,
        waiting: waiting_for_judgement(&records),
        idle_days: (Utc::now().date_naive() - quiet_since).num_days().max(0),
        // Only a submitted portfolio can be waiting for the assessor's answer to the IV.
        sent_back: enrolment.status == "submitted"
            && crate::signoff::feedback::pending(conn, &enrolment.id)?.is_some(),
        date_warning,
    })
}

/// The enrolments of one organisation the actor may read (up to 200, newest first), keeping those
/// `keep` selects, as rows.
pub fn rows_in_org(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    actor: &Actor,
    org_id: Uuid,
    keep: impl Fn(&Enrolment) -> bool,
) -> Result<Vec<EnrolmentRow>, ActionError> {
    let Some(scope) = enrolment_scope(actor, org_id, Utc::now()) else {
        return Ok(Vec::new());
    };
    let filter = EnrolmentFilter {
        org_id: Some(org_id),
        per_page: Some(200),
        ..Default::default()
    };
    let page = portfolio::list_enrolments(conn, &scope, &filter)?;
    let mut names = Names::default();
    page.items
        .iter()
        .filter(|e| keep(e))
        .map(|e| row(conn, catalogue, &mut names, e))
        .collect()
}

/// Every enrolment of one organisation the actor may read, newest first, with `status` when
/// given. For work lists (decisions to sample, statements to issue), where the oldest waiting
/// matter most, so all are read, a page of 200 at a time.
pub fn enrolments_in_org(
    conn: &mut DbConnection,
    actor: &Actor,
    org_id: Uuid,
    status: Option<&str>,
) -> Result<Vec<Enrolment>, ActionError> {
    let Some(scope) = enrolment_scope(actor, org_id, Utc::now()) else {
        return Ok(Vec::new());
    };
    let mut all = Vec::new();
    for page in 1.. {
        let filter = EnrolmentFilter {
            org_id: Some(org_id),
            status: status.map(str::to_owned),
            page: Some(page),
            per_page: Some(200),
            ..Default::default()
        };
        let found = portfolio::list_enrolments(conn, &scope, &filter)?;
        let last = found.items.len() < 200;
        all.extend(found.items);
        if last || i64::try_from(all.len()).unwrap_or(i64::MAX) >= found.total {
            break;
        }
    }
    Ok(all)
}

/// The organisations in which the actor holds a live role, sorted.
pub fn live_orgs(actor: &Actor) -> Vec<Uuid> {
    let now = Utc::now();
    let mut orgs: Vec<Uuid> = actor
        .grants
        .iter()
        .filter(|g| g.is_live(now))
        .map(|g| g.org_id)
        .collect();
    orgs.sort();
    orgs.dedup();
    orgs
}
