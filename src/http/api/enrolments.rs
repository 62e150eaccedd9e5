//! Enrolments, their evidence (JSON records and uploaded files), judgements, submission, reopening
//! and progress. Each handler authorizes inside the transaction that acts, so the facts it decided
//! on cannot change underneath it.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use futures_util::StreamExt;
use serde::Deserialize;
use uuid::Uuid;

use super::path_id;
use crate::action::ActionError;
use crate::auth::policy::{self, Action, EnrolmentStatus, Resource};
use crate::db::DbConnection;
use crate::http::extract::{ValidJson, parse_json};
use crate::http::session::{Credentials, Session};
use crate::http::{ApiError, AppState, download, inline, upload};
use crate::portfolio::acknowledgements::{self, Acknowledgement};
use crate::portfolio::{
    self, AssessorMarks, Enrolment, EnrolmentFilter, EnrolmentPage, EvidenceRecord, Judgements,
    NewEnrolment, NewEvidence, Staff, StoredFile,
};
use crate::standards::{Method, Standard};
use crate::storage;

/// Loads an enrolment and asks the policy; both inside the caller's transaction.
pub fn authorize(
    conn: &mut DbConnection,
    session: &Session,
    id: &str,
    action: Action,
) -> Result<Enrolment, ActionError> {
    let enrolment = portfolio::load_enrolment(conn, id)?;
    match session.require(action, &Resource::Enrolment(enrolment.facts()?)) {
        // Say why when the portfolio's state is the reason, so the person knows what would change it.
        Err(ActionError::Forbidden(_)) if enrolment.status != EnrolmentStatus::Active => {
            Err(ActionError::Forbidden(format!(
                "the portfolio is {}: ask the assessor to reopen it if it needs changing",
                enrolment.status
            )))
        }
        Err(other) => Err(other),
        Ok(()) => Ok(enrolment),
    }
}

/// The standard version an enrolment is pinned to.
pub fn standard_of<'a>(
    state: &'a AppState,
    enrolment: &Enrolment,
) -> Result<&'a Standard, ActionError> {
    state
        .catalogue
        .pinned(enrolment)
        .map(|loaded| &loaded.standard)
}

/// Enrols a candidate on a standard.
#[utoipa::path(post, path = "/api/enrolments", request_body = NewEnrolment,
    responses((status = 201, body = Enrolment), (status = 422, body = crate::http::error::Problem)))]
pub async fn create(
    state: web::Data<AppState>,
    session: Session,
    body: ValidJson<NewEnrolment>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner();
    session.require(
        Action::CreateEnrolment,
        &Resource::Organisation { org_id: new.org_id },
    )?;
    let catalogue = state.catalogue.clone();
    let actor = session.user_id.clone();
    let enrolment = state
        .db
        .write(move |conn| {
            portfolio::create_enrolment(conn, &catalogue, Some(&actor), new, Utc::now())
        })
        .await?;
    Ok(HttpResponse::Created().json(enrolment))
}

/// The enrolments the user may see, filtered and paginated.
#[utoipa::path(get, path = "/api/enrolments", params(EnrolmentFilter),
    responses((status = 200, body = EnrolmentPage), (status = 422, body = crate::http::error::Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    session: Session,
    query: web::Query<EnrolmentFilter>,
) -> Result<HttpResponse, ApiError> {
    let filter = query.into_inner();
    let now = Utc::now();
    let org_id = match filter.org_id {
        Some(org) => org,
        None => {
            let mut orgs: Vec<Uuid> = session
                .actor
                .grants
                .iter()
                .filter(|g| g.is_live(now))
                .map(|g| g.org_id)
                .collect();
            orgs.sort();
            orgs.dedup();
            match orgs.as_slice() {
                [only] => *only,
                [] => return Err(ApiError::NotFound),
                _ => {
                    return Err(ApiError::field(
                        "org_id",
                        "you belong to several organisations: name one",
                    ));
                }
            }
        }
    };
    session.require(Action::ListEnrolments, &Resource::Organisation { org_id })?;
    let scope = policy::enrolment_scope(&session.actor, org_id, now).ok_or(ApiError::NotFound)?;
    let page = state
        .db
        .read(move |conn| portfolio::list_enrolments(conn, &scope, &filter))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// An enrolment with its evidence.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct EnrolmentDetail {
    /// The enrolment.
    pub enrolment: Enrolment,
    /// Its evidence, oldest first.
    pub evidence: Vec<EvidenceRecord>,
}

/// One enrolment with its evidence.
#[utoipa::path(get, path = "/api/enrolments/{id}", params(("id" = Uuid, Path)),
    responses((status = 200, body = EnrolmentDetail), (status = 404, body = crate::http::error::Problem)))]
