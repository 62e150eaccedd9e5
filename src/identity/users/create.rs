//! Creating a user with a first role: every field checked and reported together, an email known
//! elsewhere given the role here, and a learner number unique within the organisation.

use chrono::Utc;
use diesel::prelude::*;

use super::super::{EV_NEEDS_EXPIRY, grant_role};
use super::{NewUser, User, UserRow, find_user_by_email, is_member, load_user_in};
use crate::action::{ActionError, Problems};
use crate::audit::{self, Change};
use crate::auth::password;
use crate::auth::policy::Role;
use crate::db::DbConnection;
use crate::db::ids::{OrgId, UserId};
use crate::db::schema::{role_grants, users};

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
        None => super::super::invitations::NO_PASSWORD_YET.to_owned(),
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
