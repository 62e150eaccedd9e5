//! People: creating them (with a first role), loading and listing them, deactivating them, and the
//! user as the policy sees them. Role grants are in `grants.rs`, verifier assignments in
//! `assignments.rs`.

use crate::db::FirstRow;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::{EV_NEEDS_EXPIRY, grant_role, utc};
use crate::action::{ActionError, Problems};
use crate::audit::{self, Change};
use crate::auth::password;
use crate::auth::policy::{Actor, Grant, Role, VerifierAssignment};
use crate::db::DbConnection;
use crate::db::ids::{OrgId, RoleGrantId, UserId};
use crate::db::schema::{iv_assignments, org_security, role_grants, two_factor, users};

/// A user row as stored, password hash included: never serialised.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub(crate) id: UserId,
    pub(crate) email: String,
    pub(crate) name: String,
    pub(crate) password_hash: String,
    pub(crate) active: bool,
    pub(crate) national_learner_number: Option<String>,
    pub(crate) token_generation: i64,
    pub(crate) created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = role_grants)]
pub(super) struct GrantRow {
    pub(super) id: RoleGrantId,
    pub(super) user_id: UserId,
    pub(super) org_id: OrgId,
    pub(super) role: String,
    pub(super) expires_at: Option<NaiveDateTime>,
    pub(super) created_at: NaiveDateTime,
}

/// A role grant as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GrantView {
    /// The organisation.
    #[schema(value_type = String)]
    pub org_id: OrgId,
    /// The role name.
    pub role: String,
    /// When the grant stops counting, if ever.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A user as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct User {
    /// Their id.
    #[schema(value_type = uuid::Uuid)]
    pub id: UserId,
    /// Their email, lower-cased.
    pub email: String,
    /// Their name as they write it.
    pub name: String,
    /// False once deactivated.
    pub active: bool,
    /// NZ National Student Number or Scottish Candidate Number, for candidates.
    pub national_learner_number: Option<String>,
    /// Their roles.
    pub grants: Vec<GrantView>,
}

/// What is needed to create a user in an organisation with a first role.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// Email, unique regardless of case.
    pub email: String,
    /// Name.
    pub name: String,
    /// Password: at least 10 characters, not a common one. Leave it out to invite the person
    /// instead: they choose their own through a one-time link, so nobody else ever knows it.
    #[serde(default)]
    pub password: Option<String>,
    /// First role in the organisation.
    pub role: String,
    /// For candidates: NSN or SCN.
    #[serde(default)]
    pub national_learner_number: Option<String>,
}

/// The longest name accepted (characters): long enough for any real name, short enough that one
/// row cannot swamp a page or a statement.
pub const MAX_NAME: usize = 200;

/// The longest email address a mail system accepts (RFC 5321).
const MAX_EMAIL: usize = 254;

/// An NZ National Student Number (up to 10 digits) or a Scottish Candidate Number (9 digits).
fn valid_learner_number(number: &str) -> bool {
    (6..=12).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_digit())
}

pub(crate) fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Whether an (already lower-cased, trimmed) email address has the shape of one.
pub(crate) fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
}

/// Creates a user with a first role in `org_id` (audited). All field problems are reported together.
///
/// Emails are unique across organisations, but an admin must not learn who holds an account
/// elsewhere. So an email already registered to someone outside `org_id` gets the same answer as
/// a new one: that person is given the role here (one person may work for several providers) and
/// keeps their own password and name; the view returned shows only this organisation's grants.
/// A given password is hashed in both cases, so the answer takes as long. Only an email already in
/// this organisation — whose people the admin sees anyway — is refused as registered.
pub fn create_user(
    conn: &mut DbConnection,
    actor_id: Option<&str>,
    org_id: OrgId,
    new: NewUser,
) -> Result<User, ActionError> {
    let email = normalise_email(&new.email);
    let name = new.name.trim().to_owned();
    let learner_number = new
        .national_learner_number
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    let mut problems = Problems::default();
    if email.is_empty() {
        problems.add("email", "is required");
    } else if email.chars().count() > MAX_EMAIL || !valid_email(&email) {
        problems.add("email", "is not an email address");
    }
    if name.is_empty() {
        problems.add("name", "is required");
    } else if name.chars().count() > MAX_NAME {
        problems.add(
            "name",
            format!(
                "is {} characters long: at most {MAX_NAME}",
                name.chars().count()
            ),
        );
    }
    if let Some(number) = &learner_number
        && !valid_learner_number(number)
    {
        problems.add(
            "national_learner_number",
            "is not a learner number: an NZ National Student Number or a Scottish Candidate \
             Number is 6 to 12 digits",
        );
    }
    let role = new.role.parse::<Role>();
    match &role {
        Err(err) => problems.add("role", err.to_string()),
        Ok(Role::ExternalVerifier) => problems.add("role", EV_NEEDS_EXPIRY),
        Ok(_) => {}
    }
    if let Some(chosen) = &new.password
        && let Err(problem) = password::validate_new_password(chosen, &email, &name)
    {
        problems.add("password", problem.to_string());
    }
    let existing = find_user_by_email(conn, &email)?;
    if let Some(user) = &existing
        && problems.is_empty()
        && is_member(conn, user.id, org_id)?
    {
        problems.add("email", "is already registered");
    }
    if let Some(number) = &learner_number
        && problems.is_empty()
        && let Some(reason) = learner_number_clash(conn, org_id, number, None)?
    {
        problems.add("national_learner_number", reason);
    }
    problems.finish()?;
    let role = role.map_err(|e| ActionError::invalid("role", e.to_string()))?;
    let hash = match &new.password {
        Some(chosen) => password::hash_password(chosen)
            .map_err(|e| ActionError::invalid("password", e.to_string()))?,
        None => super::invitations::NO_PASSWORD_YET.to_owned(),
    };
    let user_id = match existing {
        Some(user) => user.id,
        None => insert_user(conn, actor_id, email, name, hash, learner_number)?,
    };
    grant_role(conn, actor_id, user_id, org_id, role, None)?;
    load_user_in(conn, user_id, org_id)
}

