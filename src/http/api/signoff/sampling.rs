//! Internal verification: sampling an enrolment, sampling plans, risk ratings and sampling rates.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::db::ids::{EnrolmentId, OrgId, PlanId, UserId};
use crate::http::extract::ValidJson;
use crate::http::extract::typed_path_id;
use crate::http::session::Session;
use crate::http::{ApiError, AppState};
use crate::signoff::draws::{self, DrawSummary};
use crate::signoff::plans::{self, NewPlan, Plan, Sample, SampleDecision};
use crate::signoff::sampling::{Candidate, PlanInput, RiskRating, SamplingRates, Selection};
use crate::signoff::{actions, sampling_settings};

/// The internal verifier records a sample: agree, or disagree with feedback and action points.
#[utoipa::path(post, path = "/api/enrolments/{id}/samples", params(("id" = Uuid, Path)), request_body = SampleDecision,
    responses((status = 201, body = Sample), (status = 403, body = crate::http::error::Problem),
              (status = 422, body = crate::http::error::Problem)))]
pub async fn sample(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<SampleDecision>,
) -> Result<HttpResponse, ApiError> {
    let id: EnrolmentId = typed_path_id(&path)?;
    let input = body.into_inner();
    let tx_state = state.clone();
    let (_, sample) = state
        .db
        .write(move |conn| actions::sample(conn, tx_state.services(), &session.acting(), id, input))
        .await?;
    Ok(HttpResponse::Created().json(sample))
}

/// Creates a sampling plan for an internal verifier.
#[utoipa::path(post, path = "/api/orgs/{org_id}/sampling-plans", params(("org_id" = Uuid, Path)), request_body = NewPlan,
    responses((status = 201, body = Plan), (status = 422, body = crate::http::error::Problem)))]
pub async fn create_plan(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<NewPlan>,
) -> Result<HttpResponse, ApiError> {
    let org_id = crate::http::extract::typed_path_id(&path)?;
    let new = body.into_inner();
    let for_tx = state.clone();
    let plan = state
        .db
        .write(move |conn| {
            plans::actions::create_plan(conn, for_tx.services(), &session.acting(), org_id, new)
        })
        .await?;
    Ok(HttpResponse::Created().json(plan))
}

/// The plans the user may see in an organisation.
#[utoipa::path(get, path = "/api/orgs/{org_id}/sampling-plans", params(("org_id" = Uuid, Path)),
    responses((status = 200, body = Vec<Plan>), (status = 404, body = crate::http::error::Problem)))]
pub async fn list_plans(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org_id: OrgId = typed_path_id(&path)?;
    let visible: Vec<Plan> = state
        .db
        .read(move |conn| plans::actions::list_plans(conn, &session.acting(), org_id))
        .await?;
    Ok(HttpResponse::Ok().json(visible))
}

/// A plan with its latest kept draw: the population and inputs as they stood, the selection and
/// its CAMERA coverage. Nothing here is worked out from today's data.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlanView {
    /// The plan.
    pub plan: Plan,
    /// The draw shown (the latest); none for a plan made before draws were kept, until drawn.
    pub draw: Option<DrawSummary>,
    /// The IV, seed, kind, rates, risk ratings and samples taken the draw used.
    #[schema(value_type = Object)]
    pub inputs: Option<PlanInput>,
    /// The population the draw read: every enrolment with an assessor, as it stood.
    #[schema(value_type = Vec<Object>)]
    pub population: Option<Vec<Candidate>>,
    /// The selection as drawn, with its coverage.
    #[schema(value_type = Object)]
    pub selection: Option<Selection>,
    /// Every draw of the plan, newest first.
    pub draws: Vec<DrawSummary>,
}

/// One plan with its latest kept draw.
#[utoipa::path(get, path = "/api/sampling-plans/{id}", params(("id" = Uuid, Path)),
    responses((status = 200, body = PlanView), (status = 404, body = crate::http::error::Problem)))]
pub async fn show_plan(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let plan_id: PlanId = typed_path_id(&path)?;
    let kept = state
        .db
        .read(move |conn| plans::actions::kept_plan(conn, &session.acting(), plan_id))
        .await?;
    let view = PlanView {
        draws: kept.history,
        draw: kept.latest.as_ref().map(draws::Draw::summary),
        inputs: kept.record.as_ref().map(|r| r.input.clone()),
        population: kept.record.as_ref().map(|r| r.pool.clone()),
        selection: kept.record.map(|r| r.selection),
        plan: kept.plan,
    };
    Ok(HttpResponse::Ok().json(view))
}

/// An assessor's risk rating.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskRequest {
    /// new, low, medium or high.
    #[schema(value_type = String)]
    pub risk: RiskRating,
}

/// Every assessor of the organisation with their risk rating (`rated` false: never rated, sampled
/// as `new`).
#[utoipa::path(get, path = "/api/orgs/{org_id}/assessors/risk", params(("org_id" = Uuid, Path)),
    responses((status = 200, body = Vec<plans::RatedAssessor>), (status = 403, body = crate::http::error::Problem)))]
pub async fn list_risks(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org_id: OrgId = typed_path_id(&path)?;
    let rated = state
        .db
        .read(move |conn| sampling_settings::assessor_ratings(conn, &session.acting(), org_id))
        .await?;
    Ok(HttpResponse::Ok().json(rated))
}

/// Sets an assessor's risk rating, which sets how much of their work is sampled.
#[utoipa::path(put, path = "/api/orgs/{org_id}/assessors/{user_id}/risk", params(("org_id" = Uuid, Path), ("user_id" = Uuid, Path)),
    request_body = RiskRequest, responses((status = 204), (status = 422, body = crate::http::error::Problem)))]
pub async fn set_risk(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
    body: ValidJson<RiskRequest>,
) -> Result<HttpResponse, ApiError> {
    let org_id: OrgId = typed_path_id(&path.0)?;
    let user_id: UserId = typed_path_id(&path.1)?;
    let risk = body.into_inner().risk;
    state
        .db
        .write(move |conn| {
            sampling_settings::set_risk(conn, &session.acting(), org_id, user_id, risk)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The organisation's sampling rates by risk rating, in percent: all four, the defaults (new 100,
/// high 50, medium 25, low 10) where none was set. The same shape `PUT` takes.
#[utoipa::path(get, path = "/api/orgs/{org_id}/sampling-rates", params(("org_id" = Uuid, Path)),
    responses((status = 200, description = "{\"new\": 100, \"low\": 10, \"medium\": 25, \"high\": 50}"),
        (status = 403, body = crate::http::error::Problem)))]
pub async fn show_rates(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org_id: OrgId = typed_path_id(&path)?;
    let rates = state
        .db
        .read(move |conn| sampling_settings::rates(conn, &session.acting(), org_id))
        .await?;
    Ok(HttpResponse::Ok().json(rates))
}

/// Sets the organisation's sampling rates by risk rating (percent; defaults new 100, high 50,
/// medium 25, low 10).
#[utoipa::path(put, path = "/api/orgs/{org_id}/sampling-rates", params(("org_id" = Uuid, Path)),
    request_body(content = Object), responses((status = 204), (status = 422, body = crate::http::error::Problem)))]
pub async fn set_rates(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<SamplingRates>,
) -> Result<HttpResponse, ApiError> {
    let org_id: OrgId = typed_path_id(&path)?;
    let rates = body.into_inner();
    state
        .db
        .write(move |conn| sampling_settings::set_rates(conn, &session.acting(), org_id, rates))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
