//! A stored audit [`Entry`] and its hashes: the seal over its fixed fields and content digest, and
//! the legacy hash of entries written before content digests.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::schema::audit_log;

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

    /// Sets the content digest from the content and the hash from both: what [`super::append`] does.
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
