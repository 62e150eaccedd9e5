//! Verifying the chain: walking it in order and naming the first broken link.

use std::collections::BTreeMap;

use diesel::prelude::*;
use serde::Serialize;

use super::{Attested, Entry, GENESIS, attested, check_erased};
use crate::db::DbConnection;
use crate::db::FirstRow;
use crate::db::schema::audit_log;

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
    let mut erasures: std::collections::HashMap<i64, Option<BTreeMap<i64, Attested>>> =
        std::collections::HashMap::new();
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
