//! The sign-off chain over HTTP: the assessor's unit decision, internal verification (plans, risk
//! ratings, samples), statements of competence and their public verification.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::enrolments::{authorize, standard_of};
use super::path_id;
use crate::action::ActionError;
use crate::auth::policy::{Action, Resource};
use crate::http::extract::ValidJson;
use crate::http::session::Session;
use crate::http::{ApiError, AppState};
use crate::portfolio::Enrolment;
use crate::signoff::SignOffStatus;
use crate::signoff::chain::{self, SignOffRow};
use crate::signoff::draws::{self, DrawSummary};
use crate::signoff::feedback::{self, Decision, IvResponse, Outcome, SentBack, UnitFeedback};
use crate::signoff::plans::{self, NewPlan, Plan, Sample, SampleDecision};
use crate::signoff::sampling::{Candidate, PlanInput, RiskRating, SamplingRates, Selection};
use crate::signoff::statements::{self, Statement};

/// The assessor's unit decision.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// competent (the default) or not_yet_competent.
    #[serde(default = "competent")]
    pub outcome: Outcome,
    /// Comments printed on the statement; with not_yet_competent, the feedback to the candidate
    /// (required then).
    #[serde(default)]
    pub comments: String,
    /// When an internal verifier sent the decision back: what the assessor did about each action
    /// point, in their order (required then).
    #[serde(default)]
    pub responses: Vec<String>,
}

fn competent() -> Outcome {
    Outcome::Competent
}

/// The assessor decides the unit. "competent" is refused (409, with the gaps) unless the engine
/// reports every requirement met in the confirmed view; "not_yet_competent" needs feedback and gives
/// the portfolio back to the candidate with the gaps. While an internal verifier's disagreement is
/// unanswered, `responses` must answer each action point (422 naming `responses.N`).
#[utoipa::path(post, path = "/api/enrolments/{id}/decision", params(("id" = Uuid, Path)), request_body = DecisionRequest,
    responses((status = 200, body = Enrolment), (status = 409, body = crate::http::error::Problem),
              (status = 422, body = crate::http::error::Problem)))]
pub async fn decide(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<DecisionRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?.to_string();
    let request = body.into_inner();
    let decision = Decision {
        outcome: request.outcome,
        comments: request.comments,
        responses: request.responses,
    };
    let tx_state = state.clone();
    let enrolment = state
        .db
        .write(move |conn| {
            let enrolment = authorize(conn, &session, &id, Action::DecideUnit)?;
            feedback::decide(
                conn,
                &tx_state.catalogue,
                &tx_state.config.public_url,
                &enrolment,
                &session.user_id,
                &decision,
                Utc::now(),
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(enrolment))
}

/// What the assessor did about each of the internal verifier's action points.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseRequest {
    /// One answer per action point, in their order.
    pub responses: Vec<String>,
}

/// The assessor answers the internal verifier's disagreement, action point by action point,
/// before (or without yet) deciding again. 409 when no disagreement is waiting for an answer.
#[utoipa::path(post, path = "/api/enrolments/{id}/iv-response", params(("id" = Uuid, Path)), request_body = ResponseRequest,
    responses((status = 201, body = IvResponse), (status = 409, body = crate::http::error::Problem),
              (status = 422, body = crate::http::error::Problem)))]
pub async fn respond(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<ResponseRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?.to_string();
    let responses = body.into_inner().responses;
    let base = state.config.public_url.clone();
    let answer = state
        .db
        .write(move |conn| {
            let enrolment = authorize(conn, &session, &id, Action::DecideUnit)?;
            feedback::respond(
                conn,
                &base,
                &enrolment,
                &session.user_id,
                &responses,
                Utc::now(),
            )
        })
        .await?;
    Ok(HttpResponse::Created().json(answer))
}

/// The enrolment's statement of competence (valid or revoked), with its verification link; the
/// PDF is `statement.pdf`, the Open Badge `credential.json`. 404 before one is issued.
#[utoipa::path(get, path = "/api/enrolments/{id}/statement", params(("id" = Uuid, Path)),
    responses((status = 200, body = Statement), (status = 404, body = crate::http::error::Problem)))]
pub async fn show_statement(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?.to_string();
    let statement = state
        .db
        .read(move |conn| {
            authorized_statement(conn, &session, &id, Action::ReadStatement)?.summary()
        })
        .await?;
    Ok(HttpResponse::Ok().json(statement))
}

