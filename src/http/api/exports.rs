//! A provider admin's exports and cohorts: results files streamed from the database, the
//! report-once ledger (record, list, download again, reverse), Open Badges, cohorts and their
//! progress per outcome.
//!
//! GET never records anything: `GET /api/orgs/{org_id}/results` is a preview of what the next
//! batch would hold. Recording is `POST /api/orgs/{org_id}/export-batches`, and the recorded file
//! is `GET /api/export-batches/{id}/download` (safe to repeat).

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;

use crate::db::ids::{CohortId, ExportBatchId, OrgId};
use crate::exports::ExportFailure;
use crate::exports::actions;
use crate::exports::ledger::{self, Batch};
use crate::exports::results::ResultsQuery;
use crate::http::extract::{ValidJson, typed_path_id};
use crate::http::session::Session;
use crate::http::shared::exports::{failure, record, send_badges, streamed};
use crate::http::{ApiError, AppState};
use crate::output::formats::results::ResultsFormat;
use crate::portfolio::Enrolment;
use crate::portfolio::cohorts::{Cohort, CohortMembers, CohortProgress, CohortSummary, NewCohort};

fn results_file_name(format: ResultsFormat, what: &str) -> String {
    let prefix = if format == ResultsFormat::NzqaCsv {
        "nzqa-results"
    } else {
        "results"
    };
    format!("{prefix}-{what}.{}", format.extension())
}

/// Asks whether the session may export the organisation's data and checks the filters, before
/// the response starts, so a bad one is a 422 naming the field.
async fn checked(
    state: &AppState,
    session: &Session,
    org_id: OrgId,
    query: ResultsQuery,
) -> Result<crate::exports::results::ResultsFilter, ApiError> {
    let catalogue = state.catalogue.clone();
    let session = session.clone();
    Ok(state
        .db
        .read(move |conn| {
            actions::results_filter(conn, &catalogue, &session.acting(), org_id, &query)
        })
        .await?)
}

/// The results the next batch would hold (or, with `include_reported=true`, every result), as a
/// file streamed from the database. Records nothing.
#[utoipa::path(get, path = "/api/orgs/{org_id}/results", params(("org_id" = Uuid, Path), ResultsQuery),
    responses((status = 200, description = "CSV, JSON or NZQA-ready CSV (docs/exports.md)", content_type = "text/csv"),
        (status = 422, body = crate::http::error::Problem)))]
pub async fn preview_results(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    query: web::Query<ResultsQuery>,
) -> Result<HttpResponse, ApiError> {
    let org_id: OrgId = typed_path_id(&path)?;
    let filter = checked(&state, &session, org_id, query.into_inner()).await?;
    let catalogue = state.catalogue.clone();
    let name = results_file_name(
        filter.format,
        &format!("preview-{}", Utc::now().format("%Y%m%d")),
    );
    streamed(
        &state,
        filter.format.media_type(),
        &name,
        None,
        move |conn, out| {
            let acting = session.acting();
            actions::write_results(conn, &catalogue, &acting, &filter, None, out, |_| {})?;
            Ok(())
        },
    )
    .await
}

/// Records a batch in the report-once ledger: the results the filters select (leaving out those
/// already reported unless `include_reported` is true), written in `format`. Download the file
/// from the `Location` given.
#[utoipa::path(post, path = "/api/orgs/{org_id}/export-batches", params(("org_id" = Uuid, Path)),
    request_body = ResultsQuery,
    responses((status = 201, body = Batch), (status = 422, body = crate::http::error::Problem)))]
pub async fn record_batch(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<ResultsQuery>,
) -> Result<HttpResponse, ApiError> {
    let org_id: OrgId = typed_path_id(&path)?;
    let batch = record(&state, &session, org_id, body.into_inner())
        .await
        .map_err(failure)?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/export-batches/{}/download", batch.id),
        ))
        .json(batch))
}

impl From<crate::db::DbError> for ExportFailure {
    fn from(err: crate::db::DbError) -> Self {
        Self::Action(err.into())
    }
}

/// The organisation's recorded batches, newest first.
#[utoipa::path(get, path = "/api/orgs/{org_id}/export-batches", params(("org_id" = Uuid, Path)),
    responses((status = 200, body = Vec<Batch>), (status = 403, body = crate::http::error::Problem)))]
pub async fn list_batches(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org_id: OrgId = typed_path_id(&path)?;
    let batches = state
        .db
        .read(move |conn| actions::list_batches(conn, &session.acting(), org_id))
        .await?;
    Ok(HttpResponse::Ok().json(batches))
}

/// A recorded batch's file: the same bytes as when it was recorded (`X-Content-SHA256` is the
/// batch's `file_sha256`).
#[utoipa::path(get, path = "/api/export-batches/{id}/download", params(("id" = Uuid, Path)),
    responses((status = 200, description = "the batch's results file", content_type = "text/csv"),
        (status = 404, body = crate::http::error::Problem)))]
pub async fn download_batch(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let batch_id: ExportBatchId = typed_path_id(&path)?;
    let batch = state
        .db
        .read(move |conn| actions::batch(conn, &session.acting(), batch_id))
        .await?;
    let format = batch.results_format();
    let catalogue = state.catalogue.clone();
    let name = results_file_name(
        format,
        &format!(
            "batch-{}",
            batch.id.to_string().get(..8).unwrap_or_default()
        ),
    );
    let store = state.store.clone();
    let sha256 = batch.file_sha256.clone();
    streamed(
        &state,
        format.media_type(),
        &name,
        sha256,
        move |conn, out| ledger::download_batch(conn, &catalogue, store.as_ref(), &batch, out),
    )
    .await
}

