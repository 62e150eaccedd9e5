//! The candidate's acknowledgement of an observation or questioning record the assessor made (the
//! paper checklist's candidate signature), with an optional comment. It does not change the
//! evidence or its judgements; the assessor sees whether the candidate has acknowledged it.

use crate::db::FirstRow;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::{Enrolment, EvidenceRecord, load_evidence};
use crate::action::ActionError;
use crate::audit::{self, Change};
use crate::db::DbConnection;
use crate::db::ids::{EnrolmentId, EvidenceId, UserId};
use crate::db::schema::acknowledgements;

/// The methods whose records the candidate acknowledges (those the assessor records with them).
pub const ACKNOWLEDGED_METHODS: [&str; 3] = [
    "observation_checklist",
    "oral_questioning",
    "written_questioning",
];

/// Whether the candidate is asked to acknowledge this record: an observation or questioning record
/// someone other than the candidate made.
pub fn needs_acknowledgement(enrolment: &Enrolment, record: &EvidenceRecord) -> bool {
    ACKNOWLEDGED_METHODS.contains(&record.method.as_str())
        && enrolment.candidate_id != record.recorded_by
}

/// A candidate's acknowledgement.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = acknowledgements)]
pub struct Acknowledgement {
    /// The record acknowledged.
    #[schema(value_type = String)]
    pub evidence_id: EvidenceId,
    /// The enrolment.
    #[schema(value_type = String)]
    pub enrolment_id: EnrolmentId,
    /// The candidate.
    #[schema(value_type = String)]
    pub candidate_id: UserId,
    /// Their comment (may be empty).
    pub comment: String,
    /// When.
    #[serde(serialize_with = "crate::db::utc::serialize")]
    pub acknowledged_at: NaiveDateTime,
}

/// The candidate acknowledges a record (audited as `evidence.acknowledge`). Only the enrolment's
/// candidate, only an observation or questioning record someone else made, and only once.
pub fn acknowledge(
    conn: &mut DbConnection,
    base: &str,
    enrolment: &Enrolment,
    candidate_id: UserId,
    evidence_id: EvidenceId,
    comment: &str,
    now: DateTime<Utc>,
) -> Result<Acknowledgement, ActionError> {
    if enrolment.candidate_id != candidate_id {
        return Err(ActionError::Forbidden(
            "only the candidate acknowledges their assessment records".to_owned(),
        ));
    }
    let record = load_evidence(conn, enrolment.id, evidence_id)?;
    if !needs_acknowledgement(enrolment, &record) {
        return Err(ActionError::Conflict(
            "only an observation or questioning record made by the assessor is acknowledged"
                .to_owned(),
        ));
    }
    if acknowledgement_of(conn, evidence_id)?.is_some() {
        return Err(ActionError::Conflict(
            "you have already acknowledged this record".to_owned(),
        ));
    }
    let comment = comment.trim();
    if comment.chars().count() > 2000 {
        return Err(ActionError::invalid(
            "comment",
            "keep the comment under 2000 characters",
        ));
    }
    let row = Acknowledgement {
        evidence_id: record.id,
        enrolment_id: enrolment.id,
        candidate_id,
        comment: comment.to_owned(),
        acknowledged_at: now.naive_utc(),
    };
    diesel::insert_into(acknowledgements::table)
        .values(&row)
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(&candidate_id.to_string()),
            action: "evidence.acknowledge",
            entity: "evidence",
            entity_id: &record.id.to_string(),
            before: None,
            after: Some(crate::db::json::to_value(&row)?),
        },
    )?;
    crate::notify::events::record_acknowledged(conn, base, enrolment, &record, &row.comment, now)?;
    Ok(row)
}

/// The acknowledgement of one record, if there is one.
pub fn acknowledgement_of(
    conn: &mut DbConnection,
    evidence_id: EvidenceId,
) -> Result<Option<Acknowledgement>, ActionError> {
    Ok(acknowledgements::table
        .find(evidence_id)
        .select(Acknowledgement::as_select())
        .first_row(conn)
        .optional()?)
}

/// Every acknowledgement on an enrolment.
pub fn acknowledgements_of(
    conn: &mut DbConnection,
    enrolment_id: EnrolmentId,
) -> Result<Vec<Acknowledgement>, ActionError> {
    Ok(acknowledgements::table
        .filter(acknowledgements::enrolment_id.eq(enrolment_id))
        .order(acknowledgements::acknowledged_at.asc())
        .select(Acknowledgement::as_select())
        .load(conn)?)
}

/// The candidate's acknowledgements of the assessment records of an enrolment, and which records
/// still wait for one.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AcknowledgementsView {
    /// The acknowledgements, oldest first.
    pub acknowledged: Vec<Acknowledgement>,
    /// Observation and questioning records the candidate has not acknowledged yet.
    #[schema(value_type = Vec<String>)]
    pub waiting: Vec<EvidenceId>,
}