/// The sign-off chain of an enrolment.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChainView {
    /// What the standard requires, what is met, what is missing.
    #[schema(value_type = Object)]
    pub status: SignOffStatus,
    /// The signatures, each with the snapshot hash it is bound to.
    pub sign_offs: Vec<SignOffRow>,
    /// The internal verifier's samples.
    pub samples: Vec<Sample>,
    /// The portfolio's snapshot hash now: a signature with another hash predates a change.
    pub current_snapshot: String,
    /// The internal verifier's disagreement still waiting for the assessor's answer.
    pub sent_back: Option<SentBack>,
    /// The assessor's answers to the internal verifier, oldest first.
    pub iv_responses: Vec<IvResponse>,
    /// The "not yet competent" decisions, with the feedback and gaps, oldest first.
    pub not_yet_competent: Vec<UnitFeedback>,
}

/// Where the sign-off chain stands.
#[utoipa::path(get, path = "/api/enrolments/{id}/signoffs", params(("id" = Uuid, Path)),
    responses((status = 200, body = ChainView), (status = 404, body = crate::http::error::Problem)))]
pub async fn chain_view(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?.to_string();
    let tx_state = state.clone();
    let view = state
        .db
        .read(move |conn| {
            let enrolment = authorize(conn, &session, &id, Action::ReadEnrolment)?;
            let standard = standard_of(&tx_state, &enrolment)?;
            Ok::<_, ActionError>(ChainView {
                status: chain::chain_status(conn, standard, &enrolment)?,
                sign_offs: chain::sign_offs_of(conn, &enrolment.id)?,
                samples: plans::samples_of(conn, &enrolment.id)?,
                current_snapshot: chain::current_snapshot_hash(conn, &enrolment)?,
                sent_back: feedback::pending(conn, &enrolment.id)?,
                iv_responses: feedback::responses_of(conn, &enrolment.id)?,
                not_yet_competent: feedback::feedback_of(conn, &enrolment.id)?,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

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
    let id = path_id(&path)?.to_string();
    let input = body.into_inner();
    let base = state.config.public_url.clone();
    let sample = state
        .db
        .write(move |conn| {
            let enrolment = authorize(conn, &session, &id, Action::SampleEnrolment)?;
            let now = Utc::now();
            let sample = plans::record_sample(conn, &enrolment, &session.user_id, input, now)?;
            crate::notify::events::sample_recorded(conn, &base, &enrolment, &sample, now)?;
            Ok::<_, crate::action::ActionError>(sample)
        })
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
    let org_id = path_id(&path)?;
    let new = body.into_inner();
    session.require(
        Action::ManageSamplingPlan,
        &Resource::SamplingPlan {
            org_id,
            iv_id: new.iv_id,
        },
    )?;
    let actor = session.user_id.clone();
    let catalogue = state.catalogue.clone();
    let plan = state
        .db
        .write(move |conn| {
            plans::create_plan(
                conn,
                &catalogue,
                &org_id.to_string(),
                &actor,
                new,
                Utc::now(),
            )
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
    let org_id = path_id(&path)?;
    session.require(Action::ReadOrganisation, &Resource::Organisation { org_id })?;
    let all = state
        .db
        .read(move |conn| plans::list_plans(conn, &org_id.to_string(), None))
        .await?;
    let visible: Vec<Plan> = all
        .into_iter()
        .filter(|plan| {
            Uuid::parse_str(&plan.iv_id).is_ok_and(|iv_id| {
                session
                    .require(
                        Action::ReadSamplingPlan,
                        &Resource::SamplingPlan { org_id, iv_id },
                    )
                    .is_ok()
            })
        })
        .collect();
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
    let id = path_id(&path)?.to_string();
    let view = state
        .db
        .read(move |conn| {
            let plan = super::draws::plan_for(conn, &session, Action::ReadSamplingPlan, &id)?;
            let latest = draws::latest(conn, &plan.id)?;
            let record = latest.as_ref().map(draws::Draw::parsed).transpose()?;
            Ok::<_, ActionError>(PlanView {
                draws: draws::history(conn, &plan.id)?,
                draw: latest.as_ref().map(draws::Draw::summary),
                inputs: record.as_ref().map(|r| r.input.clone()),
                population: record.as_ref().map(|r| r.pool.clone()),
                selection: record.map(|r| r.selection),
                plan,
            })
        })
        .await?;
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
    let org_id = path_id(&path)?;
    session.require(
        Action::ManageOrganisation,
        &Resource::Organisation { org_id },
    )?;
    let rated = state
        .db
        .read(move |conn| plans::assessor_ratings(conn, &org_id.to_string(), Utc::now()))
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
    let (org_id, user_id) = (path_id(&path.0)?, path_id(&path.1)?);
    session.require(
        Action::ManageOrganisation,
        &Resource::Organisation { org_id },
    )?;
    let risk = body.into_inner().risk;
    let actor = session.user_id.clone();
    state
        .db
        .write(move |conn| {
            plans::set_risk(
                conn,
                &org_id.to_string(),
                &user_id.to_string(),
                &actor,
                risk,
                Utc::now(),
            )
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
    let org_id = path_id(&path)?;
    session.require(
        Action::ManageOrganisation,
        &Resource::Organisation { org_id },
    )?;
    let rates = state
        .db
        .read(move |conn| plans::rates(conn, &org_id.to_string()))
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
    let org_id = path_id(&path)?;
    session.require(
        Action::ManageOrganisation,
        &Resource::Organisation { org_id },
    )?;
    let rates = body.into_inner();
    let actor = session.user_id.clone();
    state
        .db
        .write(move |conn| plans::set_rates(conn, &org_id.to_string(), &actor, rates, Utc::now()))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Issues the statement of competence once every required sign-off is in place (409 with what is
/// missing otherwise).
#[utoipa::path(post, path = "/api/enrolments/{id}/statement", params(("id" = Uuid, Path)),
    responses((status = 201, body = Statement), (status = 409, body = crate::http::error::Problem)))]
pub async fn issue_statement(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?.to_string();
    let tx_state = state.clone();
    let statement = state
        .db
        .write(move |conn| {
            let enrolment = authorize(conn, &session, &id, Action::IssueStatement)?;
            let standard = standard_of(&tx_state, &enrolment)?;
            let row = statements::issue(
                conn,
                &tx_state.keys,
                standard,
                &enrolment,
                &session.user_id,
                &tx_state.config.public_url,
                &tx_state.fonts,
                Utc::now(),
            )?;
            if !row.missing_chars.is_empty() {
                tracing::warn!(code = %row.code, missing = %row.missing_chars, "statement has characters no font can show");
            }
            row.summary()
        })
        .await?;
    Ok(HttpResponse::Created().json(statement))
}

/// Loads an enrolment's statement and asks the policy about it.
pub(crate) fn authorized_statement(
    conn: &mut crate::db::DbConnection,
    session: &Session,
    enrolment_id: &str,
    action: Action,
) -> Result<statements::StatementRow, ActionError> {
    let enrolment = crate::portfolio::load_enrolment(conn, enrolment_id)?;
    session.require(
        action,
        &Resource::Statement {
            enrolment: enrolment.facts()?,
        },
    )?;
    statements::current(conn, enrolment_id)?.ok_or(ActionError::NotFound)
}

/// The statement as PDF, rendered again from its stored content (byte-identical each time).
#[utoipa::path(get, path = "/api/enrolments/{id}/statement.pdf", params(("id" = Uuid, Path)),
    responses((status = 200, description = "application/pdf"), (status = 404, body = crate::http::error::Problem)))]
pub async fn statement_pdf(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?.to_string();
    let tx_state = state.clone();
    let (row, credential) = state
        .db
        .read(move |conn| {
            let row = authorized_statement(conn, &session, &id, Action::ReadStatement)?;
            if let (Some(at), Some(reason)) = (row.revoked_at, &row.revoke_reason) {
                // A revoked statement is never handed out again as if it stood.
                return Err(ActionError::Conflict(format!(
                    "statement {} was revoked on {}: {reason}; it is no longer valid (see /verify/{})",
                    row.code,
                    at.date(),
                    row.code
                )));
            }
            let credential = crate::credentials::of_statement(conn, &row.id)?;
            Ok::<_, ActionError>((row, credential))
        })
        .await?;
    // Rendered with the connection given back: a statement takes milliseconds of CPU.
    let (code, bytes) = web::block(move || {
        let rendered = statements::render_pdf(&row.view()?, credential.as_ref(), &tx_state.fonts)?;
        Ok::<_, ActionError>((row.code, rendered.bytes))
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))??;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"statement-{code}.pdf\""),
        ))
        .body(bytes))
}

/// Why a statement is revoked.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    /// The reason, shown on the verification page.
    pub reason: String,
}

/// Revokes a statement; the verification page then says so.
#[utoipa::path(post, path = "/api/enrolments/{id}/statement/revoke", params(("id" = Uuid, Path)), request_body = RevokeRequest,
    responses((status = 200, body = Statement), (status = 422, body = crate::http::error::Problem)))]
