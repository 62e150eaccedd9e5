//! Role grants: granting a role in an organisation (an external verifier's until a date), revoking
//! one, and whether someone holds a live role.

use crate::db::FirstRow;
use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::users::{GrantRow, grant_rows, learner_number_clash};
use super::utc;
use crate::action::ActionError;
use crate::audit::{self, Change};
use crate::auth::policy::Role;
use crate::db::DbConnection;
use crate::db::ids::{OrgId, RoleGrantId, UserId};
use crate::db::schema::{role_grants, users};

/// What an external verifier's grant needs: an end (EV access is always for a visit or a term).
pub const EV_NEEDS_EXPIRY: &str = "external verifiers need an expiry: create the person with \
     another role, then grant external verifier access with an expiry";

/// Checks a grant's expiry: required for an external verifier, and in the future when given.
pub fn check_grant_expiry(
    role: Role,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), ActionError> {
    match (role, expires_at) {
        (Role::ExternalVerifier, None) => Err(ActionError::invalid(
            "expires_at",
            "is required for an external verifier",
        )),
        (_, Some(at)) if at <= now => {
            Err(ActionError::invalid("expires_at", "must be in the future"))
        }
        _ => Ok(()),
    }
}

/// Grants `role` in `org_id` (idempotent: an existing grant gets the new expiry). Audited.
///
/// A person joining an organisation brings their learner number: refused when someone there
/// already holds it.
pub fn grant_role(
    conn: &mut DbConnection,
    actor_id: Option<&str>,
    user_id: UserId,
    org_id: OrgId,
    role: Role,
    expires_at: Option<DateTime<Utc>>,
) -> Result<(), ActionError> {
    let existing: Option<GrantRow> = role_grants::table
        .filter(role_grants::user_id.eq(user_id))
        .filter(role_grants::org_id.eq(org_id))
        .filter(role_grants::role.eq(role.as_str()))
        .select(GrantRow::as_select())
        .first_row(conn)
        .optional()?;
    let expires = expires_at.map(|t| t.naive_utc());
    match existing {
        Some(grant) => {
            diesel::update(role_grants::table.find(grant.id))
                .set(role_grants::expires_at.eq(expires))
                .execute(conn)?;
        }
        None => {
            let number: Option<String> = users::table
                .find(user_id)
                .select(users::national_learner_number)
                .first_row(conn)?;
            if let Some(number) = number
                && let Some(reason) = learner_number_clash(conn, org_id, &number, Some(user_id))?
            {
                return Err(ActionError::invalid("national_learner_number", reason));
            }
            let grant = GrantRow {
                id: RoleGrantId::random(),
                user_id,
                org_id,
                role: role.as_str().to_owned(),
                expires_at: expires,
                created_at: Utc::now().naive_utc(),
            };
            diesel::insert_into(role_grants::table)
                .values(&grant)
                .execute(conn)?;
        }
    }
    audit::append(
        conn,
        Change {
            actor_id,
            action: "role.grant",
            entity: "user",
            entity_id: &user_id.to_string(),
            before: None,
            after: Some(
                serde_json::json!({ "org_id": org_id, "role": role.as_str(), "expires_at": expires_at }),
            ),
        },
    )?;
    Ok(())
}

/// Revokes `role` in `org_id`. Audited; revoking a role not held is a 404.
pub fn revoke_role(
    conn: &mut DbConnection,
    actor_id: Option<&str>,
    user_id: UserId,
    org_id: OrgId,
    role: Role,
) -> Result<(), ActionError> {
    let removed = diesel::delete(
        role_grants::table
            .filter(role_grants::user_id.eq(user_id))
            .filter(role_grants::org_id.eq(org_id))
            .filter(role_grants::role.eq(role.as_str())),
    )
    .execute(conn)?;
    if removed == 0 {
        return Err(ActionError::NotFound);
    }
    audit::append(
        conn,
        Change {
            actor_id,
            action: "role.revoke",
            entity: "user",
            entity_id: &user_id.to_string(),
            before: Some(serde_json::json!({ "org_id": org_id, "role": role.as_str() })),
            after: None,
        },
    )?;
    Ok(())
}

/// Whether the user holds a live `role` in `org_id` at `now`.
pub fn holds(
    conn: &mut DbConnection,
    user_id: UserId,
    org_id: OrgId,
    role: Role,
    now: DateTime<Utc>,
) -> Result<bool, ActionError> {
    let grants = grant_rows(conn, user_id)?;
    Ok(grants.iter().any(|g| {
        g.org_id == org_id && g.role == role.as_str() && g.expires_at.is_none_or(|t| utc(t) > now)
    }))
}
