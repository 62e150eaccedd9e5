//! Enrolments: a candidate on one standard version, with an assessor and an internal verifier, pinned
//! to the content hash of the standard version it started on.

use crate::db::FirstRow;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::action::{ActionError, Problems};
use crate::audit::{self, Change};
use crate::auth::policy::{EnrolmentFacts, EnrolmentScope, EnrolmentStatus, Role};
use crate::catalogue::{Catalogue, open_for_enrolment};
use crate::db::DbConnection;
use crate::db::ids::{CohortId, EnrolmentId, Id, OrgId, UserId};
use crate::db::schema::enrolments;
use crate::identity::holds;

/// An enrolment as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = enrolments)]
pub struct Enrolment {
    /// Its id.
    #[schema(value_type = String)]
    pub id: EnrolmentId,
    /// The organisation.
    #[schema(value_type = String)]
    pub org_id: OrgId,
    /// The candidate.
    #[schema(value_type = String)]
    pub candidate_id: UserId,
    /// The assessor.
    #[schema(value_type = Option<String>)]
    pub assessor_id: Option<UserId>,
    /// The internal verifier.
    #[schema(value_type = Option<String>)]
    pub iv_id: Option<UserId>,
    /// The standard's code.
    pub standard_code: String,
    /// The standard's version.
    pub standard_version: i32,
    /// SHA-256 of the standard's file when the enrolment started.
    pub standard_hash: String,
    /// active, submitted, assessed, sampled, certified or withdrawn.
    #[schema(value_type = String)]
    pub status: EnrolmentStatus,
    /// When the candidate started.
    pub start_date: NaiveDate,
    /// Not-applicable marks and rule confirmations (JSON).
    #[serde(skip)]
    pub assessor_marks: String,
    /// Who signed the unit decision.
    #[schema(value_type = Option<String>)]
    pub decided_by: Option<UserId>,
    /// Why it was last reopened.
    pub reopen_reason: Option<String>,
    /// Created.
    #[serde(serialize_with = "crate::db::utc::serialize")]
    pub created_at: NaiveDateTime,
    /// Last changed (evidence, judgement, status).
    #[serde(serialize_with = "crate::db::utc::serialize")]
    pub updated_at: NaiveDateTime,
    /// Submitted by the candidate.
    #[serde(serialize_with = "crate::db::utc::serialize_option")]
    pub submitted_at: Option<NaiveDateTime>,
    /// Assessed (unit decision).
    #[serde(serialize_with = "crate::db::utc::serialize_option")]
    pub assessed_at: Option<NaiveDateTime>,
    /// The cohort it belongs to, if any.
    #[schema(value_type = Option<String>)]
    pub cohort_id: Option<CohortId>,
    /// Bumped by the database whenever anything the engine reads of this enrolment changes
    /// (evidence, marks, pinned standard, the candidate's name): a stored evaluation of another
    /// revision is stale.
    #[serde(skip)]
    pub revision: i64,
}

impl Enrolment {
    /// The day the candidate submitted the portfolio the assessor then judged complete: the day the
    /// requirements were met, not the day of marking (the decision) or of an export.
    pub fn date_achieved(&self) -> Option<chrono::NaiveDate> {
        self.submitted_at.or(self.assessed_at).map(|at| at.date())
    }

    /// Its status (an unknown stored status fails the query that read the row: a corrupt row).
    pub fn status(&self) -> EnrolmentStatus {
        self.status
    }

    /// The facts the policy decides on. (It no longer fails: the ids were checked when the row
    /// was read. The `Result` stays so callers need not change.)
    pub fn facts(&self) -> Result<EnrolmentFacts, ActionError> {
        Ok(EnrolmentFacts {
            org_id: self.org_id.uuid(),
            candidate_id: self.candidate_id.uuid(),
            assessor_id: self.assessor_id.map(Id::uuid),
            iv_id: self.iv_id.map(Id::uuid),
            decided_by: self.decided_by.map(Id::uuid),
            status: self.status,
        })
    }
}

