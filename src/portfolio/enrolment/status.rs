//! An enrolment's status changes: withdrawing it, the candidate submitting it, and reopening it,
//! each audited.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{Enrolment, load_enrolment, refuse_when_closed};
use crate::action::ActionError;
use crate::audit::{self, Change};
use crate::auth::policy::EnrolmentStatus;
use crate::db::DbConnection;
use crate::db::ids::UserId;
use crate::db::schema::enrolments;

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

pub(super) fn set_status(
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
