//! The mail outbox: mail queued in the database until the worker in [`super::mail`] sends it.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use uuid::Uuid;

use crate::action::ActionError;
use crate::db::DbConnection;
use crate::db::ids::OrgId;
use crate::db::schema::outbox;

/// A mail in the outbox.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = outbox)]
pub struct OutboxMail {
    /// Its id.
    pub id: String,
    /// The organisation it concerns.
    pub org_id: Option<String>,
    /// The recipient's address.
    pub to_address: String,
    /// Subject.
    pub subject: String,
    /// The plain-text body.
    pub body: String,
    /// notification, digest or witness_request.
    pub kind: String,
    /// Queued.
    #[serde(serialize_with = "crate::db::utc::serialize")]
    pub created_at: NaiveDateTime,
    /// pending, sent or failed (gave up after every retry; still kept).
    pub status: String,
    /// Sending attempts so far.
    pub attempts: i32,
    /// When the worker tries next.
    #[serde(serialize_with = "crate::db::utc::serialize")]
    pub next_attempt_at: NaiveDateTime,
    /// The worker holding it, while it sends.
    #[serde(skip)]
    pub claimed_by: Option<String>,
    /// Until when that worker holds it.
    #[serde(skip)]
    pub claimed_until: Option<NaiveDateTime>,
    /// When the SMTP server accepted it.
    #[serde(serialize_with = "crate::db::utc::serialize_option")]
    pub sent_at: Option<NaiveDateTime>,
    /// The last sending error.
    pub last_error: Option<String>,
}

/// Puts a mail in the outbox; the worker sends it (or it waits there, without SMTP).
pub fn enqueue(
    conn: &mut DbConnection,
    org_id: Option<OrgId>,
    to: &str,
    subject: &str,
    body: &str,
    kind: &str,
    now: DateTime<Utc>,
) -> Result<String, ActionError> {
    let id = Uuid::new_v4().to_string();
    diesel::insert_into(outbox::table)
        .values((
            outbox::id.eq(&id),
            outbox::org_id.eq(org_id),
            outbox::to_address.eq(to),
            outbox::subject.eq(subject),
            outbox::body.eq(body),
            outbox::kind.eq(kind),
            outbox::created_at.eq(now.naive_utc()),
            outbox::status.eq("pending"),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The outbox mail of one organisation (and mail that names none), newest first.
pub fn outbox_of(
    conn: &mut DbConnection,
    org_id: OrgId,
    limit: i64,
) -> Result<Vec<OutboxMail>, ActionError> {
    Ok(outbox::table
        .filter(outbox::org_id.eq(org_id))
        .order((outbox::created_at.desc(), outbox::id.asc()))
        .limit(limit)
        .select(OutboxMail::as_select())
        .load(conn)?)
}

/// How long a worker holds a claimed mail before another may take it over (a crashed worker's
/// mail is sent by the next).
pub const LEASE: Duration = Duration::minutes(5);
