//! Enrolments: a candidate on one standard version, with an assessor and an internal verifier, pinned
//! to the content hash of the standard version it started on.
//!
//! The row and loading it are here; enrolling a candidate and assigning staff are in `create`,
//! withdrawing, submitting and reopening in `status`, and the filtered list in `list`.

mod create;
mod list;
mod status;

pub use create::{NewEnrolment, Staff, assign_staff, create_enrolment};
pub use list::{EnrolmentFilter, EnrolmentPage, list_enrolments};
pub use status::{reopen, submit, withdraw};

use crate::db::FirstRow;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use crate::action::ActionError;
use crate::auth::policy::{EnrolmentFacts, EnrolmentStatus};
use crate::db::DbConnection;
use crate::db::ids::{CohortId, EnrolmentId, Id, OrgId, UserId};
use crate::db::schema::enrolments;

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
