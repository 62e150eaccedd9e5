//! An enrolment's evidence: the list, JSON records, uploaded files and their download.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;

use crate::db::ids::{EnrolmentId, EvidenceId};
use crate::http::extract::{ValidJson, parse_json, typed_path_id};
use crate::http::session::{Credentials, Session};
use crate::http::{ApiError, AppState, download, inline, upload};
use crate::portfolio::evidence::actions;
use crate::portfolio::{EvidenceRecord, NewEvidence, StoredFile};
use crate::storage;

/// The evidence of an enrolment.
#[utoipa::path(get, path = "/api/enrolments/{id}/evidence", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<EvidenceRecord>), (status = 404, body = crate::http::error::Problem)))]
pub async fn list_evidence(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: EnrolmentId = typed_path_id(&path)?;
    let records = state
        .db
        .read(move |conn| actions::evidence_of(conn, &session.acting(), id))
        .await?;
    Ok(HttpResponse::Ok().json(records))
}

async fn add(
    state: &AppState,
    session: Session,
    id: EnrolmentId,
    new: NewEvidence,
    file: Option<StoredFile>,
) -> Result<EvidenceRecord, ApiError> {
    let tx_state = state.clone();
    let record = state
        .db
        .write(move |conn| {
            actions::add(conn, tx_state.services(), &session.acting(), id, new, file)
        })
        .await?;
    state.refresher.refresh(id);
    Ok(record)
}

/// Adds an evidence record given as JSON (observation checklist, witness testimony, questioning,
/// professional discussion, electronic data record).
#[utoipa::path(post, path = "/api/enrolments/{id}/evidence", params(("id" = Uuid, Path)), request_body = NewEvidence,
    responses((status = 201, body = EvidenceRecord), (status = 409, body = crate::http::error::Problem),
              (status = 422, body = crate::http::error::Problem)))]
pub async fn add_evidence(
    state: web::Data<AppState>,
    credentials: Credentials,
    path: web::Path<String>,
    body: Result<ValidJson<NewEvidence>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    let id = typed_path_id::<EnrolmentId>(&path);
    let tx_state = state.clone();
    // The session is checked inside the write's own transaction (one blocking round trip, not a
    // read transaction first); its refusals still come before the path's and the body's.
    let (id, record) = state
        .db
        .write(move |conn| {
            let session = credentials.session(conn)?;
            let id = id?;
            let new = body?.into_inner();
            let record = actions::add(conn, tx_state.services(), &session.acting(), id, new, None)?;
            Ok::<_, ApiError>((id, record))
        })
        .await?;
    state.refresher.refresh(id);
    Ok(HttpResponse::Created().json(record))
}

/// Multipart form of an upload: the `record` part (JSON, as for `POST …/evidence`) and the `file` part.
#[derive(utoipa::ToSchema)]
#[expect(dead_code)]
pub struct UploadForm {
    /// The evidence record as JSON.
    record: String,
    /// The file.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Uploads an evidence file with its record. The file is streamed to a staging file while hashed,
/// its type is read from the content, and it enters the store (once per content) only after the
/// record is written: a refused upload leaves no file.
#[utoipa::path(post, path = "/api/enrolments/{id}/evidence/upload", params(("id" = Uuid, Path)),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = EvidenceRecord), (status = 413, body = crate::http::error::Problem),
              (status = 415, body = crate::http::error::Problem), (status = 422, body = crate::http::error::Problem)))]