pub async fn revoke_statement(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<RevokeRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?.to_string();
    let reason = body.into_inner().reason;
    let statement = state
        .db
        .write(move |conn| {
            let row = authorized_statement(conn, &session, &id, Action::RevokeStatement)?;
            statements::revoke(conn, &row, &session.user_id, &reason, Utc::now())?.summary()
        })
        .await?;
    Ok(HttpResponse::Ok().json(statement))
}

/// Public verification: anyone with the code sees whether the statement is valid or revoked and
/// whose it is. HTML for people, JSON with `Accept: application/json`.
#[utoipa::path(get, path = "/verify/{code}", params(("code" = String, Path)), security(()),
    responses((status = 200, description = "The statement: JSON with `Accept: application/json`, a page otherwise",
        content((Statement = "application/json"), (String = "text/html"))),
        (status = 404, body = crate::http::error::Problem)))]
pub async fn verify(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let wants_json = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let found = state
        .db
        .read(move |conn| statements::by_code(conn, &code)?.summary())
        .await;
    match (found, wants_json) {
        (Ok(statement), true) => Ok(HttpResponse::Ok().json(statement)),
        (Ok(statement), false) => crate::http::pages::render(
            &state,
            "pages/verify.html",
            &serde_json::json!({
                "title": "Verify a statement", "statement": statement, "found": true
            }),
        ),
        (Err(ActionError::NotFound), false) => {
            let mut page = crate::http::pages::render(
                &state,
                "pages/verify.html",
                &serde_json::json!({
                    "title": "Verify a statement", "found": false
                }),
            )?;
            *page.status_mut() = actix_web::http::StatusCode::NOT_FOUND;
            Ok(page)
        }
        (Err(err), _) => Err(err.into()),
    }
}

