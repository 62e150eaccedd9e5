//! Signing in and out: throttled, with the same answer for an unknown email and a wrong password.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::users::{UserRow, find_user_by_email, load_user_row};
use crate::action::ActionError;
use crate::audit::{self, Change};
use crate::auth::password;
use crate::auth::throttle::{FailureRecord, Throttle};
use crate::db::DbConnection;
use crate::db::schema::users;

/// The one answer for a wrong email or a wrong password.
pub const WRONG: &str = "email or password is wrong";

/// How a sign-in attempt ended. A refusal is not an error of the transaction: the failure count it
/// records must be committed.
#[derive(Debug)]
pub enum LoginOutcome {
    /// The credentials are right.
    SignedIn(UserRow),
    /// Wrong email, wrong password or inactive account: the same answer for each.
    Refused,
    /// Too many failures: try again after this many seconds.
    Throttled(u64),
}

impl LoginOutcome {
    /// The signed-in user, or the refusal as an error (call after the transaction committed).
    pub fn into_result(self) -> Result<UserRow, ActionError> {
        match self {
            Self::SignedIn(user) => Ok(user),
            Self::Refused => Err(ActionError::Unauthenticated(WRONG.into())),
            Self::Throttled(seconds) => Err(ActionError::Throttled(seconds)),
        }
    }
}

/// Checks credentials. On success the failure count resets; on failure it grows and, past the
/// free attempts, the account must wait before the password is checked again.
pub fn login(
    conn: &mut DbConnection,
    email: &str,
    password_given: &str,
    now: DateTime<Utc>,
) -> Result<LoginOutcome, ActionError> {
    let Some(user) = find_user_by_email(conn, email)? else {
        // Same work as a real check, so timing does not tell which emails exist.
        password::dummy_verify(password_given);
        return Ok(LoginOutcome::Refused);
    };
    let record = FailureRecord {
        failures: u32::try_from(user.failed_logins).unwrap_or(0),
        last_failure: user.last_failed_login_at.map(|t| t.and_utc()),
    };
    if let wait @ Throttle::Wait { .. } = record.check(now) {
        return Ok(LoginOutcome::Throttled(wait.retry_after_secs()));
    }
    let matches = password::verify_password(password_given, &user.password_hash).unwrap_or(false);
    if !matches || !user.active {
        let next = record.after_failure(now);
        diesel::update(users::table.find(&user.id))
            .set((
                users::failed_logins.eq(i32::try_from(next.failures).unwrap_or(i32::MAX)),
                users::last_failed_login_at.eq(next.last_failure.map(|t| t.naive_utc())),
            ))
            .execute(conn)?;
        return Ok(LoginOutcome::Refused);
    }
    if user.failed_logins != 0 {
        diesel::update(users::table.find(&user.id))
            .set((
                users::failed_logins.eq(0),
                users::last_failed_login_at.eq(None::<chrono::NaiveDateTime>),
            ))
            .execute(conn)?;
    }
    Ok(LoginOutcome::SignedIn(user))
}

/// Ends every session of the user: tokens carry the generation they were issued under.
pub fn logout(conn: &mut DbConnection, user_id: &str) -> Result<(), ActionError> {
    let row = load_user_row(conn, user_id)?;
    diesel::update(users::table.find(user_id))
        .set(users::token_generation.eq(row.token_generation + 1))
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(user_id),
            action: "session.logout",
            entity: "user",
            entity_id: user_id,
            before: None,
            after: None,
        },
    )?;
    Ok(())
}
