//! Erasure on request: anonymising entries' content while the chain still verifies, and what an
//! `audit.erase` entry attests of each entry it anonymised.

use std::collections::BTreeMap;

use diesel::prelude::*;
use serde::Serialize;

use super::{Change, ERASE_ACTION, Entry, append, content_digest};
use crate::db::DbConnection;
use crate::db::schema::audit_log;

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
pub fn attested(entry: &Entry) -> Option<BTreeMap<i64, Attested>> {
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
    attestation: Option<&BTreeMap<i64, Attested>>,
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

/// What anonymising an entry gives: its new before and after JSON.
pub type Anonymised = (Option<String>, Option<String>);

/// Anonymises the content of the entries at `seqs` with `anonymise` (which answers the new before
/// and after JSON, or none when nothing in the entry is personal), keeping each entry's hash and
/// content digest (an entry written before digests gets the digest of its content as it was), and
/// appends one `audit.erase` entry about `entity`/`entity_id` naming each anonymised entry with its
/// hash and seal, which is what lets [`verify`](super::verify()) tell the erasure from tampering.
/// Refused (409) when one of them does not match its hash already: erasing its content would hide
/// that. Answers the positions anonymised. Call inside the erasure's transaction.
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
