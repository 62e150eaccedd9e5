//! Signing in and out: throttled per submitted email and per client address, with the same answer
//! and the same work for an unknown email and a wrong password.
//!
//! A sign-in is three steps, so no write transaction is ever held while a password is hashed:
//! a short write claims the attempt's slot in both failure records (counting it as a failure until
//! it proves otherwise) and reads the account; the password is checked on the bounded
//! [`Verifier`] pool outside any transaction; a success then clears the email's record in a
//! second short write, once the second factor (for accounts that use one) checks out. Claiming before checking is what makes the count exact under concurrent
//! guesses: each guess must win its own slot (an update conditional on the count it read), so
//! parallel requests cannot all check a password against the same stale count.

use crate::db::FirstRow;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::two_factor;
use super::users::{UserRow, find_user_by_email, load_user_row, normalise_email};
use crate::action::ActionError;
use crate::audit::{self, Change};
use crate::auth::password;
use crate::auth::throttle::{FORGET_AFTER, FailureRecord, Scope, Throttle};
use crate::auth::verifier::Verifier;
use crate::db::ids::UserId;
use crate::db::schema::{login_failures, users};
use crate::db::{Database, DbConnection};

/// The one answer for a wrong email or a wrong password.
pub const WRONG: &str = "email or password is wrong";

/// How often a claim is retried when other attempts keep winning the same slot.
const CLAIM_TRIES: usize = 8;

/// One sign-in attempt: what was submitted and where from.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The email as submitted (any case, surrounding spaces).
    pub email: String,
    /// The password as submitted.
    pub password: String,
    /// The client address's throttling subject (`auth::throttle::address_subject`).
    pub address: String,
    /// A code from the authenticator app or a recovery code, for accounts that use two factors.
    pub code: Option<String>,
}

/// Checks credentials; the signed-in user's row, or why not: `Unauthenticated` (wrong email,
/// wrong password, inactive account — one answer for each) or `Throttled`.
pub async fn login(
    db: &Database,
    verifier: &Verifier,
    attempt: Attempt,
    now: DateTime<Utc>,
) -> Result<UserRow, ActionError> {
    let email = normalise_email(&attempt.email);
    let user = {
        let (email, address) = (email.clone(), attempt.address.clone());
        db.write(move |conn| claim_attempt(conn, &email, &address, now))
            .await?
    };
    let stored_hash = user.as_ref().map(|u| u.password_hash.clone());
    let password_given = attempt.password;
    let matches = verifier
        .run(move || match stored_hash {
            Some(hash) => password::verify_password(&password_given, &hash).unwrap_or(false),
            None => {
                // Same work as a real check, so timing does not tell which emails exist.
                password::dummy_verify(&password_given);
                false
            }
        })
        .await
        .map_err(|busy| ActionError::Throttled(busy.retry_after))?;
    let Some(user) = user.filter(|u| matches && u.active) else {
        return Err(ActionError::Unauthenticated(WRONG.into()));
    };
    // A missing or wrong second factor leaves the claimed slot counted as a failure, so codes are
    // throttled exactly like passwords.
    let (address, code, user_id) = (attempt.address, attempt.code, user.id);
    db.write(move |conn| {
        two_factor::second_factor(conn, user_id, code.as_deref(), now)?;
        record_success(conn, &email, &address)
    })
    .await?;
    Ok(user)
}

