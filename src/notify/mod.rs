//! Notifications (issue 15): every signed-in person's in-app inbox, and the mail outbox.
//!
//! An event writes one inbox item per person it concerns, in the same transaction as the change.
//! Candidates are mailed at once; staff (anyone with a role other than candidate) get one daily
//! digest instead of a mail per event. Mail is a row in `outbox` until the worker in [`mail`]
//! sends it; without SMTP it stays there, readable by the organisation's admins — never dropped.

pub mod actions;
pub mod events;
pub mod mail;

use crate::db::FirstRow;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use uuid::Uuid;

use crate::action::ActionError;
use crate::auth::policy::Role;
use crate::db::DbConnection;
use crate::db::ids::{NotificationId, OrgId, UserId};
use crate::db::schema::{notifications, outbox, role_grants, users};

/// What happened, for the inbox and the mail's subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The assessor rejected evidence.
    EvidenceRejected,
    /// New evidence waits for the assessor's judgement.
    EvidenceWaiting,
    /// The internal verifier disagreed with a decision.
    IvFeedback,
    /// A witness was asked to attest.
    WitnessRequested,
    /// A witness confirmed their testimony.
    WitnessConfirmed,
    /// A statement of competence was issued.
    StatementIssued,
    /// The assessor answered the internal verifier's action points.
    IvResponded,
    /// The assessor decided "not yet competent": the candidate has things to do.
    NotYetCompetent,
    /// The candidate acknowledged an observation or questioning record.
    RecordAcknowledged,
    /// The assessor sent the candidate a set of questions to answer.
    QuestionsSent,
    /// The candidate answered a set of questions: it waits for marking.
    QuestionsAnswered,
    /// The assessor marked the candidate's answers.
    QuestionsMarked,
}

impl Event {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EvidenceRejected => "evidence_rejected",
            Self::EvidenceWaiting => "evidence_waiting",
            Self::IvFeedback => "iv_feedback",
            Self::WitnessRequested => "witness_requested",
            Self::WitnessConfirmed => "witness_confirmed",
            Self::StatementIssued => "statement_issued",
            Self::IvResponded => "iv_responded",
            Self::NotYetCompetent => "not_yet_competent",
            Self::RecordAcknowledged => "record_acknowledged",
            Self::QuestionsSent => "questions_sent",
            Self::QuestionsAnswered => "questions_answered",
            Self::QuestionsMarked => "questions_marked",
        }
    }

    fn subject(self) -> &'static str {
        match self {
            Self::EvidenceRejected => "Evidence not accepted",
            Self::EvidenceWaiting => "Evidence waiting for your judgement",
            Self::IvFeedback => "Feedback from the internal verifier",
            Self::WitnessRequested => "Witness testimony requested",
            Self::WitnessConfirmed => "A witness confirmed their testimony",
            Self::StatementIssued => "Your statement of competence",
            Self::IvResponded => "The assessor answered your action points",
            Self::NotYetCompetent => "Not yet competent: what to do next",
            Self::RecordAcknowledged => "A candidate acknowledged your record",
            Self::QuestionsSent => "Questions to answer",
            Self::QuestionsAnswered => "Answers waiting for your marking",
            Self::QuestionsMarked => "Your answers are marked",
        }
    }
}

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

/// The start of `now`'s UTC day.
fn day_start(now: DateTime<Utc>) -> NaiveDateTime {
    now.date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap_or(now.naive_utc())
}

/// Queues the daily digests: one mail per staff member with every item of earlier days not yet
/// mailed. Each item is taken with a conditional update, so two instances never put the same item
/// in two digests. Returns the number of digests queued.
pub fn queue_digests(
    conn: &mut DbConnection,
    base: &str,
    now: DateTime<Utc>,
) -> Result<usize, ActionError> {
    let cutoff = day_start(now);
    let due: Vec<Notification> = notifications::table
        .filter(notifications::digest.eq("daily"))
        .filter(notifications::digested_at.is_null())
        .filter(notifications::created_at.lt(cutoff))
        .order((
            notifications::user_id.asc(),
            notifications::created_at.asc(),
        ))
        .select(Notification::as_select())
        .load(conn)?;
    let mut by_user: std::collections::BTreeMap<UserId, Vec<Notification>> = Default::default();
    for item in due {
        let taken = diesel::update(
            notifications::table
                .find(item.id)
                .filter(notifications::digested_at.is_null()),
        )
        .set(notifications::digested_at.eq(now.naive_utc()))
        .execute(conn)?;
        if taken == 1 {
            by_user.entry(item.user_id).or_default().push(item);
        }
    }
    let mut queued = 0;
    for (user_id, items) in by_user {
        let (email, active): (String, bool) = users::table
            .find(user_id)
            .select((users::email, users::active))
            .first_row(conn)?;
        if !active {
            continue;
        }
        let mut body = format!(
            "Your Attest digest: {} item{} since the last one.\n\n",
            items.len(),
            if items.len() == 1 { "" } else { "s" }
        );
        for item in &items {
            body.push_str(&format!(
                "- {} ({})\n  {base}{}\n",
                item.message,
                item.created_at.format("%Y-%m-%d %H:%M UTC"),
                item.link
            ));
        }
        body.push_str(&format!("\nYour inbox: {base}/inbox\n"));
        let subject = format!("Attest daily digest: {} to look at", items.len());
        let org: Option<OrgId> = role_grants::table
            .filter(role_grants::user_id.eq(user_id))
            .order(role_grants::org_id.asc())
            .select(role_grants::org_id)
            .first_row(conn)
            .optional()?;
        enqueue(conn, org, &email, &subject, &body, "digest", now)?;
        queued += 1;
    }
    Ok(queued)
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
