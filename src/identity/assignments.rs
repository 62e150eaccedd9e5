//! Which internal verifier verifies which assessor, as the admin sees and changes it. Making an
//! assignment is [`super::assign_verifier`]; this module lists and ends them.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::action::ActionError;
use crate::audit::{self, Change};
use crate::db::DbConnection;
use crate::db::schema::iv_assignments;

/// One internal verifier assigned to one assessor.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = iv_assignments)]
pub struct IvAssignment {
    /// The internal verifier.
    pub iv_id: String,
    /// The assessor whose decisions they sample.
    pub assessor_id: String,
    /// When the assignment was made.
    #[serde(serialize_with = "crate::db::utc::serialize")]
    pub created_at: NaiveDateTime,
}

/// The organisation's assignments, oldest first (an assessor may have more than one verifier).
pub fn verifier_assignments(
    conn: &mut DbConnection,
    org_id: &str,
) -> Result<Vec<IvAssignment>, ActionError> {
    Ok(iv_assignments::table
        .filter(iv_assignments::org_id.eq(org_id))
        .order((iv_assignments::created_at.asc(), iv_assignments::id.asc()))
        .select(IvAssignment::as_select())
        .load(conn)?)
}

/// Ends `iv_id`'s assignment to `assessor_id` (audited). Not assigned: not found, so a stale form
/// or a second click says so instead of pretending to have done something.
pub fn unassign_verifier(
    conn: &mut DbConnection,
    actor_id: Option<&str>,
    org_id: &str,
    iv_id: &str,
    assessor_id: &str,
) -> Result<(), ActionError> {
    let removed = diesel::delete(
        iv_assignments::table
            .filter(iv_assignments::org_id.eq(org_id))
            .filter(iv_assignments::iv_id.eq(iv_id))
            .filter(iv_assignments::assessor_id.eq(assessor_id)),
    )
    .execute(conn)?;
    if removed == 0 {
        return Err(ActionError::NotFound);
    }
    audit::append(
        conn,
        Change {
            actor_id,
            action: "iv.unassign",
            entity: "user",
            entity_id: assessor_id,
            before: Some(serde_json::json!({ "org_id": org_id, "iv_id": iv_id })),
            after: None,
        },
    )?;
    Ok(())
}