/// Why a batch is reversed.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReverseRequest {
    /// Why (kept in the audit trail).
    pub reason: String,
}

/// Reverses a batch: its results become reportable again.
#[utoipa::path(post, path = "/api/export-batches/{id}/reverse", params(("id" = Uuid, Path)),
    request_body = ReverseRequest,
    responses((status = 200, body = Batch), (status = 409, body = crate::http::error::Problem),
        (status = 422, body = crate::http::error::Problem)))]
pub async fn reverse_batch(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<ReverseRequest>,
) -> Result<HttpResponse, ApiError> {
    let batch_id: ExportBatchId = typed_path_id(&path)?;
    let reason = body.into_inner().reason;
    let reversed = state
        .db
        .write(move |conn| actions::reverse_batch(conn, &session.acting(), batch_id, &reason))
        .await?;
    Ok(HttpResponse::Ok().json(reversed))
}

/// Open Badges 3.0 credentials (a JSON array) for the achieved units the filters select that
/// have a valid statement. `format` and `include_reported` do not apply.
#[utoipa::path(get, path = "/api/orgs/{org_id}/badges", params(("org_id" = Uuid, Path), ResultsQuery),
    responses((status = 200, description = "a JSON array of OpenBadgeCredential documents"),
        (status = 422, body = crate::http::error::Problem)))]
pub async fn badges(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    query: web::Query<ResultsQuery>,
) -> Result<HttpResponse, ApiError> {
    let org_id: OrgId = typed_path_id(&path)?;
    let filter = checked(&state, &session, org_id, query.into_inner()).await?;
    send_badges(&state, filter).await
}

/// The organisation's cohorts, by name, each with its size.
#[utoipa::path(get, path = "/api/orgs/{org_id}/cohorts", params(("org_id" = Uuid, Path)),
    responses((status = 200, body = Vec<CohortSummary>), (status = 403, body = crate::http::error::Problem)))]
pub async fn list_cohorts(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org_id: OrgId = typed_path_id(&path)?;
    let all = state
        .db
        .read(move |conn| actions::list_cohorts(conn, &session.acting(), org_id))
        .await?;
    Ok(HttpResponse::Ok().json(all))
}

/// Creates a cohort.
#[utoipa::path(post, path = "/api/orgs/{org_id}/cohorts", params(("org_id" = Uuid, Path)),
    request_body = NewCohort,
    responses((status = 201, body = Cohort), (status = 422, body = crate::http::error::Problem)))]
pub async fn create_cohort(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<NewCohort>,
) -> Result<HttpResponse, ApiError> {
    let org_id: OrgId = typed_path_id(&path)?;
    let new = body.into_inner();
    let catalogue = state.catalogue.clone();
    let cohort = state
        .db
        .write(move |conn| actions::create_cohort(conn, &catalogue, &session.acting(), org_id, new))
        .await?;
    Ok(HttpResponse::Created().json(cohort))
}

/// A cohort with its enrolments.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CohortDetail {
    /// The cohort.
    pub cohort: Cohort,
    /// Its enrolments, oldest first.
    pub enrolments: Vec<Enrolment>,
}

/// A cohort with its enrolments.
#[utoipa::path(get, path = "/api/cohorts/{id}", params(("id" = Uuid, Path)),
    responses((status = 200, body = CohortDetail), (status = 404, body = crate::http::error::Problem)))]
pub async fn show_cohort(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let cohort_id: CohortId = typed_path_id(&path)?;
    let (cohort, enrolments) = state
        .db
        .read(move |conn| actions::cohort_with_enrolments(conn, &session.acting(), cohort_id))
        .await?;
    Ok(HttpResponse::Ok().json(CohortDetail { cohort, enrolments }))
}

/// Puts enrolments in the cohort and takes others out; answers with its enrolments.
#[utoipa::path(post, path = "/api/cohorts/{id}/enrolments", params(("id" = Uuid, Path)),
    request_body = CohortMembers,
    responses((status = 200, body = Vec<Enrolment>), (status = 422, body = crate::http::error::Problem)))]
pub async fn change_members(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<CohortMembers>,
) -> Result<HttpResponse, ApiError> {
    let cohort_id: CohortId = typed_path_id(&path)?;
    let members = body.into_inner();
    let enrolments = state
        .db
        .write(move |conn| actions::change_members(conn, &session.acting(), cohort_id, &members))
        .await?;
    Ok(HttpResponse::Ok().json(enrolments))
}

/// The cohort's progress per standard and outcome, in the confirmed view.
#[utoipa::path(get, path = "/api/cohorts/{id}/progress", params(("id" = Uuid, Path)),
    responses((status = 200, body = CohortProgress), (status = 404, body = crate::http::error::Problem)))]
pub async fn cohort_progress(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let cohort_id: CohortId = typed_path_id(&path)?;
    let catalogue = state.catalogue.clone();
    let progress = state
        .db
        .read(move |conn| actions::cohort_progress(conn, &catalogue, &session.acting(), cohort_id))
        .await?;
    Ok(HttpResponse::Ok().json(progress))
}