fn insert_user(
    conn: &mut DbConnection,
    actor_id: Option<&str>,
    email: String,
    name: String,
    password_hash: String,
    national_learner_number: Option<String>,
) -> Result<UserId, ActionError> {
    let row = UserRow {
        id: UserId::random(),
        email,
        name,
        password_hash,
        active: true,
        national_learner_number,
        token_generation: 0,
        created_at: Utc::now().naive_utc(),
    };
    diesel::insert_into(users::table)
        .values(&row)
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id,
            action: "user.create",
            entity: "user",
            entity_id: &row.id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "email": row.email, "name": row.name })),
        },
    )?;
    Ok(row.id)
}

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

pub(super) fn grant_rows(
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

/// Why `number` cannot be recorded for a person of `org_id` (other than `except_user`), if it
/// cannot: a learner number identifies one learner to the awarding body, so two people of the same
/// organisation holding it would have their results reported against one record. Only the
/// organisation's own people are compared, so the answer reveals nothing about other organisations.
pub fn learner_number_clash(
    conn: &mut DbConnection,
    org_id: OrgId,
    number: &str,
    except_user: Option<UserId>,
) -> Result<Option<String>, ActionError> {
    let members = role_grants::table
        .filter(role_grants::org_id.eq(org_id))
        .select(role_grants::user_id);
    let holders: Vec<(UserId, String)> = users::table
        .filter(users::national_learner_number.eq(number))
        .filter(users::id.eq_any(members))
        .select((users::id, users::name))
        .load(conn)?;
    Ok(holders
        .into_iter()
        .find(|(id, _)| Some(*id) != except_user)
        .map(|(_, name)| {
            format!("{number} is already the learner number of {name} in this organisation")
        }))
}

/// Deactivates a user and ends every session they hold (audited).
pub fn deactivate_user(
    conn: &mut DbConnection,
    actor_id: Option<&str>,
    user_id: UserId,
) -> Result<(), ActionError> {
    if actor_id.is_some_and(|actor| user_id == actor) {
        // Nobody locks themselves out by mistake: another admin does it.
        return Err(ActionError::Conflict(
            "you cannot deactivate yourself: ask another administrator".into(),
        ));
    }
    let row = load_user_row(conn, user_id)?;
    if !row.active {
        return Err(ActionError::Conflict("already deactivated".into()));
    }
    diesel::update(users::table.find(user_id))
        .set((
            users::active.eq(false),
            users::token_generation.eq(row.token_generation + 1),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id,
            action: "user.deactivate",
            entity: "user",
            entity_id: &user_id.to_string(),
            before: Some(serde_json::json!({ "active": row.active })),
            after: Some(serde_json::json!({ "active": false })),
        },
    )?;
    Ok(())
}

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
/// [`super::two_factor::must_enrol`]). The same answers as [`load_actor`] and `must_enrol`, which
/// take four or five selects; every signed-in request pays this, so it is one select (the row,
/// each grant with its organisation's two-factor requirement, and whether an authenticator is
/// confirmed), and a second only for internal verifiers, whose assignments the policy reads.
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
            && super::two_factor::STAFF_ROLES.contains(&grant.role);
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
