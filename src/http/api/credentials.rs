//! Credentials on the web: the issuer keys (JWKS and `did:web` documents under stable addresses),
//! the organisations' revocation status lists, a statement's signed badge for its candidate, and
//! the `/verify` upload that checks a credential or a statement PDF.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use crate::action::ActionError;
use crate::credentials::verify;
use crate::credentials::{self, actions, status};
use crate::db::ids::{EnrolmentId, OrgId};
use crate::http::extract::typed_path_id;
use crate::http::session::Session;
use crate::http::{ApiError, AppState};
use crate::keys::{self, INSTANCE};

/// How long a verifier may keep the keys and status lists before asking again.
const CACHE: &str = "public, max-age=300";

/// The largest file `/verify` takes: a statement PDF is well under a megabyte.
const MAX_VERIFY_UPLOAD: usize = 10 * 1024 * 1024;

/// Every issuer public key of this instance, active and retired, as a JWK Set.
#[utoipa::path(get, path = "/.well-known/jwks.json", security(()),
    responses((status = 200, description = "JWK Set (RFC 7517) of every Ed25519 issuer key, active and retired")))]
pub async fn jwks(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let all = state
        .db
        .read(|conn| Ok::<_, ActionError>(keys::public_keys(conn, None)?))
        .await?;
    Ok(public_json(keys::jwks(&all)))
}

/// The instance's `did:web` document: the keys that sign audit checkpoints.
#[utoipa::path(get, path = "/.well-known/did.json", security(()),
    responses((status = 200, description = "DID document of the instance (did:web)")))]
pub async fn instance_did(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let did = keys::did_for(&state.config.public_url, INSTANCE);
    let found = state
        .db
        .read(|conn| Ok::<_, ActionError>(keys::public_keys(conn, Some(INSTANCE))?))
        .await?;
    Ok(public_json(keys::did_document(&did, &found)))
}

/// An organisation's `did:web` document: the keys that sign its credentials and status list
/// (its own, and the instance's, which sign for it when keys are per instance).
#[utoipa::path(get, path = "/orgs/{org_id}/did.json", params(("org_id" = Uuid, Path)), security(()),
    responses((status = 200, description = "DID document of the organisation (did:web)"),
        (status = 404, body = crate::http::error::Problem)))]
pub async fn org_did(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org_id: OrgId = typed_path_id(&path)?;
    let did = keys::did_for(&state.config.public_url, &org_id.to_string());
    let found = state
        .db
        .read(move |conn| {
            crate::identity::load_organisation(conn, org_id)?;
            // Keys are kept by scope: the organisation's id as text, or the instance.
            let mut found = keys::public_keys(conn, Some(&org_id.to_string()))?;
            found.extend(keys::public_keys(conn, Some(INSTANCE))?);
            Ok::<_, ActionError>(found)
        })
        .await?;
    Ok(public_json(keys::did_document(&did, &found)))
}

fn public_json(body: serde_json::Value) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, CACHE))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .json(body)
}

/// The organisation's revocation list: a signed W3C Bitstring Status List credential (VC-JOSE).
/// Every credential of the organisation points at one bit of it, so fetching it says nothing about
/// which credential is being checked. Cacheable; `If-None-Match` answers 304 when unchanged.
#[utoipa::path(get, path = "/credentials/status/{org_id}", params(("org_id" = Uuid, Path)), security(()),
    responses((status = 200, description = "application/vc+jwt: the signed BitstringStatusListCredential"),
        (status = 304, description = "Unchanged since the ETag given"),
        (status = 404, body = crate::http::error::Problem)))]
pub async fn status_list(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org_id: OrgId = typed_path_id(&path)?;
    let tx_state = state.clone();
    let jws = state
        .db
        .write(move |conn| {
            crate::identity::load_organisation(conn, org_id)?;
            status::signed_list(
                conn,
                &tx_state.keys,
                &tx_state.config.public_url,
                org_id,
                Utc::now(),
            )
        })
        .await?;
    let etag = format!("\"{}\"", hex::encode(&Sha256::digest(jws.as_bytes())[..16]));
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    let mut response = if unchanged {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::CACHE_CONTROL, CACHE))
        .insert_header((header::ETAG, etag))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"));
    Ok(if unchanged {
        response.finish()
    } else {
        response.content_type(credentials::MEDIA_TYPE).body(jws)
    })
}

