//! Loading users: one by id or by email, one as an organisation sees them, every member of an
//! organisation, and whether someone is a member.

use diesel::prelude::*;

use super::super::utc;
use super::{GrantRow, GrantView, User, UserRow, normalise_email};
use crate::action::ActionError;
use crate::db::DbConnection;
use crate::db::FirstRow;
use crate::db::ids::{OrgId, UserId};
use crate::db::schema::{role_grants, users};

/// A user as seen from one organisation: only the grants held there.
pub fn load_user_in(
    conn: &mut DbConnection,
    user_id: UserId,
    org_id: OrgId,
) -> Result<User, ActionError> {
    let row = load_user_row(conn, user_id)?;
    let grants = grant_rows(conn, user_id)?
        .into_iter()
        .filter(|g| g.org_id == org_id)
        .collect();
    to_user(row, grants)
}

/// The user with this email (any case), if any.
pub fn find_user_by_email(
    conn: &mut DbConnection,
    email: &str,
) -> Result<Option<UserRow>, ActionError> {
    Ok(users::table
        .filter(users::email.eq(normalise_email(email)))
        .select(UserRow::as_select())
        .first_row(conn)
        .optional()?)
}

pub(crate) fn load_user_row(
    conn: &mut DbConnection,
    user_id: UserId,
) -> Result<UserRow, ActionError> {
    Ok(users::table
        .find(user_id)
        .select(UserRow::as_select())
        .first_row(conn)?)
}

/// A user with their grants.
pub fn load_user(conn: &mut DbConnection, user_id: UserId) -> Result<User, ActionError> {
    let row = load_user_row(conn, user_id)?;
    let grants = grant_rows(conn, user_id)?;
    to_user(row, grants)
}

pub(in crate::identity) fn grant_rows(
    conn: &mut DbConnection,
    user_id: UserId,
) -> Result<Vec<GrantRow>, ActionError> {
    Ok(role_grants::table
        .filter(role_grants::user_id.eq(user_id))
        .order((role_grants::org_id, role_grants::role))
        .select(GrantRow::as_select())
        .load(conn)?)
}

fn to_user(row: UserRow, grants: Vec<GrantRow>) -> Result<User, ActionError> {
    Ok(User {
        id: row.id,
        email: row.email,
        name: row.name,
        active: row.active,
        national_learner_number: row.national_learner_number,
        grants: grants
            .into_iter()
            .map(|g| GrantView {
                org_id: g.org_id,
                role: g.role,
                expires_at: g.expires_at.map(utc),
            })
            .collect(),
    })
}

/// Every user with a grant in the organisation, by name, with the grants they hold there (what
/// they do for other providers is not this organisation's business).
pub fn list_users(conn: &mut DbConnection, org_id: OrgId) -> Result<Vec<User>, ActionError> {
    let ids: Vec<UserId> = role_grants::table
        .filter(role_grants::org_id.eq(org_id))
        .select(role_grants::user_id)
        .distinct()
        .load(conn)?;
    let rows: Vec<UserRow> = users::table
        .filter(users::id.eq_any(&ids))
        .order((users::name, users::email))
        .select(UserRow::as_select())
        .load(conn)?;
    rows.into_iter()
        .map(|row| {
            let grants = grant_rows(conn, row.id)?
                .into_iter()
                .filter(|g| g.org_id == org_id)
                .collect();
            to_user(row, grants)
        })
        .collect()
}

/// Whether the user holds any grant (live or not) in the organisation: outside it they are not
/// visible from there.
pub fn is_member(
    conn: &mut DbConnection,
    user_id: UserId,
    org_id: OrgId,
) -> Result<bool, ActionError> {
    let count = role_grants::table
        .filter(role_grants::user_id.eq(user_id))
        .filter(role_grants::org_id.eq(org_id))
        .count()
        .get_result::<i64>(conn)?;
    Ok(count > 0)
}