/// What is needed to enrol a candidate.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEnrolment {
    /// The organisation.
    pub org_id: Uuid,
    /// The candidate (holds the candidate role there).
    pub candidate_id: Uuid,
    /// The assessor (holds the assessor role there).
    #[serde(default)]
    pub assessor_id: Option<Uuid>,
    /// The internal verifier (holds that role there; not the assessor).
    #[serde(default)]
    pub iv_id: Option<Uuid>,
    /// The standard: `CODE` (newest version) or `CODE@VERSION`.
    pub standard: String,
    /// The start date; today when absent.
    #[serde(default)]
    pub start_date: Option<NaiveDate>,
}

/// Enrols a candidate (audited). Every field problem is reported together.
pub fn create_enrolment(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    actor_id: Option<&str>,
    new: NewEnrolment,
    now: DateTime<Utc>,
) -> Result<Enrolment, ActionError> {
    let org = OrgId::from(new.org_id);
    let mut problems = Problems::default();
    let standard = catalogue.find_in(new.org_id, &new.standard);
    match standard {
        None => problems.add(
            "standard",
            format!("no standard {} in the catalogue", new.standard),
        ),
        Some(found) if !open_for_enrolment(&found.standard, now.date_naive()) => problems.add(
            "standard",
            format!(
                "{} version {} takes no new enrolments: its last date for {} was {}",
                found.standard.code,
                found.standard.version,
                if found.standard.dates.last_date_for_enrolment.is_some() {
                    "enrolment"
                } else {
                    "assessment"
                },
                crate::catalogue::last_enrolment_day(&found.standard)
                    .map(|d| d.to_string())
                    .unwrap_or_default()
            ),
        ),
        Some(_) => {}
    }
    if !holds(conn, new.candidate_id.into(), org, Role::Candidate, now)? {
        problems.add("candidate_id", "is not a candidate in this organisation");
    }
    let staff = Staff {
        assessor_id: new.assessor_id,
        iv_id: new.iv_id,
    };
    check_staff(conn, org, new.candidate_id, &staff, now, &mut problems)?;
    problems.finish()?;
    let loaded = standard.ok_or_else(|| ActionError::invalid("standard", "not found"))?;
    let timestamp = now.naive_utc();
    let enrolment = Enrolment {
        id: EnrolmentId::random(),
        org_id: org,
        candidate_id: new.candidate_id.into(),
        assessor_id: new.assessor_id.map(UserId::from),
        iv_id: new.iv_id.map(UserId::from),
        standard_code: loaded.standard.code.clone(),
        standard_version: i32::try_from(loaded.standard.version).unwrap_or(i32::MAX),
        standard_hash: loaded.content_hash.clone(),
        status: EnrolmentStatus::Active,
        start_date: new.start_date.unwrap_or_else(|| now.date_naive()),
        assessor_marks: "{}".into(),
        decided_by: None,
        reopen_reason: None,
        created_at: timestamp,
        updated_at: timestamp,
        submitted_at: None,
        assessed_at: None,
        cohort_id: None,
        revision: 0,
    };
    diesel::insert_into(enrolments::table)
        .values(&enrolment)
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id,
            action: "enrolment.create",
            entity: "enrolment",
            entity_id: &enrolment.id.to_string(),
            before: None,
            after: Some(crate::db::json::to_value(&enrolment)?),
        },
    )?;
    Ok(enrolment)
}

/// Who assesses and who verifies an enrolment.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Staff {
    /// The assessor (holds the assessor role in the organisation); none leaves it unassigned.
    #[serde(default)]
    pub assessor_id: Option<Uuid>,
    /// The internal verifier (holds that role there; not the assessor).
    #[serde(default)]
    pub iv_id: Option<Uuid>,
}

