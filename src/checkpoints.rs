//! Signed anchors of the audit trail. The hash chain alone shows an edited entry, but not a
//! removed tail, nor a history rewritten with every later hash recomputed. A checkpoint — the
//! chain's length and head hash at a moment, signed with the instance's Ed25519 key — is kept in
//! the database, written into every statement, archive manifest and export batch, and can be kept
//! as a file: checking the trail against any of them finds a missing tail or a rewritten history.

use std::sync::Arc;

use crate::db::FirstRow;
use chrono::{DateTime, NaiveDateTime, SecondsFormat, SubsecRound, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::{Value, json};

use crate::audit::GENESIS;
use crate::db::schema::{audit_checkpoints, audit_log};
use crate::db::{Database, DbConnection};
use crate::keys::jws::{self, JwsError};
use crate::keys::{INSTANCE, KeyError, KeyRing, PublicKey, did_for};

/// The JWS `typ` of a checkpoint.
pub const TYP: &str = "attest-audit-checkpoint+jwt";
/// The name of a checkpoint file attached to a statement PDF.
pub const ATTACHMENT: &str = "audit-checkpoint.jwt";

/// What a checkpoint says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checkpoint {
    /// Entries in the chain then.
    pub count: i64,
    /// The hash of the last of them (the genesis hash for an empty chain).
    pub head: String,
    /// When it was taken (RFC 3339).
    pub at: String,
}

/// Signs the chain's present length and head with the instance key and keeps it (one per length:
/// a chain that has not moved gives the checkpoint already kept). Call in a write transaction.
pub fn take(
    conn: &mut DbConnection,
    keys: &KeyRing,
    public_url: &str,
    now: DateTime<Utc>,
) -> Result<String, KeyError> {
    let key = keys.active(conn, INSTANCE)?;
    let last: Option<(i64, String)> = audit_log::table
        .select((audit_log::seq, audit_log::hash))
        .order(audit_log::seq.desc())
        .first_row(conn)
        .optional()?;
    let (count, head) = last.unwrap_or((0, GENESIS.to_owned()));
    let kept: Option<String> = audit_checkpoints::table
        .find(count)
        .select(audit_checkpoints::jws)
        .first_row(conn)
        .optional()?;
    if let Some(jws) = kept {
        return Ok(jws);
    }
    let at = now.trunc_subsecs(0);
    let did = did_for(public_url, INSTANCE);
    let payload = json!({
        "iss": did,
        "type": "AuditCheckpoint",
        "count": count,
        "head": head,
        "at": at.to_rfc3339_opts(SecondsFormat::Secs, true),
    });
    let jws = key.sign(&format!("{did}#{}", key.kid), TYP, &payload)?;
    diesel::insert_into(audit_checkpoints::table)
        .values((
            audit_checkpoints::seq.eq(count),
            audit_checkpoints::head.eq(&head),
            audit_checkpoints::at.eq(at.naive_utc()),
            audit_checkpoints::kid.eq(&key.kid),
            audit_checkpoints::jws.eq(&jws),
        ))
        .execute(conn)?;
    Ok(jws)
}

/// How often a running server anchors the trail (a checkpoint is only added when the trail grew).
pub const EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// Takes a checkpoint now and then every [`EVERY`], for as long as the server runs. A failure is
/// logged and tried again at the next tick: anchoring must never stop the service.
pub async fn periodically(db: Database, keys: Arc<KeyRing>, public_url: String) {
    let mut ticks = actix_web::rt::time::interval(EVERY);
    loop {
        ticks.tick().await;
        let (keys, url) = (keys.clone(), public_url.clone());
        let taken = db
            .write(move |conn| {
                take(conn, &keys, &url, Utc::now()).map_err(crate::action::ActionError::from)
            })
            .await;
        if let Err(err) = taken {
            tracing::warn!(%err, "could not take an audit checkpoint");
        }
    }
}

/// Every kept checkpoint, oldest first.
pub fn kept(conn: &mut DbConnection) -> QueryResult<Vec<(i64, NaiveDateTime, String)>> {
    audit_checkpoints::table
        .order(audit_checkpoints::seq.asc())
        .select((
            audit_checkpoints::seq,
            audit_checkpoints::at,
            audit_checkpoints::jws,
        ))
        .load(conn)
}

/// What checking the trail against one checkpoint found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "finding")]
pub enum Finding {
    /// The trail holds the checkpoint's entries, ending in its head.
    Holds(Checkpoint),
    /// The trail is shorter than it was when the checkpoint was signed.
    MissingTail {
        /// The checkpoint.
        checkpoint: Checkpoint,
        /// Entries the trail has now.
        now: i64,
    },
    /// The entry at the checkpoint's length is not the one signed: history was rewritten.
    Rewritten {
        /// The checkpoint.
        checkpoint: Checkpoint,
    },
    /// The checkpoint's own signature does not verify.
    BadSignature(String),
}

impl Finding {
    /// Whether the trail passed this check.
    pub fn holds(&self) -> bool {
        matches!(self, Self::Holds(_))
    }

    /// A sentence for the auditor.
    pub fn describe(&self) -> String {
        match self {
            Self::Holds(c) => format!(
                "checkpoint of {} at {}: the trail holds its {} entries, ending in {}",
                c.at, c.count, c.count, c.head
            ),
            Self::MissingTail { checkpoint: c, now } => format!(
                "checkpoint of {} at {}: the trail had {} entries then but has {now} now: its tail has been removed",
                c.at, c.count, c.count
            ),
            Self::Rewritten { checkpoint: c } => format!(
                "checkpoint of {} at {}: entry {} is not the one signed then (head {}): history has been rewritten",
                c.at, c.count, c.count, c.head
            ),
            Self::BadSignature(why) => format!("a checkpoint that cannot be trusted: {why}"),
        }
    }
}

/// Checks the trail in the database against the checkpoint `token`, signed by one of `keys`.
pub fn check(conn: &mut DbConnection, token: &str, keys: &[PublicKey]) -> QueryResult<Finding> {
    let payload: Value = match jws::verify(token, keys) {
        Ok((_, payload)) => payload,
        Err(e @ (JwsError::Malformed(_) | JwsError::Tampered | JwsError::UnknownKey(_))) => {
            return Ok(Finding::BadSignature(e.to_string()));
        }
    };
    let checkpoint = Checkpoint {
        count: payload["count"].as_i64().unwrap_or(-1),
        head: payload["head"].as_str().unwrap_or_default().to_owned(),
        at: payload["at"].as_str().unwrap_or_default().to_owned(),
    };
    if checkpoint.count < 0 || payload["type"] != "AuditCheckpoint" {
        return Ok(Finding::BadSignature(
            "signed, but not an audit checkpoint".into(),
        ));
    }
    if checkpoint.count == 0 {
        return Ok(if checkpoint.head == GENESIS {
            Finding::Holds(checkpoint)
        } else {
            Finding::Rewritten { checkpoint }
        });
    }
    let entry: Option<String> = audit_log::table
        .find(checkpoint.count)
        .select(audit_log::hash)
        .first_row(conn)
        .optional()?;
    Ok(match entry {
        Some(hash) if hash == checkpoint.head => Finding::Holds(checkpoint),
        Some(_) => Finding::Rewritten { checkpoint },
        None => {
            let now: i64 = audit_log::table.count().get_result(conn)?;
            Finding::MissingTail { checkpoint, now }
        }
    })
}
