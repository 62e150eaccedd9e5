//! Questions the candidate answers: question sets of an organisation, sets sent to a candidate,
//! their answers (typed or a recording) and the assessor's marks. Every handler calls one action of
//! [`crate::portfolio::question_sets::actions`], which checks the policy and audits.

use actix_multipart::Multipart;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::enrolments::send_stored;
use crate::http::extract::{ValidJson, typed_path_id};
use crate::http::session::Session;
use crate::http::shared::question_sets::{attach, may_attach, receive_file};
use crate::http::{ApiError, AppState};
use crate::portfolio::question_sets::actions;
use crate::portfolio::question_sets::{
    AnswersInput, MarksInput, NewQuestionSet, QuestionRequest, QuestionSet, SendQuestions,
};

/// `?standard=CODE`: only the sets of one unit.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SetsQuery {
    /// A unit's code.
    pub standard: Option<String>,
}

/// The organisation's question sets, newest first (assessors and admins).
#[utoipa::path(get, path = "/api/orgs/{org_id}/question-sets",
    params(("org_id" = Uuid, Path), SetsQuery),
    responses((status = 200, body = Vec<QuestionSet>), (status = 403, body = crate::http::error::Problem),
              (status = 404, body = crate::http::error::Problem)))]
pub async fn list_sets(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    query: web::Query<SetsQuery>,
) -> Result<HttpResponse, ApiError> {
    let org_id = typed_path_id(&path)?;
    let standard = query.into_inner().standard;
    let sets = state
        .db
        .read(move |conn| actions::list_sets(conn, &session.acting(), org_id, standard.as_deref()))
        .await?;
    Ok(HttpResponse::Ok().json(sets))
}

/// Creates a question set on a unit of the organisation's catalogue, each question covering
/// knowledge items (or criteria) of the unit.
#[utoipa::path(post, path = "/api/orgs/{org_id}/question-sets", params(("org_id" = Uuid, Path)),
    request_body = NewQuestionSet,
    responses((status = 201, body = QuestionSet), (status = 403, body = crate::http::error::Problem),
              (status = 422, body = crate::http::error::Problem)))]
pub async fn create_set(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<NewQuestionSet>,
) -> Result<HttpResponse, ApiError> {
    let org_id = typed_path_id(&path)?;
    let input = body.into_inner();
    let for_tx = state.clone();
    let set = state
        .db
        .write(move |conn| {
            actions::create_set(conn, for_tx.services(), &session.acting(), org_id, input)
        })
        .await?;
    Ok(HttpResponse::Created().json(set))
}

/// One question set with its questions.
#[utoipa::path(get, path = "/api/question-sets/{set_id}", params(("set_id" = Uuid, Path)),
    responses((status = 200, body = QuestionSet), (status = 404, body = crate::http::error::Problem)))]
pub async fn show_set(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let set_id = typed_path_id(&path)?;
    let set = state
        .db
        .read(move |conn| actions::show_set(conn, &session.acting(), set_id))
        .await?;
    Ok(HttpResponse::Ok().json(set))
}

/// Changes a set's title and questions (sets already sent keep the questions they were sent with).
#[utoipa::path(put, path = "/api/question-sets/{set_id}", params(("set_id" = Uuid, Path)),
    request_body = NewQuestionSet,
    responses((status = 200, body = QuestionSet), (status = 404, body = crate::http::error::Problem),
              (status = 422, body = crate::http::error::Problem)))]
pub async fn update_set(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<NewQuestionSet>,
) -> Result<HttpResponse, ApiError> {
    let set_id = typed_path_id(&path)?;
    let input = body.into_inner();
    let for_tx = state.clone();
    let set = state
        .db
        .write(move |conn| {
            actions::update_set(conn, for_tx.services(), &session.acting(), set_id, input)
        })
        .await?;
    Ok(HttpResponse::Ok().json(set))
}

/// The question sets sent to an enrolment, newest first, with their answers and marks.
#[utoipa::path(get, path = "/api/enrolments/{id}/question-requests", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<QuestionRequest>), (status = 404, body = crate::http::error::Problem)))]
pub async fn list_requests(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = typed_path_id(&path)?;
    let requests = state
        .db
        .read(move |conn| actions::list_requests(conn, &session.acting(), id))
        .await?;
    Ok(HttpResponse::Ok().json(requests))
}

/// Sends a question set to the enrolment's candidate (its assessor; the candidate is told).
#[utoipa::path(post, path = "/api/enrolments/{id}/question-requests", params(("id" = Uuid, Path)),
    request_body = SendQuestions,
    responses((status = 201, body = QuestionRequest), (status = 403, body = crate::http::error::Problem),
              (status = 409, body = crate::http::error::Problem), (status = 422, body = crate::http::error::Problem)))]
pub async fn send(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<SendQuestions>,
) -> Result<HttpResponse, ApiError> {
    let id = typed_path_id(&path)?;
    let input = body.into_inner();
    let for_tx = state.clone();
    let request = state
        .db
        .write(move |conn| actions::send(conn, for_tx.services(), &session.acting(), id, input))
        .await?;
    Ok(HttpResponse::Created().json(request))
}

