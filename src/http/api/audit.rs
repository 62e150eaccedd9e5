//! The audit trail over HTTP: an organisation's entries for its admins and external verifiers,
//! one enrolment's for whoever may read it, and the organisation's trail as a CSV or JSON file
//! with the chain hashes (`attest audit verify --file` checks it).

use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::enrolments::authorize;
use super::exports::streamed;
use super::path_id;
use crate::action::ActionError;
use crate::audit::Entry;
use crate::audit_trail::{self, Described, FileEntry, Scope, TrailQuery};
use crate::auth::policy::{Action, Resource};
use crate::db::DbConnection;
use crate::http::session::Session;
use crate::http::{ApiError, AppState};

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

/// The organisation's audit trail, newest first, a page at a time (provider admins; external
/// verifiers read-only while their grant lasts).
#[utoipa::path(get, path = "/api/orgs/{org_id}/audit", params(("org_id" = Uuid, Path), TrailQuery),
    responses((status = 200, body = TrailPage), (status = 422, body = crate::http::error::Problem),
        (status = 403, body = crate::http::error::Problem)))]
pub async fn org_trail(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    query: web::Query<TrailQuery>,
) -> Result<HttpResponse, ApiError> {
    let org_id = path_id(&path)?;
    session.require(Action::ReadAudit, &Resource::Organisation { org_id })?;
    let query = query.into_inner();
    let page = state
        .db
        .read(move |conn| trail_page(conn, &Scope::Organisation(org_id.to_string()), &query))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// The organisation's audit trail as a file (`format=csv` or `json`), oldest first, with every
/// hashed field and the chain hashes, for `attest audit verify --file`.
#[utoipa::path(get, path = "/api/orgs/{org_id}/audit/export", params(("org_id" = Uuid, Path), TrailQuery),
    responses((status = 200, description = "the trail file (docs/exports.md)", content_type = "text/csv"),
        (status = 422, body = crate::http::error::Problem)))]
pub async fn org_trail_file(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    query: web::Query<TrailQuery>,
) -> Result<HttpResponse, ApiError> {
    let org_id = path_id(&path)?;
    session.require(Action::ReadAudit, &Resource::Organisation { org_id })?;
    let query = query.into_inner();
    let filter = query.check()?;
    let format = query.format()?;
    let name = format!(
        "audit-trail-{}.{}",
        org_id.simple().to_string().get(..8).unwrap_or_default(),
        format.extension()
    );
    streamed(
        &state,
        format.media_type(),
        &name,
        None,
        move |conn, out| {
            audit_trail::write_file(
                conn,
                &Scope::Organisation(org_id.to_string()),
                &filter,
                format,
                out,
            )
            .map(|_| ())
        },
    )
    .await
}

/// One enrolment's audit trail, newest first: for whoever may read the enrolment (the candidate
/// their own portfolio's).
#[utoipa::path(get, path = "/api/enrolments/{id}/audit", params(("id" = Uuid, Path), TrailQuery),
    responses((status = 200, body = TrailPage), (status = 404, body = crate::http::error::Problem)))]
pub async fn enrolment_trail(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    query: web::Query<TrailQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?.to_string();
    let query = query.into_inner();
    let page = state
        .db
        .read(move |conn| {
            let enrolment = authorize(conn, &session, &id, Action::ReadEnrolment)?;
            trail_page(conn, &Scope::Enrolment(enrolment.id), &query)
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}