/// The code someone typed on the verification page.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VerifyQuery {
    /// The verification code, as printed (any case, with or without dashes).
    #[serde(default)]
    code: Option<String>,
}

/// `GET /verify`: where a person holding a printed statement types its code; with `?code=` it
/// goes to that statement's verification page.
#[utoipa::path(get, path = "/verify", params(VerifyQuery), security(()),
    responses((status = 200, description = "The page to type a code in (or upload a statement)", content_type = "text/html", body = String),
        (status = 303, description = "To `/verify/{code}`, when a code with a letter or digit was given")))]
pub async fn verify_form(
    state: web::Data<AppState>,
    query: web::Query<VerifyQuery>,
) -> Result<HttpResponse, ApiError> {
    let typed = query.into_inner().code.unwrap_or_default();
    let compact: String = typed.chars().filter(char::is_ascii_alphanumeric).collect();
    if !compact.is_empty() {
        return Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("/verify/{compact}")))
            .finish());
    }
    crate::http::pages::render(
        &state,
        "pages/verify.html",
        &serde_json::json!({ "title": "Verify a statement", "entry": true }),
    )
}

/// The readings the organisation has chosen of a standard's ambiguous rules: rule id →
/// interpretation id (a rule not listed takes the standard's default).
#[utoipa::path(get, path = "/api/orgs/{org_id}/interpretations/{code}/{version}",
    params(("org_id" = Uuid, Path), ("code" = String, Path), ("version" = u32, Path)),
    responses((status = 200, description = "rule id → interpretation id, e.g. {\"N9\": \"customer_needs\"}"),
        (status = 404, body = crate::http::error::Problem)))]
pub async fn show_interpretations(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    let org_id = path_id(&path.0)?;
    session.require(
        Action::ManageOrganisation,
        &Resource::Organisation { org_id },
    )?;
    let version: u32 = path.2.parse().map_err(|_| ApiError::NotFound)?;
    let loaded = state
        .catalogue
        .get_in(org_id, &path.1, version)
        .ok_or(ApiError::NotFound)?;
    let standard = loaded.standard.clone();
    let chosen = state
        .db
        .read(move |conn| crate::settings::interpretations(conn, &org_id.to_string(), &standard))
        .await?;
    Ok(HttpResponse::Ok().json(chosen))
}

/// Which reading the organisation takes of a standard's ambiguous rules: rule id → interpretation id.
#[utoipa::path(put, path = "/api/orgs/{org_id}/interpretations/{code}/{version}",
    params(("org_id" = Uuid, Path), ("code" = String, Path), ("version" = u32, Path)),
    request_body(content = Object, description = "rule id → interpretation id, e.g. {\"N9\": \"customer_needs_list\"}"),
    responses((status = 200, description = "The interpretations now in force"), (status = 422, body = crate::http::error::Problem)))]
pub async fn set_interpretations(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String, String)>,
    body: ValidJson<crate::standards::Interpretations>,
) -> Result<HttpResponse, ApiError> {
    let org_id = path_id(&path.0)?;
    session.require(
        Action::ManageOrganisation,
        &Resource::Organisation { org_id },
    )?;
    let version: u32 = path.2.parse().map_err(|_| ApiError::NotFound)?;
    let catalogue = state.catalogue.clone();
    let code = path.1.clone();
    let chosen = body.into_inner();
    let actor = session.user_id.clone();
    let saved = state
        .db
        .write(move |conn| {
            let loaded = catalogue
                .get_in(org_id, &code, version)
                .ok_or(ActionError::NotFound)?;
            crate::settings::set_interpretations(
                conn,
                &org_id.to_string(),
                &actor,
                &loaded.standard,
                chosen,
                Utc::now(),
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(saved))
}
