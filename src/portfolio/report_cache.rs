//! Reports lately sent, kept in memory with their tag.
//!
//! Which report is current is always the database's answer: a progress read selects the stored
//! row's head (stamp and tag) in its read transaction. Only the report's bytes come from here
//! when the entry holds the report of that very tag; otherwise they are read from the row and kept
//! for the next read. A tag names one report of one enrolment (its stamp: revision, standard,
//! interpretations, engine), so an entry is either the current report or never used again, and
//! several instances behind a load balancer each keep their own without ever disagreeing.
//!
//! Why: a report is tens of kilobytes, which SQLite keeps in overflow pages read with a system
//! call each, then validated as UTF-8 and copied out; on PostgreSQL it is a second round trip.
//! Sent from here, the bytes are shared with the response, not copied.

use std::collections::HashMap;
use std::sync::Mutex;

use bytes::Bytes;

use crate::db::ids::EnrolmentId;

/// Bytes of reports kept at most. The demo portfolio's report is 33 KB of JSON and 6 KB of
/// gzip: a few hundred enrolments' reports, a small part of the service's memory.
pub const BUDGET: usize = 8 << 20;

/// Reports kept by enrolment and coding (see the module).
#[derive(Debug)]
pub struct ReportCache {
    budget: usize,
    kept: Mutex<Kept>,
}

#[derive(Debug, Default)]
struct Kept {
    /// By enrolment and whether the bytes are gzip: the tag and the bytes.
    entries: HashMap<(EnrolmentId, bool), (String, Bytes)>,
    bytes: usize,
}

impl Default for ReportCache {
    fn default() -> Self {
        Self::new(BUDGET)
    }
}

impl ReportCache {
    /// A cache of at most `budget` bytes of reports.
    pub fn new(budget: usize) -> Self {
        Self {
            budget,
            kept: Mutex::default(),
        }
    }

    /// The report of `enrolment` tagged `tag` in the coding asked (`gzip`), when it is kept.
    pub fn get(&self, enrolment: &EnrolmentId, gzip: bool, tag: &str) -> Option<Bytes> {
        let kept = self.kept.lock().ok()?;
        match kept.entries.get(&(*enrolment, gzip)) {
            Some((kept_tag, bytes)) if kept_tag == tag => Some(bytes.clone()),
            _ => None,
        }
    }

    /// Keeps the report of `enrolment` tagged `tag` in one coding, in place of any other of that
    /// coding. A report larger than an eighth of the budget is not kept (and the one it replaces
    /// goes); when the budget is
    /// passed, arbitrary entries go until a quarter of it is free again.
    pub fn put(&self, enrolment: EnrolmentId, gzip: bool, tag: String, bytes: Bytes) {
        let Ok(mut kept) = self.kept.lock() else {
            return;
        };
        if bytes.len() > self.budget / 8 {
            // Nor is the entry it replaces: it could never be sent again.
            if let Some((_, old)) = kept.entries.remove(&(enrolment, gzip)) {
                kept.bytes -= old.len();
            }
            return;
        }
        kept.bytes += bytes.len();
        if let Some((_, old)) = kept.entries.insert((enrolment, gzip), (tag, bytes)) {
            kept.bytes -= old.len();
        }
        if kept.bytes > self.budget {
            let target = self.budget - self.budget / 4;
            let Kept { entries, bytes } = &mut *kept;
            entries.retain(|_, (_, b)| {
                let keep = *bytes <= target;
                if !keep {
                    *bytes -= b.len();
                }
                keep
            });
        }
    }

    /// Bytes of reports kept now.
    pub fn bytes(&self) -> usize {
        self.kept.lock().map(|kept| kept.bytes).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::ids::Id;

    fn id(n: u8) -> EnrolmentId {
        EnrolmentId::from_uuid(uuid::Uuid::from_bytes([n; 16]))
    }

    #[test]
    fn a_report_is_given_only_for_its_own_tag_and_coding() {
        let cache = ReportCache::new(1 << 20);
        cache.put(id(1), false, "t1".into(), Bytes::from_static(b"{json}"));
        assert_eq!(
            cache.get(&id(1), false, "t1").as_deref(),
            Some(&b"{json}"[..])
        );
        assert_eq!(cache.get(&id(1), false, "t2"), None, "another tag");
        assert_eq!(cache.get(&id(1), true, "t1"), None, "another coding");
        assert_eq!(cache.get(&id(2), false, "t1"), None, "another enrolment");
        cache.put(id(1), false, "t2".into(), Bytes::from_static(b"{new}"));
        assert_eq!(cache.get(&id(1), false, "t1"), None, "replaced");
        assert_eq!(
            cache.get(&id(1), false, "t2").as_deref(),
            Some(&b"{new}"[..])
        );
        assert_eq!(cache.bytes(), 5);
    }

    #[test]
    fn the_cache_stays_within_its_budget() {
        let cache = ReportCache::new(1000);
        for n in 0..100 {
            cache.put(id(n), n % 2 == 0, "t".into(), Bytes::from(vec![b'x'; 100]));
            assert!(cache.bytes() <= 1000, "{}", cache.bytes());
        }
        let kept = (0..100)
            .filter(|&n| cache.get(&id(n), n % 2 == 0, "t").is_some())
            .count();
        assert_eq!(kept * 100, cache.bytes());
        assert!(kept >= 7, "{kept}");
        cache.put(id(200), false, "t".into(), Bytes::from(vec![b'x'; 126]));
        assert_eq!(cache.get(&id(200), false, "t"), None, "too large to keep");
        cache.put(id(201), false, "t1".into(), Bytes::from(vec![b'x'; 100]));
        let with = cache.bytes();
        cache.put(id(201), false, "t2".into(), Bytes::from(vec![b'x'; 126]));
        assert_eq!(cache.get(&id(201), false, "t1"), None);
        assert_eq!(cache.bytes(), with - 100, "the replaced one goes");
    }
}
