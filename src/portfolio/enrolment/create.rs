//! Enrolling a candidate on a standard version, and assigning (or changing) the assessor and
//! internal verifier, each checked against the organisation's staff.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::Deserialize;
use uuid::Uuid;

use super::{Enrolment, load_enrolment, refuse_when_closed};
use crate::action::{ActionError, Problems};
use crate::audit::{self, Change};
use crate::auth::policy::{EnrolmentStatus, Role};
use crate::catalogue::{Catalogue, open_for_enrolment};
use crate::db::DbConnection;
use crate::db::ids::{EnrolmentId, Id, OrgId, UserId};
use crate::db::schema::enrolments;
use crate::identity::holds;

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
pub(super) fn check_staff(
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