/// Adds a problem for each member of `staff` who may not take that part in `candidate`'s
/// enrolment: the role must be held in the organisation, and nobody checks their own work.
fn check_staff(
    conn: &mut DbConnection,
    org: OrgId,
    candidate: Uuid,
    staff: &Staff,
    now: DateTime<Utc>,
    problems: &mut Problems,
) -> Result<(), ActionError> {
    if let Some(assessor) = staff.assessor_id {
        if !holds(conn, assessor.into(), org, Role::Assessor, now)? {
            problems.add("assessor_id", "is not an assessor in this organisation");
        }
        if assessor == candidate {
            problems.add("assessor_id", "a candidate cannot assess themself");
        }
    }
    if let Some(iv) = staff.iv_id {
        if !holds(conn, iv.into(), org, Role::InternalVerifier, now)? {
            problems.add("iv_id", "is not an internal verifier in this organisation");
        }
        if iv == candidate {
            problems.add("iv_id", "a candidate cannot verify their own portfolio");
        }
        if Some(iv) == staff.assessor_id {
            problems.add(
                "iv_id",
                "an internal verifier cannot verify their own assessment decisions",
            );
        }
    }
    Ok(())
}

/// Sets who assesses and who verifies an enrolment (audited). A decision already signed stays
/// signed by whoever signed it; a withdrawn or certified enrolment is closed.
pub fn assign_staff(
    conn: &mut DbConnection,
    enrolment: &Enrolment,
    actor: UserId,
    staff: Staff,
    now: DateTime<Utc>,
) -> Result<Enrolment, ActionError> {
    refuse_when_closed(enrolment)?;
    let mut problems = Problems::default();
    check_staff(
        conn,
        enrolment.org_id,
        enrolment.candidate_id.uuid(),
        &staff,
        now,
        &mut problems,
    )?;
    problems.finish()?;
    let timestamp = now.naive_utc();
    diesel::update(enrolments::table.find(enrolment.id))
        .set((
            enrolments::assessor_id.eq(staff.assessor_id.map(UserId::from)),
            enrolments::iv_id.eq(staff.iv_id.map(UserId::from)),
            enrolments::updated_at.eq(timestamp),
        ))
        .execute(conn)?;
    let after = load_enrolment(conn, enrolment.id)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(&actor.to_string()),
            action: "enrolment.assign_staff",
            entity: "enrolment",
            entity_id: &enrolment.id.to_string(),
            before: Some(serde_json::json!({
                "assessor_id": enrolment.assessor_id, "iv_id": enrolment.iv_id,
            })),
            after: Some(serde_json::json!({
                "assessor_id": after.assessor_id, "iv_id": after.iv_id,
            })),
        },
    )?;
    Ok(after)
}

/// Withdraws an enrolment with the reason (audited): nothing more can be added, judged or signed.
pub fn withdraw(
    conn: &mut DbConnection,
    enrolment: &Enrolment,
    actor: UserId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Enrolment, ActionError> {
    refuse_when_closed(enrolment)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ActionError::invalid(
            "reason",
            "is required: say why the candidate is withdrawn",
        ));
    }
    crate::reported::refuse_when_reported(conn, enrolment.id, "withdraw the candidate")?;
    let timestamp = now.naive_utc();
    diesel::update(enrolments::table.find(enrolment.id))
        .set((
            enrolments::status.eq(EnrolmentStatus::Withdrawn.as_str()),
            enrolments::updated_at.eq(timestamp),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(&actor.to_string()),
            action: "enrolment.withdraw",
            entity: "enrolment",
            entity_id: &enrolment.id.to_string(),
            before: Some(serde_json::json!({ "status": enrolment.status })),
            after: Some(serde_json::json!({
                "status": EnrolmentStatus::Withdrawn.as_str(), "reason": reason,
            })),
        },
    )?;
    load_enrolment(conn, enrolment.id)
}

