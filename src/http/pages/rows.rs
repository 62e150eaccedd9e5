//! Enrolments as the lists show them (dashboard, caseload, the admin's list): who, which unit, how
//! far in both views, what waits for the assessor, how long the candidate has been quiet.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use serde::Serialize;
use uuid::Uuid;

use crate::action::ActionError;
use crate::auth::policy::{Actor, EnrolmentStatus, enrolment_scope};
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::{EnrolmentId, OrgId, UserId};
use crate::db::schema::users;
use crate::identity;
use crate::portfolio::{self, Enrolment, EnrolmentFilter};
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

/// User names by id, loaded once each (and each organisation's interpretations version).
#[derive(Default)]
pub struct Names(HashMap<UserId, String>, HashMap<OrgId, i64>);

impl Names {
    /// The organisation's interpretations version, read once.
    pub fn interpretations_version(
        &mut self,
        conn: &mut DbConnection,
        org_id: OrgId,
    ) -> Result<i64, ActionError> {
        if let Some(version) = self.1.get(&org_id) {
            return Ok(*version);
        }
        let version = portfolio::stored::interpretations_version(conn, org_id)?;
        self.1.insert(org_id, version);
        Ok(version)
    }

    /// Reads the names of `ids` not read yet, in one select (a list's names at once). An id with
    /// no user is left for [`Names::of`] to report.
    pub fn load(
        &mut self,
        conn: &mut DbConnection,
        ids: impl IntoIterator<Item = UserId>,
    ) -> Result<(), ActionError> {
        let mut wanted: Vec<UserId> = ids
            .into_iter()
            .filter(|id| !self.0.contains_key(id))
            .collect();
        wanted.sort();
        wanted.dedup();
        for chunk in wanted.chunks(500) {
            let found: Vec<(UserId, String)> = users::table
                .filter(users::id.eq_any(chunk))
                .select((users::id, users::name))
                .load(conn)?;
            self.0.extend(found);
        }
        Ok(())
    }

    /// The user's name.
    pub fn of(&mut self, conn: &mut DbConnection, user_id: UserId) -> Result<String, ActionError> {
        if let Some(name) = self.0.get(&user_id) {
            return Ok(name.clone());
        }
        let name = identity::load_user(conn, user_id)?.name;
        self.0.insert(user_id, name.clone());
        Ok(name)
    }
}

/// The rows of `enrolments`, in their order, each evaluated in both views. What every row needs
/// is read once for the whole list rather than once a row: the names in one select, the stored
/// summaries in one (a stale or missing one computed, see [`portfolio::stored::summaries`]), the
/// IV's pending disagreements of the submitted ones in one, each standard's date warning once.
/// Every list of enrolments (dashboard, caseload, the admin's list, cohorts, sampling) is made
/// here, so they all show the same figures.
pub fn rows(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    names: &mut Names,
    enrolments: &[Enrolment],
) -> Result<Vec<EnrolmentRow>, ActionError> {
    names.load(
        conn,
        enrolments
            .iter()
            .flat_map(|e| std::iter::once(e.candidate_id).chain(e.assessor_id)),
    )?;
    let mut pinned = Vec::with_capacity(enrolments.len());
    for enrolment in enrolments {
        if catalogue.pinned(enrolment).is_ok() {
            let version = names.interpretations_version(conn, enrolment.org_id)?;
            pinned.push((enrolment, version));
        }
    }
    let mut summaries = portfolio::stored::summaries(conn, catalogue, &pinned)?.into_iter();
    // Only a submitted portfolio can be waiting for the assessor's answer to the IV.
    let submitted: Vec<EnrolmentId> = enrolments
        .iter()
        .filter(|e| e.status == EnrolmentStatus::Submitted)
        .map(|e| e.id)
        .collect();
    let sent_back = if submitted.is_empty() {
        HashSet::new()
    } else {
        crate::signoff::feedback::pending_among(conn, &submitted)?
    };
    let today = Utc::now().date_naive();
    // Unit, title and date warning of each standard, keyed by where it sits in the catalogue.
    let mut standards: HashMap<*const Standard, (String, String, Option<String>)> = HashMap::new();
    let mut rows = Vec::with_capacity(enrolments.len());
    for enrolment in enrolments {
        let candidate = names.of(conn, enrolment.candidate_id)?;
        let assessor = match &enrolment.assessor_id {
            Some(id) => Some(names.of(conn, *id)?),
            None => None,
        };
        let mut date_warning = None;
        let (unit, title, claimed, confirmed, complete, waiting, last_by_candidate) =
            match catalogue.pinned(enrolment) {
                Ok(loaded) => {
                    // `summaries` holds one per pinned enrolment, in the same order.
                    let evaluated = summaries.next().ok_or(diesel::result::Error::NotFound)?;
                    let standard = &loaded.standard;
                    let (unit, title, warning) = standards
                        .entry(std::ptr::from_ref(standard))
                        .or_insert_with(|| {
                            let warning = crate::catalogue::date_warnings(standard, today)
                                .into_iter()
                                .find(|w| w.field == "last_date_for_assessment")
                                .map(|w| w.message);
                            (unit_name(standard), standard.title.clone(), warning)
                        });
                    if matches!(
                        enrolment.status,
                        EnrolmentStatus::Active | EnrolmentStatus::Submitted
                    ) {
                        date_warning.clone_from(warning);
                    }
                    (
                        unit.clone(),
                        title.clone(),
                        u32::try_from(evaluated.claimed_percent).unwrap_or(0),
                        u32::try_from(evaluated.confirmed_percent).unwrap_or(0),
                        evaluated.complete,
                        usize::try_from(evaluated.waiting).unwrap_or(0),
                        evaluated.last_by_candidate,
                    )
                }
                // Listed anyway, so the admin sees it; its page explains.
                Err(_) => {
                    let records = portfolio::list_evidence(conn, enrolment.id)?;
                    let (last_by_candidate, waiting) =
                        portfolio::stored::record_figures(&records, enrolment.candidate_id);
                    (
                        format!(
                            "{} v{}",
                            enrolment.standard_code, enrolment.standard_version
                        ),
                        "(standard no longer in the catalogue)".to_owned(),
                        0,
                        0,
                        false,
                        waiting,
                        last_by_candidate,
                    )
                }
            };
        let quiet_since = last_by_candidate.unwrap_or(enrolment.start_date);
        rows.push(EnrolmentRow {
            id: enrolment.id.to_string(),
            candidate,
            candidate_id: enrolment.candidate_id.to_string(),
            assessor,
            assessor_id: enrolment.assessor_id.map(|id| id.to_string()),
            unit,
            title,
            status: enrolment.status.to_string(),
            start_date: enrolment.start_date,
            claimed,
            confirmed,
            complete,
            waiting,
            idle_days: (today - quiet_since).num_days().max(0),
            sent_back: sent_back.contains(&enrolment.id),
            date_warning,
        });
    }
    Ok(rows)
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
    let mut page = portfolio::list_enrolments(conn, &scope, &filter)?;
    page.items.retain(|e| keep(e));
    rows(conn, catalogue, &mut Names::default(), &page.items)
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
