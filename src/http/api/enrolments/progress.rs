//! An enrolment's progress report (the stored evaluation, with its ETag).

use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, web};

use crate::db::ids::EnrolmentId;
use crate::http::conditional::{Asked, Body};
use crate::http::extract::typed_path_id;
use crate::http::session::Credentials;
use crate::http::{ApiError, AppState};
use crate::portfolio::stored::{StoredEvaluation, StoredReport};
use crate::portfolio::{self};

/// What the rules engine says of the portfolio, in both views. Clients that poll send the
/// `ETag` back as `If-None-Match` and get 304 while nothing changed. Clients whose
/// `Accept-Encoding` takes gzip get the report gzip-coded, as it was compressed when stored.
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
    let asked = Asked::of(&req);
    let (tag, body) = load_progress(&state, credentials, typed_path_id(&path), &asked).await?;
    crate::http::conditional::stored_json(&asked, &tag, body)
}

/// The enrolment's evaluation as stored, with its tag, as `asked` takes it: one read transaction
/// (the session's select, a point select of the enrolment — for the policy and its revision —
/// with its stored row's head, then only the coding of the report the client gets, from the
/// report cache when it holds that tag, and none of it when the client already holds it) when it
/// is current; otherwise it is recomputed outside the write lock and stored (see
/// [`crate::portfolio::Refresher`]). The bytes are never copied, even when other readers share the
/// same computation right now.
pub async fn load_progress(
    state: &AppState,
    credentials: Credentials,
    id: Result<EnrolmentId, ApiError>,
    asked: &Asked,
) -> Result<(String, Body), ApiError> {
    let catalogue = state.catalogue.clone();
    let cache = state.reports.clone();
    let wanted = asked.clone();
    // Point selects: on the worker's own thread (see `read_point`).
    let (enrolment_id, found) = state
        .db
        .read_point(move |conn| {
            let session = credentials.session(conn)?;
            let id = id?;
            // The policy is asked before anything of the enrolment is answered.
            let (id, head) =
                portfolio::actions::read_stored_progress(conn, &catalogue, &session.acting(), id)?;
            let Some(head) = head else {
                return Ok::<_, ApiError>((id, None));
            };
            // A client that holds it gets a 304: nothing of the report is read.
            let report = match wanted.held(&head.etag) {
                Some(_) => None,
                None => match portfolio::stored::cached_report(
                    conn,
                    &cache,
                    id,
                    &head.etag,
                    wanted.takes_gzip(),
                )? {
                    Some(report) => Some(report),
                    // Stored anew since its head was read (PostgreSQL): as for a stale row.
                    None => return Ok((id, None)),
                },
            };
            Ok((id, Some((head.etag, report))))
        })
        .await?;
    if let Some((etag, report)) = found {
        let body = match report {
            Some(StoredReport::Json(json)) => Body::Plain(json),
            Some(StoredReport::Gzip(gzip)) => Body::Gzip(gzip),
            Some(StoredReport::Packed(gzip)) => {
                Body::Unpacked(Box::new(move || Ok(StoredReport::unpack(&gzip)?.into())))
            }
            // The client holds it: a 304, whose body is not used.
            None => Body::Plain(bytes::Bytes::new()),
        };
        return Ok((etag, body));
    }
    let computed = state.refresher.current(enrolment_id).await?;
    Ok((
        computed.etag.clone(),
        computed_body(computed, asked.takes_gzip()),
    ))
}

/// A report just computed, shared with every reader its computation covers: its bytes are
/// owned by the response body, not copied.
fn computed_body(computed: Arc<StoredEvaluation>, gzip: bool) -> Body {
    if gzip && computed.progress_gzip.is_some() {
        Body::Gzip(bytes::Bytes::from_owner(Gzip(computed)))
    } else if !computed.gzip_alone() {
        Body::Plain(bytes::Bytes::from_owner(Json(computed)))
    } else {
        Body::Unpacked(Box::new(move || {
            Ok(bytes::Bytes::from(computed.json()?.into_owned()))
        }))
    }
}

/// The computed report's JSON, owned by the response body.
struct Json(Arc<StoredEvaluation>);

impl AsRef<[u8]> for Json {
    fn as_ref(&self) -> &[u8] {
        self.0.progress.as_bytes()
    }
}

/// The computed report's gzip, owned by the response body.
struct Gzip(Arc<StoredEvaluation>);

impl AsRef<[u8]> for Gzip {
    fn as_ref(&self) -> &[u8] {
        self.0.progress_gzip.as_deref().unwrap_or_default()
    }
}