fn refuse_when_closed(enrolment: &Enrolment) -> Result<(), ActionError> {
    match enrolment.status() {
        EnrolmentStatus::Withdrawn | EnrolmentStatus::Certified => Err(ActionError::Conflict(
            format!("the enrolment is {}: it is closed", enrolment.status),
        )),
        _ => Ok(()),
    }
}

/// One enrolment.
pub fn load_enrolment(conn: &mut DbConnection, id: EnrolmentId) -> Result<Enrolment, ActionError> {
    // On the backend's own connection: nearly every request reads it (see `crate::on_backend`).
    Ok(crate::on_backend!(conn, |c| enrolments::table
        .find(id)
        .select(Enrolment::as_select())
        .first_row(c))?)
}

/// The last page number a client may ask for (the largest 32-bit signed integer, as documented).
const MAX_PAGE: u32 = i32::MAX as u32;

/// Filters for the enrolment list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EnrolmentFilter {
    /// The organisation (required when the user belongs to several).
    pub org_id: Option<Uuid>,
    /// Only this status.
    pub status: Option<String>,
    /// Only this standard code.
    pub standard: Option<String>,
    /// Only this assessor.
    pub assessor_id: Option<Uuid>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 2147483647)]
    pub page: Option<u32>,
    /// Items per page (1–200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

/// A page of enrolments.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EnrolmentPage {
    /// The enrolments on this page, newest first.
    pub items: Vec<Enrolment>,
    /// This page.
    pub page: u32,
    /// Items per page.
    pub per_page: u32,
    /// Matching enrolments in all.
    pub total: i64,
}

/// The enrolments in `scope` that match `filter`, a page at a time.
pub fn list_enrolments(
    conn: &mut DbConnection,
    scope: &EnrolmentScope,
    filter: &EnrolmentFilter,
) -> Result<EnrolmentPage, ActionError> {
    let mut problems = Problems::default();
    let status = filter
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if let Some(status) = status {
        if !EnrolmentStatus::ALL.iter().any(|s| s.as_str() == status) {
            problems.add(
                "status",
                "must be active, submitted, assessed, sampled, certified or withdrawn",
            );
        }
    }
    let per_page = filter.per_page.unwrap_or(50);
    if !(1..=200).contains(&per_page) {
        problems.add("per_page", "must be between 1 and 200");
    }
    let page = filter.page.unwrap_or(1);
    if page == 0 || page > MAX_PAGE {
        problems.add("page", "must be between 1 and 2147483647");
    }
    problems.finish()?;

    let query = || {
        let mut query = enrolments::table
            .filter(enrolments::org_id.eq(scope.org_id.to_string()))
            .into_boxed();
        if !scope.whole_org {
            let mut ids: Vec<String> = scope
                .verified_assessors
                .iter()
                .map(Uuid::to_string)
                .collect();
            if let Some(assessor) = scope.assessor_id {
                ids.push(assessor.to_string());
            }
            let candidate = scope
                .candidate_id
                .map(|id| id.to_string())
                .unwrap_or_default();
            let iv = scope.iv_id.map(|id| id.to_string()).unwrap_or_default();
            query = query.filter(
                enrolments::candidate_id
                    .eq(candidate)
                    .or(enrolments::iv_id.eq(iv))
                    .or(enrolments::assessor_id.eq_any(ids)),
            );
        }
        if let Some(status) = status {
            query = query.filter(enrolments::status.eq(status.to_owned()));
        }
        if let Some(code) = filter.standard.as_deref().filter(|s| !s.trim().is_empty()) {
            query = query.filter(enrolments::standard_code.eq(code.trim().to_owned()));
        }
        if let Some(assessor) = filter.assessor_id {
            query = query.filter(enrolments::assessor_id.eq(assessor.to_string()));
        }
        query
    };
    let total: i64 = query().count().get_result(conn)?;
    let items = query()
        .order((enrolments::created_at.desc(), enrolments::id))
        .limit(i64::from(per_page))
        .offset(i64::from(page - 1) * i64::from(per_page))
        .select(Enrolment::as_select())
        .load(conn)?;
    Ok(EnrolmentPage {
        items,
        page,
        per_page,
        total,
    })
}

