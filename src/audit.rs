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

use crate::db::FirstRow;
use chrono::{NaiveDateTime, SubsecRound, Utc};
use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

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
    /// The SHA-256 of the content (before and after JSON, [`content_digest`]) the hash covers;
    /// none for entries written before digests, whose hash covers the content itself.
    pub content_sha256: Option<String>,
    /// The position of the `audit.erase` entry that anonymised this entry's content, if any.
    pub erased_by: Option<i64>,
}

/// The SHA-256 of an entry's content: its before and after JSON text, exactly as stored.
pub fn content_digest(before_json: Option<&str>, after_json: Option<&str>) -> String {
    let canonical = serde_json::json!([before_json, after_json]);
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

impl Entry {
    /// The hash this entry must carry: its seal when it has a content digest, else the legacy
    /// hash over its content.
    pub fn compute_hash(&self) -> String {
        match &self.content_sha256 {
            Some(digest) => self.seal_with(digest),
            None => self.legacy_hash(),
        }
    }

    /// The digest of the content as it is now.
    pub fn current_digest(&self) -> String {
        content_digest(self.before_json.as_deref(), self.after_json.as_deref())
    }

    /// The SHA-256 of the fixed fields and the content digest (none when the entry has no
    /// digest): the hash of entries written with digests, and what an erasure attests for entries
    /// written before them.
    pub fn seal(&self) -> Option<String> {
        self.content_sha256.as_deref().map(|d| self.seal_with(d))
    }

    fn seal_with(&self, digest: &str) -> String {
        let canonical = serde_json::json!([
            "v2",
            self.seq,
            self.at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
            self.actor_id,
            self.action,
            self.entity,
            self.entity_id,
            digest,
            self.prev_hash,
        ]);
        hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
    }

    /// Sets the content digest from the content and the hash from both: what [`append`] does.
    pub fn reseal(&mut self) {
        self.content_sha256 = Some(self.current_digest());
        self.hash = self.compute_hash();
    }

    /// Whether the stored content, digest and hash agree (not counting erasure).
    pub fn intact(&self) -> bool {
        match &self.content_sha256 {
            Some(digest) => *digest == self.current_digest() && self.seal_with(digest) == self.hash,
            None => self.legacy_hash() == self.hash,
        }
    }

    /// The SHA-256 of everything in the entry except its own hash, content digest and erasure
    /// mark: the hash of entries written before content digests.
    pub fn legacy_hash(&self) -> String {
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
    /// Of those, entries whose content was erased on request: each is named, with its hash and
    /// seal, by a later `audit.erase` entry, and verifies by its content digest.
    pub erased: u64,
    /// The first broken link, if any.
    pub broken: Option<BrokenLink>,
}

/// What an `audit.erase` entry attests of one entry whose content it anonymised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Attested {
    /// The entry's position.
    pub seq: i64,
    /// Its hash (unchanged by the erasure).
    pub hash: String,
    /// Its seal ([`Entry::seal`]): the hash of its fixed fields and content digest.
    pub seal: String,
    /// The digest of its anonymised content, so that content cannot be changed unseen either.
    pub erased_sha256: String,
}

/// The entries an `audit.erase` entry attests, by position (none when it is not one).
pub fn attested(entry: &Entry) -> Option<std::collections::BTreeMap<i64, Attested>> {
    if entry.action != ERASE_ACTION {
        return None;
    }
    let after: serde_json::Value = serde_json::from_str(entry.after_json.as_deref()?).ok()?;
    let list: Vec<Attested> = serde_json::from_value(after.get("entries")?.clone()).ok()?;
    Some(list.into_iter().map(|a| (a.seq, a)).collect())
}

/// Why an entry marked erased by entry `by` does not check out against what `by` attests
/// (`attestation`), if it does not.
pub fn check_erased(
    entry: &Entry,
    by: i64,
    attestation: Option<&std::collections::BTreeMap<i64, Attested>>,
) -> Option<String> {
    let Some(listed) = attestation.and_then(|all| all.get(&entry.seq)) else {
        return Some(format!(
            "its content is marked erased by entry {by}, which does not name it (content removed outside an erasure)"
        ));
    };
    if by <= entry.seq || listed.hash != entry.hash || entry.seal().as_ref() != Some(&listed.seal) {
        return Some(format!(
            "its fields or content digest do not match what erasure entry {by} attests"
        ));
    }
    if entry.current_digest() != listed.erased_sha256 {
        return Some(format!(
            "its anonymised content does not match what erasure entry {by} attests"
        ));
    }
    None
}

/// Walks the whole chain in order, in pages, and names the first broken link. An entry whose
/// content was erased checks out when the `audit.erase` entry that marks it names it with its
/// hash and seal; any other entry must match its content digest and hash.
pub fn verify(conn: &mut DbConnection) -> QueryResult<Verification> {
    const PAGE: i64 = 1000;
    let mut expected_prev = GENESIS.to_owned();
    let mut expected_seq = 1;
    let mut entries = 0;
    let mut erased = 0;
    // The attestations of the erasure entries met so far (there are few), by position.
    let mut erasures: std::collections::HashMap<
        i64,
        Option<std::collections::BTreeMap<i64, Attested>>,
    > = std::collections::HashMap::new();
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
                erased,
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
            if let Some(by) = entry.erased_by {
                if let std::collections::hash_map::Entry::Vacant(slot) = erasures.entry(by) {
                    let eraser: Option<Entry> = audit_log::table
                        .find(by)
                        .select(Entry::as_select())
                        .first_row(conn)
                        .optional()?;
                    slot.insert(eraser.as_ref().and_then(attested));
                }
                let attestation = erasures.get(&by).and_then(Option::as_ref);
                if let Some(reason) = check_erased(&entry, by, attestation) {
                    return Ok(broken(reason));
                }
                erased += 1;
            } else if !entry.intact() {
                return Ok(broken("its content does not match its hash".into()));
            }
            entries += 1;
            expected_seq += 1;
            expected_prev = entry.hash;
        }
        if done {
            return Ok(Verification {
                entries,
                erased,
                broken: None,
            });
        }
    }
}

