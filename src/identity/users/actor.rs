//! The user as the policy sees them: their grants and verifier assignments, for one request or,
//! in one select, for a signed-in session.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::super::utc;
use super::{UserRow, grant_rows, load_user_row};
use crate::action::ActionError;
use crate::auth::policy::{Actor, Grant, Role, VerifierAssignment};
use crate::db::DbConnection;
use crate::db::ids::{OrgId, UserId};
use crate::db::schema::{iv_assignments, org_security, role_grants, two_factor, users};

/// The user as the policy sees them, with their stored row for token checks.
pub fn load_actor(
    conn: &mut DbConnection,
    user_id: UserId,
) -> Result<(UserRow, Actor), ActionError> {
    let row = load_user_row(conn, user_id)?;
    let grants = grant_rows(conn, user_id)?
        .into_iter()
        .filter_map(|g| {
            Some(Grant {
                org_id: g.org_id.into(),
                role: g.role.parse().ok()?,
                expires_at: g.expires_at.map(utc),
            })
        })
        .collect();
    let verifies = verifier_assignments_of(conn, user_id)?;
    let actor = Actor {
        user_id: row.id.into(),
        active: row.active,
        grants,
        verifies,
    };
    Ok((row, actor))
}

/// What a request's session needs of its user: their row, the user as the policy sees them, and
/// whether they must set up two-factor sign-in before anything else (see
/// [`super::super::two_factor::must_enrol`]). The same answers as [`load_actor`] and
/// `must_enrol`, which take four or five selects; every signed-in request pays this, so it is one
/// select (the row, each grant with its organisation's two-factor requirement, and whether an
/// authenticator is confirmed), and a second only for internal verifiers, whose assignments the
/// policy reads.
pub fn load_session_actor(
    conn: &mut DbConnection,
    user_id: UserId,
    now: DateTime<Utc>,
) -> Result<(UserRow, Actor, bool), ActionError> {
    type Joined = (
        UserRow,
        Option<OrgId>,
        Option<String>,
        Option<NaiveDateTime>,
        Option<bool>,
        Option<NaiveDateTime>,
    );
    let rows: Vec<Joined> = crate::on_backend!(conn, |c| users::table
        .left_join(two_factor::table.on(two_factor::user_id.eq(users::id)))
        .left_join(role_grants::table.on(role_grants::user_id.eq(users::id)))
        .left_join(org_security::table.on(org_security::org_id.eq(role_grants::org_id)))
        .filter(users::id.eq(user_id))
        .order((role_grants::org_id, role_grants::role))
        .select((
            UserRow::as_select(),
            role_grants::org_id.nullable(),
            role_grants::role.nullable(),
            role_grants::expires_at.nullable(),
            org_security::require_two_factor.nullable(),
            two_factor::confirmed_at.nullable(),
        ))
        .load(c))?;
    let mut user = None;
    let mut two_factor_enabled = false;
    let mut grants = Vec::new();
    let mut required = false;
    for (row, org_id, role, expires_at, requires, confirmed_at) in rows {
        if user.is_none() {
            two_factor_enabled = confirmed_at.is_some();
            user = Some(row);
        }
        // A user without grants comes back as one row of nulls; unreadable grants are left out,
        // as `load_actor` leaves them.
        let (Some(org_id), Some(role)) = (org_id, role) else {
            continue;
        };
        let Ok(role) = role.parse::<Role>() else {
            continue;
        };
        let grant = Grant {
            org_id: org_id.into(),
            role,
            expires_at: expires_at.map(utc),
        };
        required |= requires == Some(true)
            && grant.is_live(now)
            && super::super::two_factor::STAFF_ROLES.contains(&grant.role);
        grants.push(grant);
    }
    let Some(row) = user else {
        return Err(ActionError::NotFound);
    };
    // Only the policy's internal-verifier rules read the assignments, and only for a live
    // internal-verifier role: anyone who never held the role has none to read.
    let verifies = if grants.iter().any(|g| g.role == Role::InternalVerifier) {
        verifier_assignments_of(conn, user_id)?
    } else {
        Vec::new()
    };
    let actor = Actor {
        user_id: row.id.into(),
        active: row.active,
        grants,
        verifies,
    };
    Ok((row, actor, required && !two_factor_enabled))
}

fn verifier_assignments_of(
    conn: &mut DbConnection,
    user_id: UserId,
) -> Result<Vec<VerifierAssignment>, ActionError> {
    Ok(iv_assignments::table
        .filter(iv_assignments::iv_id.eq(user_id))
        .select((iv_assignments::org_id, iv_assignments::assessor_id))
        .load::<(OrgId, UserId)>(conn)?
        .into_iter()
        .map(|(org, assessor)| VerifierAssignment {
            org_id: org.into(),
            assessor_id: assessor.into(),
        })
        .collect())
}
