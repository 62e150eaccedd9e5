//! The mail worker: claims due mail from the outbox, sends it over SMTP, and records the outcome.
//!
//! The queue is the `outbox` table, so it survives a restart and is shared by every instance. A
//! worker claims a mail with a conditional update (only if nobody holds it), so two workers never
//! take the same mail; the claim is a lease ([`super::LEASE`]), so mail held by a worker that died is
//! taken over once the lease runs out. A failed send is retried later, backing off from a minute
//! to six hours; after [`MAX_ATTEMPTS`] the mail is marked failed and kept for an admin to read.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use crate::action::ActionError;
use crate::db::schema::outbox;
use crate::db::{Database, DbConnection, write_transaction};

/// Attempts before a mail is marked failed (it stays in the outbox).
pub const MAX_ATTEMPTS: i32 = 10;

/// Mail taken by a worker to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The outbox row.
    pub id: String,
    /// Recipient.
    pub to: String,
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// Attempts before this one.
    pub attempts: i32,
}

/// Something that delivers a mail (SMTP in the service).
pub trait Transport: Send + Sync {
    /// Delivers one mail from `from`; the error in words.
    fn send(&self, from: &str, mail: &Outgoing) -> Result<(), String>;
}

/// SMTP through `lettre`, configured by `ATTEST_SMTP_URL` (`smtp://host:port` plain,
/// `smtp://host:587?tls=required` STARTTLS, `smtps://host:465` TLS; user and password in the URL).
pub struct Smtp {
    transport: lettre::SmtpTransport,
}

impl Smtp {
    /// Reads an SMTP URL.
    pub fn from_url(url: &str) -> Result<Self, String> {
        let builder = lettre::SmtpTransport::from_url(url).map_err(|e| e.to_string())?;
        Ok(Self {
            transport: builder.timeout(Some(StdDuration::from_secs(30))).build(),
        })
    }
}