/// Claims the attempt's slot against the email and the address and reads the account. A throttled
/// attempt is an error, so the transaction rolls back and neither record changes.
pub fn claim_attempt(
    conn: &mut DbConnection,
    email: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<Option<UserRow>, ActionError> {
    forget_old_failures(conn, now)?;
    let waits = [
        claim(conn, Scope::Email, email, now)?,
        claim(conn, Scope::Address, address, now)?,
    ];
    let longest = waits.iter().map(Throttle::retry_after_secs).max();
    if let Some(seconds) = longest.filter(|s| *s > 0) {
        return Err(ActionError::Throttled(seconds));
    }
    find_user_by_email(conn, email)
}

/// Takes one slot in a failure record: reads it, and unless it says wait, moves it on by one
/// failure with an update that only applies if nobody else moved it first (else reads again).
fn claim(
    conn: &mut DbConnection,
    scope: Scope,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<Throttle, ActionError> {
    let key = (scope.as_str(), subject);
    for _ in 0..CLAIM_TRIES {
        let stored: Option<(i32, NaiveDateTime)> = login_failures::table
            .find(key)
            .select((login_failures::failures, login_failures::last_failure))
            .first_row(conn)
            .optional()?;
        let record = FailureRecord {
            failures: stored.map_or(0, |(n, _)| u32::try_from(n).unwrap_or(0)),
            last_failure: stored.map(|(_, at)| at.and_utc()),
        };
        let throttle = record.check(scope, now);
        if throttle != Throttle::Allowed {
            return Ok(throttle);
        }
        let next = record.after_failure(now);
        let failures = i32::try_from(next.failures).unwrap_or(i32::MAX);
        let claimed = match stored {
            None => insert_first_failure(conn, key, failures, now)?,
            Some((was, at)) => diesel::update(
                login_failures::table
                    .find(key)
                    .filter(login_failures::failures.eq(was))
                    .filter(login_failures::last_failure.eq(at)),
            )
            .set((
                login_failures::failures.eq(failures),
                login_failures::last_failure.eq(now.naive_utc()),
            ))
            .execute(conn)?,
        };
        if claimed == 1 {
            return Ok(Throttle::Allowed);
        }
    }
    // Others keep winning this slot: they are the same client or the same email, so wait.
    Ok(Throttle::Wait {
        retry_after: chrono::TimeDelta::seconds(1),
        until: now + chrono::TimeDelta::seconds(1),
    })
}

/// Inserts a record's first failure; 0 rows when a concurrent attempt inserted it first. The
/// savepoint keeps PostgreSQL's transaction usable after the unique violation.
fn insert_first_failure(
    conn: &mut DbConnection,
    (scope, subject): (&str, &str),
    failures: i32,
    now: DateTime<Utc>,
) -> Result<usize, ActionError> {
    let inserted = conn.transaction(|c| {
        diesel::insert_into(login_failures::table)
            .values((
                login_failures::scope.eq(scope),
                login_failures::subject.eq(subject),
                login_failures::failures.eq(failures),
                login_failures::last_failure.eq(now.naive_utc()),
            ))
            .execute(c)
    });
    match inserted {
        Ok(rows) => Ok(rows),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(0),
        Err(other) => Err(other.into()),
    }
}

/// Records that hold nothing any more: failures are forgotten a day after the last one, so the
/// table stays as small as the set of emails and addresses tried that day.
fn forget_old_failures(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<(), ActionError> {
    diesel::delete(
        login_failures::table
            .filter(login_failures::last_failure.lt((now - FORGET_AFTER).naive_utc())),
    )
    .execute(conn)?;
    Ok(())
}

/// After the right password: the email's failures are cleared, and the address gets back the slot
/// the attempt claimed (a success is not a failure, but it never wipes the address's others).
fn record_success(conn: &mut DbConnection, email: &str, address: &str) -> Result<(), ActionError> {
    diesel::delete(login_failures::table.find((Scope::Email.as_str(), email))).execute(conn)?;
    diesel::update(
        login_failures::table
            .find((Scope::Address.as_str(), address))
            .filter(login_failures::failures.gt(0)),
    )
    .set(login_failures::failures.eq(login_failures::failures - 1))
    .execute(conn)?;
    Ok(())
}

/// Ends every session of the user: tokens carry the generation they were issued under.
pub fn logout(conn: &mut DbConnection, user_id: UserId) -> Result<(), ActionError> {
    let row = load_user_row(conn, user_id)?;
    diesel::update(users::table.find(user_id))
        .set(users::token_generation.eq(row.token_generation + 1))
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(&user_id.to_string()),
            action: "session.logout",
            entity: "user",
            entity_id: &user_id.to_string(),
            before: None,
            after: None,
        },
    )?;
    Ok(())
}