pub async fn upload(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    mut multipart: Multipart,
) -> Result<HttpResponse, ApiError> {
    let id: EnrolmentId = typed_path_id(&path)?;
    // Refuse early (before reading a large body) when the user may not add evidence at all.
    let check_session = session.clone();
    state
        .db
        .read(move |conn| actions::may_add(conn, &check_session.acting(), id).map(drop))
        .await?;

    let mut record: Option<NewEvidence> = None;
    let mut received: Option<(storage::Received, String)> = None;
    let outcome: Result<(), ApiError> = async {
        while let Some(field) = multipart.next().await {
            let mut field =
                field.map_err(|e| ApiError::BadRequest(format!("unreadable upload: {e}")))?;
            let name = field.name().unwrap_or_default().to_owned();
            match name.as_str() {
                "record" => {
                    let mut bytes = Vec::new();
                    while let Some(chunk) = field.next().await {
                        let chunk = chunk
                            .map_err(|e| ApiError::BadRequest(format!("unreadable upload: {e}")))?;
                        bytes.extend_from_slice(&chunk);
                        if bytes.len() > crate::http::extract::JSON_LIMIT {
                            return Err(ApiError::PayloadTooLarge(
                                "the record part is too large".into(),
                            ));
                        }
                    }
                    record = Some(parse_json::<NewEvidence>(&bytes).map_err(prefix_record)?);
                }
                "file" => {
                    if received.is_some() {
                        return Err(ApiError::field("file", "send one file per evidence record"));
                    }
                    let file_name = storage::sanitise_name(
                        field
                            .content_disposition()
                            .and_then(|d| d.get_filename())
                            .unwrap_or("evidence"),
                    );
                    received = Some((upload::receive(&state, &mut field).await??, file_name));
                }
                other => {
                    return Err(ApiError::field(
                        other.to_owned(),
                        "is not a part of this form (send record and file)",
                    ));
                }
            }
        }
        Ok(())
    }
    .await;
    if let Err(err) = outcome {
        if let Some((file, _)) = received {
            file.discard();
        }
        return Err(err);
    }
    let Some(new) = record else {
        if let Some((file, _)) = received {
            file.discard();
        }
        return Err(ApiError::field(
            "record",
            "is required: the evidence record as JSON",
        ));
    };
    let Some((file, name)) = received else {
        return Err(ApiError::field("file", "is required"));
    };
    let stored = upload::describe(&file, name);
    let record = add(&state, session, id, new, Some(stored)).await?;
    upload::publish(&state, file).await?;
    Ok(HttpResponse::Created().json(record))
}

fn prefix_record(err: ApiError) -> ApiError {
    match err {
        ApiError::Validation { errors, .. } => {
            let errors: std::collections::BTreeMap<String, String> = errors
                .into_iter()
                .map(|(k, v)| (format!("record.{k}"), v))
                .collect();
            let detail = errors
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join("; ");
            ApiError::Validation { detail, errors }
        }
        other => other,
    }
}

/// An evidence file; its hash is checked before a byte is sent. A download by default;
/// `?inline=1` shows images, audio, video and PDF in the browser (other types stay downloads),
/// with byte ranges for a player that seeks.
#[utoipa::path(get, path = "/api/enrolments/{id}/evidence/{evidence_id}/file",
    params(("id" = Uuid, Path), ("evidence_id" = Uuid, Path),
           ("inline" = Option<String>, Query, description = "1: show in the browser when the type is safe to")),
    responses((status = 200, description = "The file, as an attachment or inline"),
              (status = 206, description = "The byte range asked for (inline only)"),
              (status = 404, body = crate::http::error::Problem),
              (status = 416, description = "The range asked for is past the end of the file")))]
pub async fn download(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id: EnrolmentId = typed_path_id(&path.0)?;
    let evidence_id: EvidenceId = typed_path_id(&path.1)?;
    let record = state
        .db
        .read(move |conn| actions::evidence(conn, &session.acting(), id, evidence_id))
        .await?;
    let file = record.file.ok_or(ApiError::NotFound)?;
    send_stored(&state, &req, file).await
}

/// Sends a stored file, its hash checked before a byte is sent: a download, or shown in the browser
/// with `?inline=1` when its detected type is safe to (with byte ranges for players). Evidence files
/// and recorded answers to questions are sent alike.
pub async fn send_stored(
    state: &AppState,
    req: &HttpRequest,
    file: StoredFile,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let sha = file.sha256.clone();
    let dir = state.upload_dir.clone();
    let scratch = web::block(move || {
        let scratch = crate::exports::scratch::ScratchFile::create(&dir)?;
        let mut out = std::io::BufWriter::new(scratch.file());
        storage::copy_verified(store.as_ref(), &sha, &mut out)?;
        std::io::Write::flush(&mut out)?;
        drop(out);
        Ok::<_, storage::StorageError>(scratch)
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))??;
    let content_type = header::HeaderValue::from_str(&file.content_type)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let asked_inline = req
        .query_string()
        .split('&')
        .any(|pair| pair == "inline=1" || pair == "inline=true");
    let sending = download::Download {
        scratch,
        file_name: file.name,
        media_type: "application/octet-stream",
        sha256: Some(file.sha256),
    };
    let mut response = if asked_inline && inline::is_safe_inline(&file.content_type) {
        let range = req
            .headers()
            .get(header::RANGE)
            .and_then(|v| v.to_str().ok());
        download::send_inline(sending, range)?
    } else {
        download::send(sending)?
    };
    // The stored, detected type (a `&'static str` cannot carry it).
    if response.status().is_success() {
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, content_type);
    }
    Ok(response)
}