/// What anonymising an entry gives: its new before and after JSON.
pub type Anonymised = (Option<String>, Option<String>);

/// Anonymises the content of the entries at `seqs` with `anonymise` (which answers the new before
/// and after JSON, or none when nothing in the entry is personal), keeping each entry's hash and
/// content digest (an entry written before digests gets the digest of its content as it was), and
/// appends one `audit.erase` entry about `entity`/`entity_id` naming each anonymised entry with its
/// hash and seal, which is what lets [`verify`] tell the erasure from tampering. Refused (409) when
/// one of them does not match its hash already: erasing its content would hide that. Answers the
/// positions anonymised. Call inside the erasure's transaction.
pub fn erase_content(
    conn: &mut DbConnection,
    actor_id: Option<&str>,
    entity: &str,
    entity_id: &str,
    seqs: &[i64],
    anonymise: impl Fn(&Entry) -> Option<Anonymised>,
) -> Result<Vec<i64>, crate::action::ActionError> {
    let mut changes: Vec<(Attested, String, Anonymised)> = Vec::new();
    for chunk in seqs.chunks(500) {
        let entries: Vec<Entry> = audit_log::table
            .filter(audit_log::seq.eq_any(chunk))
            .filter(audit_log::erased_by.is_null())
            .filter(audit_log::action.ne(ERASE_ACTION))
            .order(audit_log::seq.asc())
            .select(Entry::as_select())
            .load(conn)?;
        for entry in entries {
            if !entry.intact() {
                return Err(crate::action::ActionError::Conflict(format!(
                    "audit entry {} does not match its hash: erasing its content would hide that; check the trail (`attest audit verify`) first",
                    entry.seq
                )));
            }
            let Some(anonymised) = anonymise(&entry) else {
                continue;
            };
            let digest = entry.current_digest();
            let mut sealed = entry.clone();
            sealed.content_sha256 = Some(digest.clone());
            let seal = sealed.seal().unwrap_or_default();
            let erased_sha256 = content_digest(anonymised.0.as_deref(), anonymised.1.as_deref());
            changes.push((
                Attested {
                    seq: entry.seq,
                    hash: entry.hash,
                    seal,
                    erased_sha256,
                },
                digest,
                anonymised,
            ));
        }
    }
    if changes.is_empty() {
        return Ok(Vec::new());
    }
    let attestations: Vec<&Attested> = changes.iter().map(|c| &c.0).collect();
    let eraser = append(
        conn,
        Change {
            actor_id,
            action: ERASE_ACTION,
            entity,
            entity_id,
            before: None,
            after: Some(serde_json::json!({
                "count": attestations.len(),
                "entries": attestations,
            })),
        },
    )?;
    let mut done = Vec::with_capacity(changes.len());
    for (attested, digest, (before, after)) in changes {
        diesel::update(audit_log::table.find(attested.seq))
            .set((
                audit_log::before_json.eq(before),
                audit_log::after_json.eq(after),
                audit_log::content_sha256.eq(Some(digest)),
                audit_log::erased_by.eq(Some(eraser.seq)),
            ))
            .execute(conn)?;
        done.push(attested.seq);
    }
    Ok(done)
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