pub async fn show(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?.to_string();
    let detail = state
        .db
        .read(move |conn| {
            let enrolment = authorize(conn, &session, &id, Action::ReadEnrolment)?;
            let evidence = portfolio::list_evidence(conn, &enrolment.id)?;
            Ok::<_, ActionError>(EnrolmentDetail {
                enrolment,
                evidence,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(detail))
}

/// The evidence of an enrolment.
#[utoipa::path(get, path = "/api/enrolments/{id}/evidence", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<EvidenceRecord>), (status = 404, body = crate::http::error::Problem)))]
pub async fn list_evidence(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?.to_string();
    let records = state
        .db
        .read(move |conn| {
            let enrolment = authorize(conn, &session, &id, Action::ReadEnrolment)?;
            portfolio::list_evidence(conn, &enrolment.id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(records))
}

/// Observations, questioning and professional discussion are the assessor's records; the rest
/// either party may add.
fn action_for(method: Method) -> Action {
    match method {
        Method::ObservationChecklist
        | Method::OralQuestioning
        | Method::WrittenQuestioning
        | Method::ProfessionalDiscussion => Action::RecordAssessorEvidence,
        Method::WitnessTestimony | Method::ElectronicDataRecord | Method::ProductEvidence => {
            Action::AddEvidence
        }
    }
}

async fn add(
    state: &AppState,
    session: Session,
    id: String,
    new: NewEvidence,
    file: Option<StoredFile>,
) -> Result<EvidenceRecord, ApiError> {
    let state_for_tx = state.clone();
    let enrolment_id = id.clone();
    let record = state
        .db
        .write(move |conn| {
            let enrolment = authorize(conn, &session, &id, action_for(new.method))?;
            let standard = standard_of(&state_for_tx, &enrolment)?;
            let now = Utc::now();
            let record = portfolio::add_evidence(
                conn,
                standard,
                &enrolment,
                &session.user_id,
                new,
                file,
                now,
            )?;
            crate::notify::events::evidence_added(
                conn,
                &state_for_tx.config.public_url,
                &enrolment,
                &record,
                &session.user_id,
                now,
            )?;
            Ok::<_, crate::action::ActionError>(record)
        })
        .await?;
    state.refresher.refresh(&enrolment_id).await;
    Ok(record)
}

/// Adds an evidence record given as JSON (observation checklist, witness testimony, questioning,
/// professional discussion, electronic data record).
#[utoipa::path(post, path = "/api/enrolments/{id}/evidence", params(("id" = Uuid, Path)), request_body = NewEvidence,
    responses((status = 201, body = EvidenceRecord), (status = 409, body = crate::http::error::Problem),
              (status = 422, body = crate::http::error::Problem)))]
pub async fn add_evidence(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<NewEvidence>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?.to_string();
    let record = add(&state, session, id, body.into_inner(), None).await?;
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
    let id = path_id(&path)?.to_string();
    // Refuse early (before reading a large body) when the user may not add evidence at all.
    let check_session = session.clone();
    let check_id = id.clone();
    state
        .db
        .read(move |conn| authorize(conn, &check_session, &check_id, Action::AddEvidence).map(drop))
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
    let (id, evidence_id) = (path_id(&path.0)?.to_string(), path_id(&path.1)?.to_string());
    let record = state
        .db
        .read(move |conn| {
            let enrolment = authorize(conn, &session, &id, Action::ReadEnrolment)?;
            portfolio::load_evidence(conn, &enrolment.id, &evidence_id)
        })
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

/// Records the assessor's judgements of an evidence record's mappings.
#[utoipa::path(post, path = "/api/enrolments/{id}/evidence/{evidence_id}/judgements",
    params(("id" = Uuid, Path), ("evidence_id" = Uuid, Path)), request_body = Judgements,
    responses((status = 200, body = EvidenceRecord), (status = 422, body = crate::http::error::Problem)))]
pub async fn judge(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
    body: ValidJson<Judgements>,
) -> Result<HttpResponse, ApiError> {
    let (id, evidence_id) = (path_id(&path.0)?.to_string(), path_id(&path.1)?.to_string());
    let judgements = body.into_inner();
    let base = state.config.public_url.clone();
    let enrolment_id = id.clone();
    let record = state
        .db
        .write(move |conn| {
            let enrolment = authorize(conn, &session, &id, Action::JudgeEvidence)?;
            let now = Utc::now();
            let (record, judged) = portfolio::judge_evidence(
                conn,
                &enrolment,
                &evidence_id,
                &session.user_id,
                judgements,
                now,
            )?;
            crate::notify::events::evidence_judged(conn, &base, &enrolment, &record, &judged, now)?;
            Ok::<_, crate::action::ActionError>(record)
        })
        .await?;
    state.refresher.refresh(&enrolment_id).await;
    Ok(HttpResponse::Ok().json(record))
}

/// The oldest evidence waiting for the signed-in assessor's judgement.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct NextJudgement {
    /// The enrolment.
    pub enrolment_id: String,
    /// The evidence record to judge.
    pub evidence_id: String,
    /// Its mappings still waiting for a judgement.
    pub waiting: usize,
}

/// The oldest evidence (by when it was recorded) with a mapping still pending — testimony still
/// awaiting its witness left out — on an open enrolment the signed-in user assesses and may judge.
/// `None` when nothing is waiting; `skip` leaves one record out (the one just judged, when the
/// assessor left some of it pending). The caseload's "next item" and the API share it.
pub fn next_waiting(
    conn: &mut DbConnection,
    session: &Session,
    skip: Option<&str>,
) -> Result<Option<NextJudgement>, ActionError> {
    let Ok(me) = Uuid::parse_str(&session.user_id) else {
        return Ok(None);
    };
    let now = Utc::now();
    let mut orgs: Vec<Uuid> = session
        .actor
        .grants
        .iter()
        .filter(|g| g.is_live(now) && g.role == policy::Role::Assessor)
        .map(|g| g.org_id)
        .collect();
    orgs.sort();
    orgs.dedup();
    let mut oldest: Option<(chrono::NaiveDateTime, NextJudgement)> = None;
    for org_id in orgs {
        let Some(scope) = policy::enrolment_scope(&session.actor, org_id, now) else {
            continue;
        };
        for page in 1.. {
            let filter = EnrolmentFilter {
                org_id: Some(org_id),
                assessor_id: Some(me),
                page: Some(page),
                per_page: Some(200),
                ..Default::default()
            };
            let found = portfolio::list_enrolments(conn, &scope, &filter)?;
            let last = found.items.len() < 200;
            for enrolment in &found.items {
                let open = matches!(
                    enrolment.status,
                    EnrolmentStatus::Active | EnrolmentStatus::Submitted
                );
                if !open
                    || session
                        .require(
                            Action::JudgeEvidence,
                            &Resource::Enrolment(enrolment.facts()?),
                        )
                        .is_err()
                {
                    continue;
                }
                let records = portfolio::list_evidence(conn, &enrolment.id)?;
                // Listed oldest first: the first waiting record is this enrolment's oldest.
                let Some(record) = records
                    .iter()
                    .find(|r| r.waiting_mappings() > 0 && Some(r.id.as_str()) != skip)
                else {
                    continue;
                };
                let key = (record.recorded_at, record.id.as_str());
                if oldest
                    .as_ref()
                    .is_none_or(|(at, next)| key < (*at, next.evidence_id.as_str()))
                {
                    oldest = Some((
                        record.recorded_at,
                        NextJudgement {
                            enrolment_id: enrolment.id.clone(),
                            evidence_id: record.id.clone(),
                            waiting: record.waiting_mappings(),
                        },
                    ));
                }
            }
            if last {
                break;
            }
        }
    }
    Ok(oldest.map(|(_, next)| next))
}

/// The oldest evidence waiting for the signed-in assessor's judgement, to open its judge page:
/// 404 when nothing is waiting.
#[utoipa::path(get, path = "/api/me/next-judgement",
    responses((status = 200, body = NextJudgement), (status = 401, body = crate::http::error::Problem),
        (status = 404, body = crate::http::error::Problem)))]
