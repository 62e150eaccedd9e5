//! Revoking an issued statement with a reason.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::{StatementRow, by_code};
use crate::action::ActionError;
use crate::audit::{self, Change};
use crate::auth::policy::EnrolmentStatus;
use crate::credentials;
use crate::db::DbConnection;
use crate::db::ids::UserId;
use crate::db::schema::{enrolments, statements};

/// Revokes a statement with a reason (audited).
pub fn revoke(
    conn: &mut DbConnection,
    row: &StatementRow,
    actor: UserId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<StatementRow, ActionError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ActionError::invalid(
            "reason",
            "say why the statement is revoked",
        ));
    }
    if row.revoked_at.is_some() {
        return Err(ActionError::Conflict(
            "the statement is already revoked".into(),
        ));
    }
    diesel::update(statements::table.find(row.id))
        .set((
            statements::revoked_at.eq(now.naive_utc()),
            statements::revoked_by.eq(actor),
            statements::revoke_reason.eq(reason),
        ))
        .execute(conn)?;
    // The revocation bit flips: the kept status list is dropped and built again on its next request.
    let credential = credentials::of_statement(conn, row.id)?;
    if let Some(credential) = &credential {
        credentials::status::invalidate(conn, credential.org_id)?;
    }
    // The unit is no longer certified: the decision and the sample stand, so a corrected statement
    // can be issued; until one is, exports report the unit as not achieved.
    diesel::update(
        enrolments::table
            .find(row.enrolment_id)
            .filter(enrolments::status.eq(EnrolmentStatus::Certified.as_str())),
    )
    .set((
        enrolments::status.eq(EnrolmentStatus::Sampled.as_str()),
        enrolments::updated_at.eq(now.naive_utc()),
    ))
    .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(&actor.to_string()),
            action: "statement.revoke",
            entity: "enrolment",
            entity_id: &row.enrolment_id.to_string(),
            before: Some(serde_json::json!({ "code": row.code, "status": "valid" })),
            after: Some(serde_json::json!({
                "code": row.code, "status": "revoked", "reason": reason,
                "enrolment_status": EnrolmentStatus::Sampled.as_str(),
                "status_index": credential.as_ref().map(|c| c.status_index),
            })),
        },
    )?;
    by_code(conn, &row.code)
}
