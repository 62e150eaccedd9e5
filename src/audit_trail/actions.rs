//! Reading the audit trail as people do: an organisation's (its admins, external verifiers while
//! their grant lasts) and one portfolio's (whoever may read it, the candidate included), a page at
//! a time with each entry in plain words, and the organisation's trail as a file. Each asks the
//! policy first; the API and the pages call these and only translate.

use std::io::Write;

use serde::Serialize;

use crate::action::{Acting, ActionError};
use crate::audit::Entry;
use crate::auth::policy::{Action, Resource};
use crate::db::DbConnection;
use crate::db::ids::{EnrolmentId, Id, OrgId};
use crate::exports::ExportFailure;
use crate::identity::{self, Organisation, User};
use crate::portfolio::Enrolment;
use crate::portfolio::access::enrolment_for;

use super::{Described, FileEntry, Scope, TrailFilter, TrailFormat, TrailQuery};

/// Entries shown at once; `next_before` reads on.
pub const PAGE: i64 = 100;

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

/// A page of the trail, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TrailPage {
    /// The entries.
    pub entries: Vec<TrailEntry>,
    /// Pass as `before` for the next (older) page; none at the end.
    pub next_before: Option<i64>,
}

/// Whether the actor may read the organisation's trail (asked before a file of it is begun).
pub fn may_read_org_trail(acting: &Acting<'_>, org_id: OrgId) -> Result<(), ActionError> {
    acting.require(
        Action::ReadAudit,
        &Resource::Organisation {
            org_id: org_id.uuid(),
        },
    )
}

/// An organisation's trail as its screen opens it: the organisation, its people (the person
/// filter's choices), the actions its trail holds (the action filter's), and the scope to read
/// pages of.
#[derive(Debug)]
pub struct OrgTrail {
    /// The organisation.
    pub organisation: Organisation,
    /// Its people, by name.
    pub people: Vec<User>,
    /// Every action its trail holds.
    pub actions: Vec<String>,
    /// What its pages read.
    pub scope: Scope,
}

/// Opens the organisation's trail for the actor.
pub fn org_trail(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
) -> Result<OrgTrail, ActionError> {
    may_read_org_trail(acting, org_id)?;
    let organisation = identity::load_organisation(conn, org_id)?;
    let people = identity::list_users(conn, org_id)?;
    let scope = Scope::Organisation(org_id.to_string());
    let actions = super::actions(conn, &scope)?;
    Ok(OrgTrail {
        organisation,
        people,
        actions,
        scope,
    })
}

/// One portfolio's trail as its screen opens it: the enrolment, the candidate's name, the actions
/// its trail holds, and the scope to read pages of.
#[derive(Debug)]
pub struct EnrolmentTrail {
    /// The enrolment.
    pub enrolment: Enrolment,
    /// The candidate's name.
    pub candidate: String,
    /// Every action its trail holds.
    pub actions: Vec<String>,
    /// What its pages read.
    pub scope: Scope,
}

/// Opens one portfolio's trail for whoever may read the enrolment.
pub fn enrolment_trail(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
) -> Result<EnrolmentTrail, ActionError> {
    let enrolment = enrolment_for(conn, acting, enrolment_id, Action::ReadEnrolment)?;
    let candidate = identity::load_user(conn, enrolment.candidate_id)?.name;
    let scope = Scope::Enrolment(enrolment.id.to_string());
    let actions = super::actions(conn, &scope)?;
    Ok(EnrolmentTrail {
        enrolment,
        candidate,
        actions,
        scope,
    })
}

/// A page of the organisation's trail for `query` (the API's).
pub fn org_trail_page(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
    query: &TrailQuery,
) -> Result<TrailPage, ActionError> {
    may_read_org_trail(acting, org_id)?;
    trail_page(conn, &Scope::Organisation(org_id.to_string()), query)
}

/// A page of one portfolio's trail for `query` (the API's).
pub fn enrolment_trail_page(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    query: &TrailQuery,
) -> Result<TrailPage, ActionError> {
    let enrolment = enrolment_for(conn, acting, enrolment_id, Action::ReadEnrolment)?;
    trail_page(conn, &Scope::Enrolment(enrolment.id.to_string()), query)
}

/// A page of a trail the actor has opened ([`org_trail`], [`enrolment_trail`]) for `query`; a
/// bad filter is [`ActionError::Invalid`], naming it.
pub fn trail_page(
    conn: &mut DbConnection,
    scope: &Scope,
    query: &TrailQuery,
) -> Result<TrailPage, ActionError> {
    let filter = query.check()?;
    let entries = super::page(conn, scope, &filter, PAGE)?;
    let next_before = (entries.len() as i64 == PAGE)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    Ok(TrailPage {
        entries: with_words(conn, entries),
        next_before,
    })
}

/// Writes the organisation's trail `filter` keeps to `out` in `format`, oldest first, with every
/// hashed field and the chain hashes (for `attest audit verify --file`).
pub fn write_org_trail_file(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
    filter: &TrailFilter,
    format: TrailFormat,
    out: &mut dyn Write,
) -> Result<u64, ExportFailure> {
    may_read_org_trail(acting, org_id)?;
    super::write_file(
        conn,
        &Scope::Organisation(org_id.to_string()),
        filter,
        format,
        out,
    )
}

/// The actor's name (an id that is no longer a user is shown as the id).
fn with_words(conn: &mut DbConnection, entries: Vec<Entry>) -> Vec<TrailEntry> {
    let mut names = std::collections::HashMap::<String, String>::new();
    entries
        .into_iter()
        .map(|entry| {
            let actor_name = entry.actor_id.as_ref().map(|id| {
                names
                    .entry(id.clone())
                    .or_insert_with(|| {
                        id.parse()
                            .map_err(|_| ActionError::NotFound)
                            .and_then(|user| identity::load_user(conn, user))
                            .map_or_else(|_| id.clone(), |u| u.name)
                    })
                    .clone()
            });
            TrailEntry {
                described: super::describe(&entry),
                entry: FileEntry::from(&entry),
                actor_name,
            }
        })
        .collect()
}