pub async fn next_judgement(
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, ApiError> {
    let next = state
        .db
        .read(move |conn| next_waiting(conn, &session, None))
        .await?;
    match next {
        Some(next) => Ok(HttpResponse::Ok().json(next)),
        None => Err(ActionError::NotFound.into()),
    }
}

/// The candidate's acknowledgement of an assessment record.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgeRequest {
    /// A comment on the record (optional).
    #[serde(default)]
    pub comment: String,
}

/// The candidate acknowledges an observation or questioning record the assessor made, with an
/// optional comment (the candidate's signature on the paper checklist). Once per record (409
/// again, and for other kinds of evidence).
#[utoipa::path(post, path = "/api/enrolments/{id}/evidence/{evidence_id}/acknowledgement",
    params(("id" = Uuid, Path), ("evidence_id" = Uuid, Path)), request_body = AcknowledgeRequest,
    responses((status = 201, body = Acknowledgement), (status = 403, body = crate::http::error::Problem),
              (status = 409, body = crate::http::error::Problem)))]
pub async fn acknowledge(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
    body: ValidJson<AcknowledgeRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, evidence_id) = (path_id(&path.0)?.to_string(), path_id(&path.1)?.to_string());
    let comment = body.into_inner().comment;
    let base = state.config.public_url.clone();
    let done = state
        .db
        .write(move |conn| {
            let enrolment = authorize(conn, &session, &id, Action::ReadEnrolment)?;
            acknowledgements::acknowledge(
                conn,
                &base,
                &enrolment,
                &session.user_id,
                &evidence_id,
                &comment,
                Utc::now(),
            )
        })
        .await?;
    Ok(HttpResponse::Created().json(done))
}

