//! Invitations: a person created by an admin (one by one or from a CSV file) chooses their own
//! password through a one-time link, so no admin ever knows it. Until then their account holds a
//! hash nobody can match, which costs a sign-in attempt as much as a real one.

use crate::db::FirstRow;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::action::ActionError;
use crate::audit::{self, Change};
use crate::auth::{one_time, password};
use crate::db::DbConnection;
use crate::db::ids::{OrgId, UserId};
use crate::db::schema::{invitations, users};

/// How long an invitation link works.
pub const VALID_FOR_DAYS: i64 = 14;

/// The password hash of a person who has not yet chosen a password: verifying against it costs
/// what a real one costs and never matches.
pub(crate) const NO_PASSWORD_YET: &str = password::DUMMY_HASH;

/// A stored invitation (the token itself is never stored).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = invitations)]
pub struct Invitation {
    /// SHA-256 of the token.
    pub token_hash: String,
    /// Who is invited.
    pub user_id: UserId,
    /// The admin who invited them (none from the command line).
    pub created_by: Option<String>,
    /// When it was made.
    pub created_at: chrono::NaiveDateTime,
    /// When the link stops working.
    pub expires_at: chrono::NaiveDateTime,
    /// When the password was chosen through it.
    pub used_at: Option<chrono::NaiveDateTime>,
}

/// A new invitation's link, shown once to whoever sends it on.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InvitationLink {
    /// The invited person.
    #[schema(value_type = String)]
    pub user_id: UserId,
    /// Their email.
    pub email: String,
    /// The path of the page where they choose their password (`/invitations/{token}`).
    pub path: String,
    /// When the link stops working (UTC).
    pub expires_at: DateTime<Utc>,
}

/// What the invited person sends to choose their password.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    /// The token from the link.
    pub token: String,
    /// The password they choose: at least 10 characters, not a common one.
    pub password: String,
}

/// Makes a one-time link for `user_id` (audited); an earlier unused link for them stops working.
pub fn invite(
    conn: &mut DbConnection,
    actor_id: Option<&str>,
    user_id: UserId,
    now: DateTime<Utc>,
) -> Result<InvitationLink, ActionError> {
    let email: String = users::table
        .find(user_id)
        .select(users::email)
        .first_row(conn)?;
    diesel::delete(
        invitations::table
            .filter(invitations::user_id.eq(user_id))
            .filter(invitations::used_at.is_null()),
    )
    .execute(conn)?;
    let (token, token_hash) = one_time::new_token();
    let expires_at = now + Duration::days(VALID_FOR_DAYS);
    diesel::insert_into(invitations::table)
        .values(Invitation {
            token_hash,
            user_id,
            created_by: actor_id.map(str::to_owned),
            created_at: now.naive_utc(),
            expires_at: expires_at.naive_utc(),
            used_at: None,
        })
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id,
            action: "user.invite",
            entity: "user",
            entity_id: &user_id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "expires_at": expires_at })),
        },
    )?;
    Ok(InvitationLink {
        user_id,
        email,
        path: format!("/invitations/{token}"),
        expires_at,
    })
}

/// The person a live link invites: (user id, email, name). An unknown, used or expired link is
/// `NotFound` — the same answer for each, so a link cannot be probed.
pub fn invited(
    conn: &mut DbConnection,
    token: &str,
    now: DateTime<Utc>,
) -> Result<(UserId, String, String), ActionError> {
    let live = live(conn, token, now)?;
    Ok(users::table
        .find(live.user_id)
        .select((users::id, users::email, users::name))
        .first_row(conn)?)
}

fn live(
    conn: &mut DbConnection,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Invitation, ActionError> {
    invitations::table
        .find(one_time::hash_token(token))
        .filter(invitations::used_at.is_null())
        .filter(invitations::expires_at.gt(now.naive_utc()))
        .select(Invitation::as_select())
        .first_row(conn)
        .optional()?
        .ok_or(ActionError::NotFound)
}

/// Sets the invited person's password from a live link, once (audited). The password is
/// checked like any new one; the link then stops working. Returns the user id.
pub fn accept(
    conn: &mut DbConnection,
    acceptance: &Acceptance,
    now: DateTime<Utc>,
) -> Result<UserId, ActionError> {
    let invitation = live(conn, &acceptance.token, now)?;
    let (email, name, active): (String, String, bool) = users::table
        .find(invitation.user_id)
        .select((users::email, users::name, users::active))
        .first_row(conn)?;
    if !active {
        return Err(ActionError::NotFound);
    }
    if has_password(conn, invitation.user_id)? {
        return Err(ActionError::Conflict(
            "this account already has a password: sign in with it (or ask for a reset)".into(),
        ));
    }
    password::validate_new_password(&acceptance.password, &email, &name)
        .map_err(|problem| ActionError::invalid("password", problem.to_string()))?;
    let hash = password::hash_password(&acceptance.password)
        .map_err(|e| ActionError::invalid("password", e.to_string()))?;
    diesel::update(users::table.find(invitation.user_id))
        .set(users::password_hash.eq(hash))
        .execute(conn)?;
    diesel::update(invitations::table.find(&invitation.token_hash))
        .set(invitations::used_at.eq(Some(now.naive_utc())))
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(&invitation.user_id.to_string()),
            action: "user.accept_invitation",
            entity: "user",
            entity_id: &invitation.user_id.to_string(),
            before: None,
            after: None,
        },
    )?;
    Ok(invitation.user_id)
}

/// Creates a person (see [`super::create_user`]) and, when no password was given, the link
/// through which they choose one. Someone whose email already has an account elsewhere gets a
/// link too, so the admin's answer is the same; it tells them to sign in with the password they
/// have, and cannot replace it.
pub fn create_and_invite(
    conn: &mut DbConnection,
    actor_id: Option<&str>,
    org_id: OrgId,
    new: super::NewUser,
) -> Result<(super::User, Option<InvitationLink>), ActionError> {
    let invite_them = new.password.is_none();
    let user = super::create_user(conn, actor_id, org_id, new)?;
    let link = if invite_them {
        Some(invite(conn, actor_id, user.id, Utc::now())?)
    } else {
        None
    };
    Ok((user, link))
}

/// Whether the person has chosen a password (an invitation cannot replace one).
pub fn has_password(conn: &mut DbConnection, user_id: UserId) -> Result<bool, ActionError> {
    let hash: String = users::table
        .find(user_id)
        .select(users::password_hash)
        .first_row(conn)?;
    Ok(hash != NO_PASSWORD_YET)
}

/// Which of `user_ids` have not yet chosen a password (an admin may send them a new link).
pub fn awaiting_password(
    conn: &mut DbConnection,
    user_ids: &[UserId],
) -> Result<std::collections::HashSet<UserId>, ActionError> {
    Ok(users::table
        .filter(users::id.eq_any(user_ids))
        .filter(users::password_hash.eq(NO_PASSWORD_YET))
        .select(users::id)
        .load::<UserId>(conn)?
        .into_iter()
        .collect())
}