/// One sent set with its answers and marks.
#[utoipa::path(get, path = "/api/enrolments/{id}/question-requests/{request_id}",
    params(("id" = Uuid, Path), ("request_id" = Uuid, Path)),
    responses((status = 200, body = QuestionRequest), (status = 404, body = crate::http::error::Problem)))]
pub async fn show_request(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, request_id) = (typed_path_id(&path.0)?, typed_path_id(&path.1)?);
    let request = state
        .db
        .read(move |conn| actions::show_request(conn, &session.acting(), id, request_id))
        .await?;
    Ok(HttpResponse::Ok().json(request))
}

/// The candidate saves typed answers as a draft, or submits them (`submit: true`; every question
/// then needs an answer, typed or recorded; the assessor is told).
#[utoipa::path(put, path = "/api/enrolments/{id}/question-requests/{request_id}/answers",
    params(("id" = Uuid, Path), ("request_id" = Uuid, Path)), request_body = AnswersInput,
    responses((status = 200, body = QuestionRequest), (status = 403, body = crate::http::error::Problem),
              (status = 409, body = crate::http::error::Problem), (status = 422, body = crate::http::error::Problem)))]
pub async fn answer(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
    body: ValidJson<AnswersInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, request_id) = (typed_path_id(&path.0)?, typed_path_id(&path.1)?);
    let input = body.into_inner();
    let for_tx = state.clone();
    let request = state
        .db
        .write(move |conn| {
            actions::answer(
                conn,
                for_tx.services(),
                &session.acting(),
                id,
                request_id,
                input,
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(request))
}

/// Multipart form of a recorded answer: one `file` part (audio or video).
#[derive(utoipa::ToSchema)]
#[expect(dead_code)]
pub struct RecordingForm {
    /// The recording.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// The candidate uploads a recording as the answer to one question (audio or video; hashed and
/// kept in the file store like evidence files).
#[utoipa::path(post, path = "/api/enrolments/{id}/question-requests/{request_id}/answers/{answer_id}/recording",
    params(("id" = Uuid, Path), ("request_id" = Uuid, Path), ("answer_id" = Uuid, Path)),
    request_body(content = RecordingForm, content_type = "multipart/form-data"),
    responses((status = 200, body = QuestionRequest), (status = 403, body = crate::http::error::Problem),
              (status = 413, body = crate::http::error::Problem), (status = 415, body = crate::http::error::Problem),
              (status = 422, body = crate::http::error::Problem)))]
pub async fn upload_recording(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String, String)>,
    mut multipart: Multipart,
) -> Result<HttpResponse, ApiError> {
    let (id, request_id, answer_id) = (
        typed_path_id(&path.0)?,
        typed_path_id(&path.1)?,
        typed_path_id(&path.2)?,
    );
    may_attach(&state, &session, id, request_id, answer_id).await?;
    let (_, received) = receive_file(&state, &mut multipart).await?;
    let request = attach(&state, session, id, request_id, answer_id, received).await?;
    Ok(HttpResponse::Ok().json(request))
}

/// A recorded answer, for whoever may read the enrolment (`?inline=1` plays it in the browser).
#[utoipa::path(get, path = "/api/enrolments/{id}/question-requests/{request_id}/answers/{answer_id}/recording",
    params(("id" = Uuid, Path), ("request_id" = Uuid, Path), ("answer_id" = Uuid, Path),
           ("inline" = Option<String>, Query, description = "1: play in the browser")),
    responses((status = 200, description = "The recording"),
              (status = 206, description = "The byte range asked for (inline only)"),
              (status = 404, body = crate::http::error::Problem)))]
pub async fn download_recording(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String, String)>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (id, request_id, answer_id) = (
        typed_path_id(&path.0)?,
        typed_path_id(&path.1)?,
        typed_path_id(&path.2)?,
    );
    let file = state
        .db
        .read(move |conn| actions::recording(conn, &session.acting(), id, request_id, answer_id))
        .await?;
    send_stored(&state, &req, file).await
}

/// The assessor marks every answer satisfactory or not yet (with a comment); the satisfactory
/// answers become a questioning evidence record the engine counts; the candidate is told.
#[utoipa::path(post, path = "/api/enrolments/{id}/question-requests/{request_id}/marks",
    params(("id" = Uuid, Path), ("request_id" = Uuid, Path)), request_body = MarksInput,
    responses((status = 200, body = QuestionRequest), (status = 403, body = crate::http::error::Problem),
              (status = 409, body = crate::http::error::Problem), (status = 422, body = crate::http::error::Problem)))]
pub async fn mark(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
    body: ValidJson<MarksInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, request_id) = (typed_path_id(&path.0)?, typed_path_id(&path.1)?);
    let input = body.into_inner();
    let for_tx = state.clone();
    let request = state
        .db
        .write(move |conn| {
            actions::mark(
                conn,
                for_tx.services(),
                &session.acting(),
                id,
                request_id,
                input,
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(request))
}
