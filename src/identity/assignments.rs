//! Which internal verifier verifies which assessor, as the admin sees and changes it. Making an
//! assignment needs both people to hold those roles there.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::holds;
use crate::action::{ActionError, Problems};
use crate::audit::{self, Change};
use crate::auth::policy::Role;
use crate::db::DbConnection;
use crate::db::ids::{IvAssignmentId, OrgId, UserId};
use crate::db::schema::iv_assignments;

/// One internal verifier assigned to one assessor.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = iv_assignments)]
pub struct IvAssignment {
    /// The internal verifier.
    #[schema(value_type = String)]
    pub iv_id: UserId,
    /// The assessor whose decisions they sample.
    #[schema(value_type = String)]
    pub assessor_id: UserId,
    /// When the assignment was made.
    #[serde(serialize_with = "crate::db::utc::serialize")]
    pub created_at: NaiveDateTime,
}

/// The organisation's assignments, oldest first (an assessor may have more than one verifier).
pub fn verifier_assignments(
    conn: &mut DbConnection,
    org_id: OrgId,
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
    org_id: OrgId,
    iv_id: UserId,
    assessor_id: UserId,
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
            entity_id: &assessor_id.to_string(),
            before: Some(serde_json::json!({ "org_id": org_id, "iv_id": iv_id })),
            after: None,
        },
    )?;
    Ok(())
}

/// Makes `iv_id` the internal verifier of `assessor_id` in `org_id`. Both must hold those roles there.
pub fn assign_verifier(
    conn: &mut DbConnection,
    actor_id: Option<&str>,
    org_id: OrgId,
    iv_id: UserId,
    assessor_id: UserId,
) -> Result<(), ActionError> {
    let now = Utc::now();
    let mut problems = Problems::default();
    if !holds(conn, iv_id, org_id, Role::InternalVerifier, now)? {
        problems.add("iv_id", "is not an internal verifier in this organisation");
    }
    if !holds(conn, assessor_id, org_id, Role::Assessor, now)? {
        problems.add("assessor_id", "is not an assessor in this organisation");
    }
    if iv_id == assessor_id {
        problems.add(
            "iv_id",
            "an internal verifier cannot verify their own assessment decisions",
        );
    }
    problems.finish()?;
    let exists = iv_assignments::table
        .filter(iv_assignments::org_id.eq(org_id))
        .filter(iv_assignments::iv_id.eq(iv_id))
        .filter(iv_assignments::assessor_id.eq(assessor_id))
        .count()
        .get_result::<i64>(conn)?;
    if exists == 0 {
        diesel::insert_into(iv_assignments::table)
            .values((
                iv_assignments::id.eq(IvAssignmentId::random()),
                iv_assignments::org_id.eq(org_id),
                iv_assignments::iv_id.eq(iv_id),
                iv_assignments::assessor_id.eq(assessor_id),
                iv_assignments::created_at.eq(now.naive_utc()),
            ))
            .execute(conn)?;
        audit::append(
            conn,
            Change {
                actor_id,
                action: "iv.assign",
                entity: "user",
                entity_id: &assessor_id.to_string(),
                before: None,
                after: Some(serde_json::json!({ "org_id": org_id, "iv_id": iv_id })),
            },
        )?;
    }
    Ok(())
}