fn set_status(
    conn: &mut DbConnection,
    enrolment: &Enrolment,
    actor: UserId,
    action: &str,
    to: EnrolmentStatus,
    extra: serde_json::Value,
    now: NaiveDateTime,
) -> Result<Enrolment, ActionError> {
    let mut changed = enrolment.clone();
    changed.status = to;
    changed.updated_at = now;
    match to {
        EnrolmentStatus::Submitted => changed.submitted_at = Some(now),
        EnrolmentStatus::Active => {
            changed.reopen_reason = extra
                .get("reason")
                .and_then(|r| r.as_str())
                .map(str::to_owned);
            changed.submitted_at = None;
            changed.assessed_at = None;
            changed.decided_by = None;
        }
        _ => {}
    }
    diesel::update(enrolments::table.find(enrolment.id))
        .set((
            enrolments::status.eq(changed.status),
            enrolments::updated_at.eq(now),
            enrolments::submitted_at.eq(changed.submitted_at),
            enrolments::assessed_at.eq(changed.assessed_at),
            enrolments::decided_by.eq(&changed.decided_by),
            enrolments::reopen_reason.eq(&changed.reopen_reason),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(&actor.to_string()),
            action,
            entity: "enrolment",
            entity_id: &enrolment.id.to_string(),
            before: Some(serde_json::json!({ "status": enrolment.status })),
            after: Some(serde_json::json!({ "status": changed.status, "detail": extra })),
        },
    )?;
    Ok(changed)
}

/// The candidate submits the portfolio with their declaration of authenticity for the unit.
pub fn submit(
    conn: &mut DbConnection,
    enrolment: &Enrolment,
    actor: UserId,
    declaration: bool,
    now: DateTime<Utc>,
) -> Result<Enrolment, ActionError> {
    if !declaration {
        return Err(ActionError::invalid(
            "declaration",
            "confirm that the evidence is your own work to submit",
        ));
    }
    if enrolment.status() != EnrolmentStatus::Active {
        return Err(ActionError::Conflict(format!(
            "the portfolio is {} and cannot be submitted",
            enrolment.status
        )));
    }
    set_status(
        conn,
        enrolment,
        actor,
        "enrolment.submit",
        EnrolmentStatus::Submitted,
        serde_json::json!({ "declaration": "I confirm that the evidence in this portfolio is my own work." }),
        now.naive_utc(),
    )
}

/// The assessor reopens a submitted or assessed portfolio, with a reason.
pub fn reopen(
    conn: &mut DbConnection,
    enrolment: &Enrolment,
    actor: UserId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Enrolment, ActionError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ActionError::invalid(
            "reason",
            "say why the portfolio is reopened",
        ));
    }
    if !matches!(
        enrolment.status(),
        EnrolmentStatus::Submitted | EnrolmentStatus::Assessed
    ) {
        return Err(ActionError::Conflict(format!(
            "the portfolio is {}; only a submitted or assessed portfolio can be reopened",
            enrolment.status
        )));
    }
    crate::reported::refuse_when_reported(conn, enrolment.id, "reopen the portfolio")?;
    set_status(
        conn,
        enrolment,
        actor,
        "enrolment.reopen",
        EnrolmentStatus::Active,
        serde_json::json!({ "reason": reason }),
        now.naive_utc(),
    )
}

/// Marks the enrolment as changed now (evidence or judgement).
pub(super) fn touch(
    conn: &mut DbConnection,
    id: EnrolmentId,
    now: NaiveDateTime,
) -> Result<(), ActionError> {
    crate::on_backend!(conn, |c| diesel::update(enrolments::table.find(id))
        .set(enrolments::updated_at.eq(now))
        .execute(c))?;
    Ok(())
}
