//! The in-app inbox: telling a person about an event, and reading and marking their items.

use crate::db::FirstRow;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::action::ActionError;
use crate::auth::policy::Role;
use crate::db::DbConnection;
use crate::db::ids::{NotificationId, OrgId, UserId};
use crate::db::schema::{notifications, role_grants, users};

use super::Event;
use super::outbox::enqueue;

/// One inbox item.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = notifications)]
pub struct Notification {
    /// Its id.
    #[schema(value_type = String)]
    pub id: NotificationId,
    /// Whose inbox.
    #[serde(skip)]
    pub user_id: UserId,
    /// evidence_rejected, evidence_waiting, iv_feedback, witness_requested, witness_confirmed,
    /// statement_issued, iv_responded, not_yet_competent, record_acknowledged, questions_sent,
    /// questions_answered, questions_marked.
    pub kind: String,
    /// What happened, in a sentence.
    pub message: String,
    /// Where to act (a path on this site).
    pub link: String,
    /// When.
    #[serde(serialize_with = "crate::db::utc::serialize")]
    pub created_at: NaiveDateTime,
    /// When its reader marked it read.
    #[serde(serialize_with = "crate::db::utc::serialize_option")]
    pub read_at: Option<NaiveDateTime>,
    /// `immediate` (mailed at once) or `daily` (in the day's digest).
    pub digest: String,
    /// When it was mailed (at once or in a digest).
    #[serde(serialize_with = "crate::db::utc::serialize_option")]
    pub digested_at: Option<NaiveDateTime>,
}

/// Whether the person has any live role other than candidate (then they get a daily digest).
fn is_staff(
    conn: &mut DbConnection,
    user_id: UserId,
    now: DateTime<Utc>,
) -> Result<bool, ActionError> {
    let grants: Vec<(String, Option<NaiveDateTime>)> = role_grants::table
        .filter(role_grants::user_id.eq(user_id))
        .select((role_grants::role, role_grants::expires_at))
        .load(conn)?;
    Ok(grants.iter().any(|(role, expires)| {
        role != Role::Candidate.as_str() && expires.is_none_or(|e| e > now.naive_utc())
    }))
}

/// Tells one person about an event: an inbox item, and mail (at once for candidates, in the
/// daily digest for staff). `link` is a path on this site; `base` is `ATTEST_PUBLIC_URL`.
#[allow(clippy::too_many_arguments)]
pub fn notify(
    conn: &mut DbConnection,
    base: &str,
    org_id: OrgId,
    user_id: UserId,
    event: Event,
    message: &str,
    link: &str,
    now: DateTime<Utc>,
) -> Result<(), ActionError> {
    let (email, active): (String, bool) = users::table
        .find(user_id)
        .select((users::email, users::active))
        .first_row(conn)?;
    let staff = is_staff(conn, user_id, now)?;
    let immediate = !staff && active;
    diesel::insert_into(notifications::table)
        .values((
            notifications::id.eq(NotificationId::random()),
            notifications::user_id.eq(user_id),
            notifications::kind.eq(event.as_str()),
            notifications::message.eq(message),
            notifications::link.eq(link),
            notifications::created_at.eq(now.naive_utc()),
            notifications::digest.eq(if staff { "daily" } else { "immediate" }),
            notifications::digested_at.eq(immediate.then_some(now.naive_utc())),
        ))
        .execute(conn)?;
    if immediate {
        let body = format!(
            "{message}\n\nOpen it in Attest: {base}{link}\n\nYou receive this because you have a portfolio in Attest.\n"
        );
        enqueue(
            conn,
            Some(org_id),
            &email,
            event.subject(),
            &body,
            "notification",
            now,
        )?;
    }
    Ok(())
}

/// The person's inbox, newest first (at most `limit`).
pub fn inbox(
    conn: &mut DbConnection,
    user_id: UserId,
    limit: i64,
) -> Result<Vec<Notification>, ActionError> {
    Ok(notifications::table
        .filter(notifications::user_id.eq(user_id))
        .order((notifications::created_at.desc(), notifications::id.asc()))
        .limit(limit)
        .select(Notification::as_select())
        .load(conn)?)
}

/// How many inbox items the person has not read.
pub fn unread_count(conn: &mut DbConnection, user_id: UserId) -> Result<i64, ActionError> {
    Ok(notifications::table
        .filter(notifications::user_id.eq(user_id))
        .filter(notifications::read_at.is_null())
        .count()
        .get_result(conn)?)
}

/// Marks one of the person's items read (not found when it is not theirs).
pub fn mark_read(
    conn: &mut DbConnection,
    user_id: UserId,
    id: NotificationId,
    now: DateTime<Utc>,
) -> Result<Notification, ActionError> {
    let found = notifications::table
        .find(id)
        .filter(notifications::user_id.eq(user_id))
        .select(Notification::as_select())
        .first_row(conn)
        .optional()?
        .ok_or(ActionError::NotFound)?;
    if found.read_at.is_some() {
        return Ok(found);
    }
    diesel::update(notifications::table.find(id))
        .set(notifications::read_at.eq(now.naive_utc()))
        .execute(conn)?;
    Ok(Notification {
        read_at: Some(now.naive_utc()),
        ..found
    })
}

/// Marks all the person's items read; how many were unread.
pub fn mark_all_read(
    conn: &mut DbConnection,
    user_id: UserId,
    now: DateTime<Utc>,
) -> Result<usize, ActionError> {
    Ok(diesel::update(
        notifications::table
            .filter(notifications::user_id.eq(user_id))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(now.naive_utc()))
    .execute(conn)?)
}