/// The candidate's acknowledgements of the assessment records of an enrolment, and which records
/// still wait for one.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AcknowledgementsView {
    /// The acknowledgements, oldest first.
    pub acknowledged: Vec<Acknowledgement>,
    /// Observation and questioning records the candidate has not acknowledged yet.
    pub waiting: Vec<String>,
}

/// Whether the candidate has acknowledged each observation and questioning record.
#[utoipa::path(get, path = "/api/enrolments/{id}/acknowledgements", params(("id" = Uuid, Path)),
    responses((status = 200, body = AcknowledgementsView), (status = 404, body = crate::http::error::Problem)))]
pub async fn list_acknowledgements(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?.to_string();
    let view = state
        .db
        .read(move |conn| {
            let enrolment = authorize(conn, &session, &id, Action::ReadEnrolment)?;
            let acknowledged = acknowledgements::acknowledgements_of(conn, &enrolment.id)?;
            let waiting = portfolio::list_evidence(conn, &enrolment.id)?
                .into_iter()
                .filter(|r| acknowledgements::needs_acknowledgement(&enrolment, r))
                .filter(|r| !acknowledged.iter().any(|a| a.evidence_id == r.id))
                .map(|r| r.id)
                .collect();
            Ok::<_, ActionError>(AcknowledgementsView {
                acknowledged,
                waiting,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// The candidate's declaration on submitting.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitRequest {
    /// "I confirm that the evidence in this portfolio is my own work."
    pub declaration: bool,
}

/// The candidate submits the portfolio; their edits are refused from then on.
#[utoipa::path(post, path = "/api/enrolments/{id}/submit", params(("id" = Uuid, Path)), request_body = SubmitRequest,
    responses((status = 200, body = Enrolment), (status = 409, body = crate::http::error::Problem)))]
pub async fn submit(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<SubmitRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?.to_string();
    let declaration = body.into_inner().declaration;
    let enrolment = state
        .db
        .write(move |conn| {
            let enrolment = authorize(conn, &session, &id, Action::SubmitEnrolment)?;
            crate::signoff::chain::candidate_submits(
                conn,
                &enrolment,
                &session.user_id,
                declaration,
                Utc::now(),
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(enrolment))
}

/// Why a portfolio is reopened or an enrolment withdrawn.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    /// The reason, kept in the audit trail.
    pub reason: String,
}

/// The assessor reopens a submitted or assessed portfolio.
#[utoipa::path(post, path = "/api/enrolments/{id}/reopen", params(("id" = Uuid, Path)), request_body = ReasonRequest,
    responses((status = 200, body = Enrolment), (status = 409, body = crate::http::error::Problem)))]
pub async fn reopen(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<ReasonRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?.to_string();
    let reason = body.into_inner().reason;
    let enrolment = state
        .db
        .write(move |conn| {
            let enrolment = authorize(conn, &session, &id, Action::ReopenEnrolment)?;
            portfolio::reopen(conn, &enrolment, &session.user_id, &reason, Utc::now())
        })
        .await?;
    Ok(HttpResponse::Ok().json(enrolment))
}

/// Sets who assesses and who internally verifies the enrolment.
#[utoipa::path(put, path = "/api/enrolments/{id}/staff", params(("id" = Uuid, Path)), request_body = Staff,
    responses((status = 200, body = Enrolment), (status = 409, body = crate::http::error::Problem), (status = 422, body = crate::http::error::Problem)))]