/// The statement's signed Open Badges 3.0 credential, for the candidate's wallet: a VC 2.0
/// `EnvelopedVerifiableCredential` holding the VC-JOSE credential.
#[utoipa::path(get, path = "/api/enrolments/{id}/credential.json", params(("id" = Uuid, Path)),
    responses((status = 200, description = "EnvelopedVerifiableCredential (JSON)"),
        (status = 401, body = crate::http::error::Problem), (status = 403, body = crate::http::error::Problem),
        (status = 404, body = crate::http::error::Problem), (status = 409, body = crate::http::error::Problem)))]
pub async fn credential(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: EnrolmentId = typed_path_id(&path)?;
    let (code, body) = state
        .db
        .read(move |conn| actions::statement_credential(conn, &session.acting(), id))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"badge-{code}.json\""),
        ))
        .json(body))
}

/// The form `POST /verify` takes.
#[derive(utoipa::ToSchema)]
#[expect(dead_code)]
pub struct VerifyForm {
    /// A statement PDF, a badge's JSON or a compact JWS.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// `POST /verify`: checks an uploaded credential (the badge JSON, or the compact JWS) or statement
/// PDF against this instance's published keys and the issuer's status list. HTML for people, JSON
/// with `Accept: application/json`. Checking tells the issuer nothing it would not learn from the
/// status list request itself: no record is kept.
#[utoipa::path(post, path = "/verify", security(()),
    request_body(content = VerifyForm, content_type = "multipart/form-data"),
    responses((status = 200, description = "The verdict: valid, revoked, tampered or unknown_key"),
        (status = 413, body = crate::http::error::Problem), (status = 422, body = crate::http::error::Problem)))]
pub async fn verify_upload(
    state: web::Data<AppState>,
    req: HttpRequest,
    mut multipart: Multipart,
) -> Result<HttpResponse, ApiError> {
    let bytes = read_file_part(&mut multipart).await?;
    let token = verify::extract(&bytes).map_err(|e| ApiError::field("file", e.to_string()))?;
    let tx_state = state.clone();
    let report = state
        .db
        .write(move |conn| actions::check_credential(conn, tx_state.services(), &token))
        .await?;
    let wants_json = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    if wants_json {
        return Ok(HttpResponse::Ok().json(report));
    }
    crate::http::pages::render(
        &state,
        "pages/verify.html",
        &serde_json::json!({ "title": "Verify a credential", "entry": true, "report": report }),
    )
}

/// The bytes of the form's `file` part, refused past [`MAX_VERIFY_UPLOAD`]. The form has that
/// one part: another (or a second file) is refused, naming it.
async fn read_file_part(multipart: &mut Multipart) -> Result<Vec<u8>, ApiError> {
    let mut file: Option<Vec<u8>> = None;
    while let Some(part) = multipart.next().await {
        let mut part =
            part.map_err(|e| ApiError::BadRequest(format!("the form did not arrive whole: {e}")))?;
        match part.name() {
            Some("file") if file.is_some() => {
                return Err(ApiError::field("file", "send one file at a time"));
            }
            Some("file") => {}
            other => {
                return Err(ApiError::field(
                    other.unwrap_or_default().to_owned(),
                    "is not a part of this form (send file)",
                ));
            }
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk
                .map_err(|e| ApiError::BadRequest(format!("the upload was interrupted: {e}")))?;
            if bytes.len() + chunk.len() > MAX_VERIFY_UPLOAD {
                return Err(ApiError::PayloadTooLarge(format!(
                    "file: larger than {} MB; a statement PDF or credential is far smaller",
                    MAX_VERIFY_UPLOAD / 1024 / 1024
                )));
            }
            bytes.extend_from_slice(&chunk);
        }
        if bytes.is_empty() {
            return Err(ApiError::field("file", "is empty"));
        }
        file = Some(bytes);
    }
    file.ok_or_else(|| ApiError::field("file", "is required: a statement PDF or a credential"))
}
