//! An enrolment's progress report (the stored evaluation, with its ETag).

use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, web};

use crate::db::ids::EnrolmentId;
use crate::http::conditional::Body;
use crate::http::extract::typed_path_id;
use crate::http::session::Credentials;
use crate::http::{ApiError, AppState};
use crate::portfolio::{self};

/// What the rules engine says of the portfolio, in both views. Clients that poll send the
/// `ETag` back as `If-None-Match` and get 304 while nothing changed. A report of a megabyte or
/// more is sent gzip-coded to clients whose `Accept-Encoding` takes gzip.
#[utoipa::path(get, path = "/api/enrolments/{id}/progress",
    params(("id" = Uuid, Path),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of an earlier answer")),
    responses((status = 200, description = "The engine's report in both views: {claimed, confirmed}"),
        (status = 304, description = "Unchanged since the answer whose ETag was sent"),
        (status = 404, body = crate::http::error::Problem)))]
pub async fn progress(
    req: HttpRequest,
    state: web::Data<AppState>,
    credentials: Credentials,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = typed_path_id(&path);
    let stored = load_progress(&state, credentials, id).await?;
    let tag = crate::http::conditional::strong_tag(&stored.etag);
    // The stored bytes as they are, never copied, even when other readers share the same
    // computation right now; a large report kept as gzip goes as gzip to clients that take it.
    let body = if stored.progress_gzip.is_none() {
        Body::Plain(bytes::Bytes::from_owner(Report(stored)))
    } else if crate::http::conditional::accepts_gzip(&req) {
        Body::Gzip(bytes::Bytes::from_owner(Report(stored)))
    } else {
        Body::Unpacked(Box::new(move || {
            Ok(bytes::Bytes::from(stored.json()?.into_owned()))
        }))
    };
    crate::http::conditional::stored_json(&req, tag, body)
}

/// The stored report's bytes (the JSON, or gzip of it), owned by the response body.
struct Report(Arc<portfolio::stored::StoredEvaluation>);

impl AsRef<[u8]> for Report {
    fn as_ref(&self) -> &[u8] {
        match &self.0.progress_gzip {
            Some(gzip) => gzip,
            None => self.0.progress.as_bytes(),
        }
    }
}

/// The enrolment's evaluation as stored: one read transaction (the session's select, then one
/// point select of the enrolment, for the policy and its revision, with its stored evaluation)
/// when it is current; otherwise it is recomputed outside the write lock and stored
/// (see [`crate::portfolio::Refresher`]).
pub async fn load_progress(
    state: &AppState,
    credentials: Credentials,
    id: Result<EnrolmentId, ApiError>,
) -> Result<Arc<portfolio::stored::StoredEvaluation>, ApiError> {
    let catalogue = state.catalogue.clone();
    // Two point selects: on the worker's own thread (see `read_point`).
    let (enrolment_id, found) = state
        .db
        .read_point(move |conn| {
            let session = credentials.session(conn)?;
            let id = id?;
            // The enrolment and its stored row in one select; the policy is asked before
            // anything of it is answered.
            let read =
                portfolio::actions::read_stored_progress(conn, &catalogue, &session.acting(), id)?;
            Ok::<_, ApiError>(read)
        })
        .await?;
    if let Some(stored) = found {
        return Ok(Arc::new(stored));
    }
    Ok(state.refresher.current(enrolment_id).await?)
}
