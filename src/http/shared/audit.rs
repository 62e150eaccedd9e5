//! The audit trail's pages of entries.

use serde::Serialize;

use crate::action::ActionError;
use crate::audit::Entry;
use crate::audit_trail::{self, Described, FileEntry, Scope, TrailQuery};
use crate::db::DbConnection;

/// One entry: the hashed fields as stored, the actor's name, and the change in plain words.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TrailEntry {
    /// The stored entry (hashed fields; `at` as hashed).
    #[serde(flatten)]
    pub entry: FileEntry,
    /// The actor's name, when there is an actor.
    pub actor_name: Option<String>,
    /// The entry in plain words.
    pub described: Described,
}

/// A page of `scope`'s trail for `query`.
pub(crate) fn trail_page(
    conn: &mut DbConnection,
    scope: &Scope,
    query: &TrailQuery,
) -> Result<TrailPage, ActionError> {
    let filter = query.check()?;
    let entries = audit_trail::page(conn, scope, &filter, PAGE)?;
    let next_before = (entries.len() as i64 == PAGE)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    Ok(TrailPage {
        entries: with_words(conn, entries),
        next_before,
    })
}

/// Entries shown at once; `next_before` reads on.
pub const PAGE: i64 = 100;

/// A page of the trail, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TrailPage {
    /// The entries.
    pub entries: Vec<TrailEntry>,
    /// Pass as `before` for the next (older) page; none at the end.
    pub next_before: Option<i64>,
}

/// The actor's name (an id that is no longer a user is shown as the id).
pub(crate) fn with_words(conn: &mut DbConnection, entries: Vec<Entry>) -> Vec<TrailEntry> {
    let mut names = std::collections::HashMap::<String, String>::new();
    entries
        .into_iter()
        .map(|entry| {
            let actor_name = entry.actor_id.as_ref().map(|id| {
                names
                    .entry(id.clone())
                    .or_insert_with(|| {
                        crate::identity::load_user(conn, id).map_or_else(|_| id.clone(), |u| u.name)
                    })
                    .clone()
            });
            TrailEntry {
                described: audit_trail::describe(&entry),
                entry: FileEntry::from(&entry),
                actor_name,
            }
        })
        .collect()
}
