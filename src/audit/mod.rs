//! The audit trail: an append-only table in which every entry carries the SHA-256 of the one
//! before it, so changing or removing any entry breaks the chain at that point.
//!
//! An entry's hash covers its fixed fields (position, time, actor, action, entity) and the SHA-256
//! of its content (the before and after JSON), kept beside it as `content_sha256`. Erasure on
//! request ([`erase_content`]) can so anonymise the content while the chain still verifies: the
//! digest stays, and an `audit.erase` entry later in the chain names each anonymised entry with
//! its hash and seal. Entries written before digests existed have none and are hashed over their
//! content directly ([`Entry::legacy_hash`]); they are never rehashed, because signed checkpoints
//! name their hashes.
mod entry;
mod erasure;
mod verify;

pub use entry::{Entry, content_digest};
pub use erasure::{Anonymised, Attested, attested, check_erased, erase_content};
pub use verify::{BrokenLink, Verification, verify};

use crate::db::FirstRow;
use chrono::{SubsecRound, Utc};
use diesel::prelude::*;

use crate::db::schema::audit_log;
use crate::db::{self, DbConnection};

/// The action of the entry that records an erasure of other entries' content.
pub const ERASE_ACTION: &str = "audit.erase";

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

/// Appends `change` to the chain. Call inside the transaction that makes the change, so the two
/// commit or fail together.
pub fn append(conn: &mut DbConnection, change: Change<'_>) -> QueryResult<Entry> {
    db::lock_audit_chain(conn)?;
    // On the backend's own connection: every write appends here (see `crate::on_backend`).
    let last: Option<(i64, String)> = crate::on_backend!(conn, |c| audit_log::table
        .select((audit_log::seq, audit_log::hash))
        .order(audit_log::seq.desc())
        .first_row(c)
        .optional())?;
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
        content_sha256: None,
        erased_by: None,
    };
    entry.reseal();
    crate::on_backend!(conn, |c| diesel::insert_into(audit_log::table)
        .values(&entry)
        .execute(c))?;
    Ok(entry)
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