impl Transport for Smtp {
    fn send(&self, from: &str, mail: &Outgoing) -> Result<(), String> {
        use lettre::Transport as _;
        use lettre::message::header::ContentType;
        let message = lettre::Message::builder()
            .from(from.parse().map_err(|e| format!("sender {from}: {e}"))?)
            .to(mail
                .to
                .parse()
                .map_err(|e| format!("recipient {}: {e}", mail.to))?)
            .subject(mail.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .map_err(|e| e.to_string())?;
        self.transport
            .send(&message)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// Claims up to `limit` due mails for `worker`. Each is taken with an update that only succeeds
/// while nobody else holds it, so concurrent workers (on one or several instances) split the
/// queue and never send a mail twice.
pub fn claim(
    conn: &mut DbConnection,
    worker: &str,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Outgoing>, ActionError> {
    let at = now.naive_utc();
    let free = outbox::claimed_until
        .is_null()
        .or(outbox::claimed_until.lt(at));
    let due: Vec<(String, String, String, String, i32)> = outbox::table
        .filter(outbox::status.eq("pending"))
        .filter(outbox::next_attempt_at.le(at))
        .filter(free)
        .order((outbox::next_attempt_at.asc(), outbox::id.asc()))
        .limit(limit)
        .select((
            outbox::id,
            outbox::to_address,
            outbox::subject,
            outbox::body,
            outbox::attempts,
        ))
        .load(conn)?;
    let mut claimed = Vec::new();
    for (id, to, subject, body, attempts) in due {
        let free = outbox::claimed_until
            .is_null()
            .or(outbox::claimed_until.lt(at));
        let taken = diesel::update(
            outbox::table
                .find(&id)
                .filter(outbox::status.eq("pending"))
                .filter(free),
        )
        .set((
            outbox::claimed_by.eq(worker),
            outbox::claimed_until.eq(at + super::LEASE),
        ))
        .execute(conn)?;
        if taken == 1 {
            claimed.push(Outgoing {
                id,
                to,
                subject,
                body,
                attempts,
            });
        }
    }
    Ok(claimed)
}

/// Records that the server accepted the mail.
pub fn mark_sent(
    conn: &mut DbConnection,
    id: &str,
    worker: &str,
    now: DateTime<Utc>,
) -> Result<(), ActionError> {
    diesel::update(outbox::table.find(id).filter(outbox::claimed_by.eq(worker)))
        .set((
            outbox::status.eq("sent"),
            outbox::sent_at.eq(now.naive_utc()),
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::claimed_by.eq(None::<String>),
            outbox::claimed_until.eq(None::<chrono::NaiveDateTime>),
            outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
}

/// The wait before the next attempt after `attempts` failures: 1, 2, 4 … minutes, at most 6 hours.
pub fn backoff(attempts: i32) -> Duration {
    let minutes = 1i64 << attempts.clamp(0, 9).saturating_sub(1);
    Duration::minutes(minutes.min(360))
}

/// Records a failed attempt: tried again later, or marked failed after [`MAX_ATTEMPTS`].
pub fn mark_failed(
    conn: &mut DbConnection,
    mail: &Outgoing,
    worker: &str,
    error: &str,
    now: DateTime<Utc>,
) -> Result<(), ActionError> {
    let attempts = mail.attempts + 1;
    let status = if attempts >= MAX_ATTEMPTS {
        "failed"
    } else {
        "pending"
    };
    diesel::update(
        outbox::table
            .find(&mail.id)
            .filter(outbox::claimed_by.eq(worker)),
    )
    .set((
        outbox::status.eq(status),
        outbox::attempts.eq(attempts),
        outbox::next_attempt_at.eq((now + backoff(attempts)).naive_utc()),
        outbox::claimed_by.eq(None::<String>),
        outbox::claimed_until.eq(None::<chrono::NaiveDateTime>),
        outbox::last_error.eq(Some(error.chars().take(500).collect::<String>())),
    ))
    .execute(conn)?;
    Ok(())
}

/// What one round of the worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    /// Mails the server accepted.
    pub sent: usize,
    /// Mails that failed this time (retried later or given up).
    pub failed: usize,
}

/// One round: claim due mail (in its own short transaction), send each, record each outcome.
pub fn run_once(
    db: &Database,
    transport: &dyn Transport,
    from: &str,
    worker: &str,
    now: DateTime<Utc>,
) -> Result<Round, ActionError> {
    let mut round = Round::default();
    loop {
        let batch = {
            let mut conn = db.conn()?;
            write_transaction(&mut conn, |c| claim(c, worker, now, 20))?
        };
        if batch.is_empty() {
            return Ok(round);
        }
        for mail in &batch {
            let outcome = transport.send(from, mail);
            let mut conn = db.conn()?;
            match outcome {
                Ok(()) => {
                    write_transaction(&mut conn, |c| mark_sent(c, &mail.id, worker, now))?;
                    round.sent += 1;
                }
                Err(error) => {
                    tracing::warn!(mail = %mail.id, %error, "mail not sent; retrying later");
                    write_transaction(&mut conn, |c| mark_failed(c, mail, worker, &error, now))?;
                    round.failed += 1;
                }
            }
        }
    }
}

/// Starts the background worker on its own thread: every `every`, it queues the daily digests
/// and, when there is a transport, sends what is due. Without SMTP, mail stays in the outbox.
pub fn spawn(
    db: Database,
    transport: Option<Box<dyn Transport>>,
    from: String,
    base: String,
    every: StdDuration,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    let worker = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4());
    std::thread::Builder::new()
        .name("attest-mail".into())
        .spawn(move || {
            loop {
                let now = Utc::now();
                let digests = db.conn().map_err(ActionError::from).and_then(|mut conn| {
                    write_transaction(&mut conn, |c| super::queue_digests(c, &base, now))
                });
                if let Err(error) = digests {
                    tracing::warn!(%error, "daily digests not queued this round");
                }
                if let Some(transport) = &transport
                    && let Err(error) = run_once(&db, transport.as_ref(), &from, &worker, now)
                {
                    tracing::warn!(%error, "mail round failed");
                }
                std::thread::sleep(every);
            }
        })
}