pub async fn assign_staff(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<Staff>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?.to_string();
    let staff = body.into_inner();
    let enrolment = state
        .db
        .write(move |conn| {
            let enrolment = authorize(conn, &session, &id, Action::AssignEnrolmentStaff)?;
            portfolio::assign_staff(conn, &enrolment, &session.user_id, staff, Utc::now())
        })
        .await?;
    Ok(HttpResponse::Ok().json(enrolment))
}

/// Withdraws the enrolment: nothing more is added, judged or signed.
#[utoipa::path(post, path = "/api/enrolments/{id}/withdraw", params(("id" = Uuid, Path)), request_body = ReasonRequest,
    responses((status = 200, body = Enrolment), (status = 409, body = crate::http::error::Problem), (status = 422, body = crate::http::error::Problem)))]
pub async fn withdraw(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<ReasonRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?.to_string();
    let reason = body.into_inner().reason;
    let enrolment = state
        .db
        .write(move |conn| {
            let enrolment = authorize(conn, &session, &id, Action::WithdrawEnrolment)?;
            portfolio::withdraw(conn, &enrolment, &session.user_id, &reason, Utc::now())
        })
        .await?;
    Ok(HttpResponse::Ok().json(enrolment))
}

/// Lets the enrolment be assessed after its standard version's last date for assessment, until
/// the given day (audited; the latest extension is the one in force).
#[utoipa::path(post, path = "/api/enrolments/{id}/assessment-extension", params(("id" = Uuid, Path)),
    request_body = portfolio::expiry::ExtensionRequest,
    responses((status = 200, body = portfolio::expiry::Extension),
        (status = 401, body = crate::http::error::Problem), (status = 403, body = crate::http::error::Problem),
        (status = 404, body = crate::http::error::Problem), (status = 409, body = crate::http::error::Problem),
        (status = 422, body = crate::http::error::Problem)))]
pub async fn extend_assessment(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<portfolio::expiry::ExtensionRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?.to_string();
    let request = body.into_inner();
    let catalogue = state.catalogue.clone();
    let extension = state
        .db
        .write(move |conn| {
            let enrolment = authorize(conn, &session, &id, Action::ExtendAssessment)?;
            portfolio::expiry::grant_extension(
                conn,
                &catalogue,
                &enrolment,
                &session.user_id,
                request,
                Utc::now(),
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(extension))
}

/// Replaces the assessor's marks: criteria not applicable, rule confirmations.
#[utoipa::path(put, path = "/api/enrolments/{id}/marks", params(("id" = Uuid, Path)), request_body = AssessorMarks,
    responses((status = 200, body = AssessorMarks), (status = 422, body = crate::http::error::Problem)))]
pub async fn marks(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<AssessorMarks>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?.to_string();
    let marks = body.into_inner();
    let state_for_tx = state.clone();
    let enrolment_id = id.clone();
    let saved = state
        .db
        .write(move |conn| {
            let enrolment = authorize(conn, &session, &id, Action::JudgeEvidence)?;
            let standard = standard_of(&state_for_tx, &enrolment)?;
            let saved = portfolio::set_marks(
                conn,
                standard,
                &enrolment,
                &session.user_id,
                marks,
                Utc::now(),
            )?;
            Ok::<_, ActionError>(saved)
        })
        .await?;
    state.refresher.refresh(&enrolment_id).await;
    Ok(HttpResponse::Ok().json(saved))
}

/// What the rules engine says of the portfolio, in both views. Clients that poll send the
/// `ETag` back as `If-None-Match` and get 304 while nothing changed.
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
    let id = path_id(&path).map(|id| id.to_string());
    let stored = load_progress(&state, credentials, id).await?;
    Ok(crate::http::conditional::stored_json(
        &req,
        &stored.etag,
        stored.progress,
    ))
}

