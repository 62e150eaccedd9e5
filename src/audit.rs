//! The audit trail: an append-only table in which every entry carries the SHA-256 of the one
//! before it, so changing or removing any entry breaks the chain at that point.

use chrono::{NaiveDateTime, SubsecRound, Utc};
use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::schema::audit_log;
use crate::db::{self, DbConnection};

/// The hash the first entry points back to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One change to record.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    /// Who did it (`None` for the system itself, e.g. a CLI command without a user).
    pub actor_id: Option<&'a str>,
    /// What was done, e.g. `evidence.add`.
    pub action: &'a str,
    /// The kind of thing changed, e.g. `enrolment`.
    pub entity: &'a str,
    /// Its id.
    pub entity_id: &'a str,
    /// State before, when there was one.
    pub before: Option<serde_json::Value>,
    /// State after, when there is one.
    pub after: Option<serde_json::Value>,
}

/// A stored audit entry.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = audit_log)]
pub struct Entry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When it was recorded (UTC).
    pub at: NaiveDateTime,
    /// Who did it.
    pub actor_id: Option<String>,
    /// What was done.
    pub action: String,
    /// The kind of thing changed.
    pub entity: String,
    /// Its id.
    pub entity_id: String,
    /// State before (JSON text).
    pub before_json: Option<String>,
    /// State after (JSON text).
    pub after_json: Option<String>,
    /// The previous entry's hash.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

impl Entry {
    /// The SHA-256 of everything in the entry except its own hash.
    pub fn compute_hash(&self) -> String {
        let canonical = serde_json::json!([
            self.seq,
            self.at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
            self.actor_id,
            self.action,
            self.entity,
            self.entity_id,
            self.before_json,
            self.after_json,
            self.prev_hash,
        ]);
        hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
    }
}

/// Appends `change` to the chain. Call inside the transaction that makes the change, so the two
/// commit or fail together.
pub fn append(conn: &mut DbConnection, change: Change<'_>) -> QueryResult<Entry> {
    db::lock_audit_chain(conn)?;
    let last: Option<(i64, String)> = audit_log::table
        .select((audit_log::seq, audit_log::hash))
        .order(audit_log::seq.desc())
        .first(conn)
        .optional()?;
    let (seq, prev_hash) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_owned()),
    };
    let mut entry = Entry {
        seq,
        // Microseconds: what both backends store exactly, so the hash survives the round trip.
        at: Utc::now().naive_utc().trunc_subsecs(6),
        actor_id: change.actor_id.map(str::to_owned),
        action: change.action.to_owned(),
        entity: change.entity.to_owned(),
        entity_id: change.entity_id.to_owned(),
        before_json: change.before.map(|v| v.to_string()),
        after_json: change.after.map(|v| v.to_string()),
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry.compute_hash();
    diesel::insert_into(audit_log::table)
        .values(&entry)
        .execute(conn)?;
    Ok(entry)
}

/// Where the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenLink {
    /// The first entry that does not check out.
    pub seq: i64,
    /// Why.
    pub reason: String,
}

/// The result of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// Entries checked.
    pub entries: u64,
    /// The first broken link, if any.
    pub broken: Option<BrokenLink>,
}

/// Walks the whole chain in order, in pages, and names the first broken link.
pub fn verify(conn: &mut DbConnection) -> QueryResult<Verification> {
    const PAGE: i64 = 1000;
    let mut expected_prev = GENESIS.to_owned();
    let mut expected_seq = 1;
    let mut entries = 0;
    loop {
        let page: Vec<Entry> = audit_log::table
            .filter(audit_log::seq.ge(expected_seq))
            .order(audit_log::seq.asc())
            .limit(PAGE)
            .select(Entry::as_select())
            .load(conn)?;
        let done = (page.len() as i64) < PAGE;
        for entry in page {
            let broken = |reason: String| Verification {
                entries,
                broken: Some(BrokenLink {
                    seq: entry.seq,
                    reason,
                }),
            };
            if entry.seq != expected_seq {
                return Ok(broken(format!(
                    "entry {expected_seq} is missing (next is {})",
                    entry.seq
                )));
            }
            if entry.prev_hash != expected_prev {
                return Ok(broken("does not point to the previous entry's hash".into()));
            }
            if entry.compute_hash() != entry.hash {
                return Ok(broken("its content does not match its hash".into()));
            }
            entries += 1;
            expected_seq += 1;
            expected_prev = entry.hash;
        }
        if done {
            return Ok(Verification {
                entries,
                broken: None,
            });
        }
    }
}

/// The entries about one entity, oldest first.
pub fn history(conn: &mut DbConnection, entity: &str, entity_id: &str) -> QueryResult<Vec<Entry>> {
    audit_log::table
        .filter(audit_log::entity.eq(entity))
        .filter(audit_log::entity_id.eq(entity_id))
        .order(audit_log::seq.asc())
        .select(Entry::as_select())
        .load(conn)
}
