//! A sampling plan's kept draws over HTTP: draw again (with a reason) and download a draw's
//! record, which `attest sampling verify` re-runs offline.

use std::io::Write;

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::exports::scratch::ScratchFile;
use crate::http::download::{self, Download};
use crate::http::extract::{ValidJson, typed_path_id};
use crate::http::session::Session;
use crate::http::{ApiError, AppState};
use crate::signoff::draws::DrawSummary;
use crate::signoff::plans::actions;

/// Why the plan is drawn again.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedrawRequest {
    /// Required: the earlier draw stays on record, and this says why it no longer serves.
    pub reason: String,
}

/// Draws the plan again from the data as it stands now. The earlier draws are kept; the plan
/// shows this one from now on.
#[utoipa::path(post, path = "/api/sampling-plans/{id}/draws", params(("id" = Uuid, Path)), request_body = RedrawRequest,
    responses((status = 201, body = DrawSummary), (status = 422, body = crate::http::error::Problem),
        (status = 403, body = crate::http::error::Problem)))]
pub async fn redraw(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<RedrawRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = typed_path_id(&path)?;
    let reason = body.into_inner().reason;
    let for_tx = state.clone();
    let made = state
        .db
        .write(move |conn| actions::redraw(conn, for_tx.services(), &session.acting(), id, &reason))
        .await?;
    Ok(HttpResponse::Created().json(made.summary()))
}

/// One kept draw's record (`application/json`, with `X-Content-SHA256`): the plan, the
/// population, the rates and risk ratings, the seed and the selection, exactly as drawn.
#[utoipa::path(get, path = "/api/sampling-plans/{id}/draws/{draw_id}", params(("id" = Uuid, Path), ("draw_id" = Uuid, Path)),
    responses((status = 200, description = "the draw record (docs/sampling.md)"), (status = 404, body = crate::http::error::Problem)))]
pub async fn record(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, draw_id) = (typed_path_id(&path.0)?, typed_path_id(&path.1)?);
    let dir = state.upload_dir.clone();
    let draw = state
        .db
        .read(move |conn| actions::draw_record(conn, &session.acting(), id, draw_id))
        .await?;
    let file_name = format!(
        "sample-draw-{}-{}.json",
        draw.plan_id,
        draw.drawn_at.format("%Y%m%dT%H%M%S")
    );
    // A record is small, but goes out the way every download does: from a scratch file.
    let scratch = web::block(move || {
        let scratch = ScratchFile::create(&dir)?;
        scratch.file().write_all(draw.record.as_bytes())?;
        Ok::<_, std::io::Error>(scratch)
    })
    .await
    .map_err(|e| ApiError::Internal(format!("draw record: {e}")))?
    .map_err(|e| ApiError::Internal(format!("draw record: {e}")))?;
    download::send(Download {
        scratch,
        file_name,
        media_type: "application/json",
        sha256: Some(draw.record_sha256),
    })
}