/// The enrolment's evaluation as stored: one read transaction (the session, then two point
/// selects: the enrolment, for the policy and its revision, and its stored
/// evaluation) when it is current; otherwise it is recomputed outside the write lock and stored
/// (see [`crate::portfolio::Refresher`]).
pub async fn load_progress(
    state: &AppState,
    credentials: Credentials,
    id: Result<String, ApiError>,
) -> Result<portfolio::stored::StoredEvaluation, ApiError> {
    let catalogue = state.catalogue.clone();
    let (enrolment_id, found) = state
        .db
        .read(move |conn| {
            let session = credentials.session(conn)?;
            let id = id?;
            let enrolment = authorize(conn, &session, &id, Action::ReadEnrolment)?;
            let found = portfolio::stored::fresh(conn, &catalogue, &enrolment, None)?;
            Ok::<_, ApiError>((enrolment.id, found))
        })
        .await?;
    if let Some(stored) = found {
        return Ok(stored);
    }
    Ok(state.refresher.current(&enrolment_id).await?)
}

/// The mapping file to move an enrolment with.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveRequest {
    /// A mapping file of the organisation from the enrolment's version to a later one.
    pub mapping_id: String,
}

/// What moving the enrolment to the next version would do: the engine on the portfolio as it is,
/// and on the mapped portfolio against the new version (what still holds, what is newly missing),
/// with each evidence record's mapping before and after. Nothing changes.
#[utoipa::path(post, path = "/api/enrolments/{id}/move/preview", params(("id" = Uuid, Path)),
    request_body = MoveRequest,
    responses((status = 200, body = portfolio::moves::MovePreview),
              (status = 401, body = crate::http::error::Problem),
              (status = 403, body = crate::http::error::Problem),
              (status = 404, body = crate::http::error::Problem),
              (status = 409, body = crate::http::error::Problem),
              (status = 422, body = crate::http::error::Problem)))]
pub async fn move_preview(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<MoveRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?.to_string();
    let mapping_id = body.into_inner().mapping_id;
    let catalogue = state.catalogue.clone();
    let preview = state
        .db
        .read(move |conn| {
            let enrolment = authorize(conn, &session, &id, Action::MoveEnrolment)?;
            portfolio::moves::preview(conn, &catalogue, &enrolment, &mapping_id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(preview))
}

/// Moves the enrolment to the next version with a mapping file (audited
/// `enrolment.move_version`): pinned to the new version's hash, every evidence record keeps its
/// original mapping (in the move) and gains the mapped one. Undo it until the next decision.
#[utoipa::path(post, path = "/api/enrolments/{id}/move", params(("id" = Uuid, Path)),
    request_body = MoveRequest,
    responses((status = 200, body = portfolio::moves::Move),
              (status = 401, body = crate::http::error::Problem),
              (status = 403, body = crate::http::error::Problem),
              (status = 404, body = crate::http::error::Problem),
              (status = 409, body = crate::http::error::Problem),
              (status = 422, body = crate::http::error::Problem)))]
pub async fn move_version(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<MoveRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?.to_string();
    let mapping_id = body.into_inner().mapping_id;
    let catalogue = state.catalogue.clone();
    let made = state
        .db
        .write(move |conn| {
            let enrolment = authorize(conn, &session, &id, Action::MoveEnrolment)?;
            portfolio::moves::confirm(
                conn,
                &catalogue,
                &enrolment,
                &session.user_id,
                &mapping_id,
                Utc::now(),
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(made))
}

/// Undoes the enrolment's last move to a new version (audited `enrolment.undo_move`): its
/// version, hash, evidence mappings and marks as they were. Refused (409) once a decision has
/// been signed, or evidence added, changed or judged, since the move.
#[utoipa::path(post, path = "/api/enrolments/{id}/move/undo", params(("id" = Uuid, Path)),
    responses((status = 200, body = portfolio::moves::LastMove),
              (status = 401, body = crate::http::error::Problem),
              (status = 403, body = crate::http::error::Problem),
              (status = 404, body = crate::http::error::Problem),
              (status = 409, body = crate::http::error::Problem)))]
pub async fn undo_move(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?.to_string();
    let undone = state
        .db
        .write(move |conn| {
            let enrolment = authorize(conn, &session, &id, Action::MoveEnrolment)?;
            portfolio::moves::undo(conn, &enrolment, &session.user_id, Utc::now())
        })
        .await?;
    Ok(HttpResponse::Ok().json(undone))
}
