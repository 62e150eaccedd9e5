//! Sampling one enrolment: the form, and recording the verifier's answer.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::*;
use crate::action::ActionError;
use crate::auth::policy::{Action, EnrolmentStatus, Resource};
use crate::db::DbConnection;
use crate::db::ids::{EnrolmentId, Id, PlanId};
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::pages::form::{Fields, FormState, field_errors};
use crate::http::pages::rows::{Names, standard_of, unit_name};
use crate::http::pages::view::{
    Html, PageError, PageSession, check_csrf, page_with_status, see_other,
};
use crate::http::session::Session;
use crate::portfolio::Enrolment;
use crate::signoff::chain;
use crate::signoff::plans::{self, SampleDecision};

/// `?plan=ID`: the plan the sample is taken for.
#[derive(Debug, Deserialize)]
pub struct SampleQuery {
    plan: Option<String>,
}

#[derive(Debug, Serialize)]
struct Choice {
    value: String,
    label: String,
}

#[derive(Serialize)]
struct SampleView {
    title: String,
    id: String,
    org_id: String,
    candidate: String,
    assessor: Option<String>,
    unit: String,
    unit_title: String,
    status: String,
    /// summative (after the decision) or interim (work in progress).
    kind: &'static str,
    /// The assessor's decision being sampled, in words.
    decision: Option<String>,
    /// Earlier samples of this portfolio.
    earlier: Vec<SampleLine>,
    plans: Vec<Choice>,
    csrf: String,
    form: FormState,
    /// The VACS checklist's questions, with what was sent.
    vacs: Vec<VacsField>,
}

/// `GET /enrolments/{id}/sample`: the sample record form.
pub async fn sample_form(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    query: web::Query<SampleQuery>,
) -> Html {
    let mut values = vec![("decision".to_owned(), String::new())];
    if let Some(plan) = query.into_inner().plan {
        values.push(("plan_id".to_owned(), plan));
    }
    let form = FormState::with_values(values);
    Html(sample_page(&state, session.0, path.into_inner(), form).await)
}

fn sampled_enrolment(
    conn: &mut DbConnection,
    session: &Session,
    id: EnrolmentId,
) -> Result<Enrolment, ActionError> {
    crate::signoff::actions::enrolment_to_sample(conn, &session.acting(), id)
}

async fn sample_page(
    state: &AppState,
    session: Session,
    raw_id: String,
    form: FormState,
) -> Result<HttpResponse, PageError> {
    let id: EnrolmentId = typed_path_id(&raw_id)?;
    let catalogue = state.catalogue.clone();
    let for_tx = session.clone();
    let view = state
        .db
        .read(move |conn| {
            let enrolment = sampled_enrolment(conn, &for_tx, id)?;
            let standard = standard_of(&catalogue, &enrolment)?;
            let mut names = Names::default();
            let org_id = enrolment.facts()?.org_id;
            let plan_names: BTreeMap<PlanId, String> =
                plans::list_plans(conn, enrolment.org_id, None)?
                    .into_iter()
                    .map(|p| (p.id, p.name))
                    .collect();
            let mut earlier = Vec::new();
            for sample in plans::samples_of(conn, enrolment.id)? {
                earlier.push(sample_line(
                    conn,
                    &mut names,
                    &plan_names,
                    &enrolment,
                    sample,
                )?);
            }
            // The plans this IV may record samples for: those they may manage.
            let plans = visible_plans(conn, &for_tx, org_id)?
                .into_iter()
                .filter(|p| {
                    for_tx
                        .require(
                            Action::ManageSamplingPlan,
                            &Resource::SamplingPlan {
                                org_id,
                                iv_id: p.iv_id.uuid(),
                            },
                        )
                        .is_ok()
                })
                .map(|p| Choice {
                    label: format!(
                        "{} ({}, {} to {})",
                        p.name, p.kind, p.period_start, p.period_end
                    ),
                    value: p.id.to_string(),
                })
                .collect();
            let decision = chain::sign_offs_of(conn, enrolment.id)?
                .into_iter()
                .rev()
                .find(|s| s.role == "assessor")
                .filter(|_| enrolment.status() == EnrolmentStatus::Assessed)
                .map(|s| {
                    let comments = if s.comments.is_empty() {
                        String::new()
                    } else {
                        format!(": “{}”", s.comments)
                    };
                    format!(
                        "{} by {} on {}{comments}",
                        s.decision, s.user_name, s.signed_on
                    )
                });
            let candidate = names.of(conn, enrolment.candidate_id)?;
            let assessor = match &enrolment.assessor_id {
                Some(a) => Some(names.of(conn, *a)?),
                None => None,
            };
            Ok::<_, ActionError>(SampleView {
                title: format!("Sample — {candidate}"),
                id: enrolment.id.to_string(),
                org_id: enrolment.org_id.to_string(),
                candidate,
                assessor,
                unit: unit_name(standard),
                unit_title: standard.title.clone(),
                status: enrolment.status.to_string(),
                kind: if enrolment.status() == EnrolmentStatus::Assessed {
                    "summative"
                } else {
                    "interim"
                },
                decision,
                earlier,
                plans,
                csrf: for_tx.csrf.clone(),
                form: FormState::default(),
                vacs: Vec::new(),
            })
        })
        .await;
    let mut view = view?;
    let status = if form.has_errors() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    view.vacs = vacs_fields(&form);
    view.form = form;
    page_with_status(state, Some(&session), "pages/sample.html", &view, status)
}

/// The sample form as posted (the VACS checklist in it is read as a [`VacsForm`]).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SampleForm {
    plan_id: String,
    decision: String,
    feedback: String,
    action_points: String,
}

/// `POST /enrolments/{id}/sample`: records the sample.
pub async fn sample(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(record_page(&state, session.0, path.into_inner(), fields).await)
}

async fn record_page(
    state: &AppState,
    session: Session,
    raw_id: String,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(&session, fields.csrf())?;
    let id: EnrolmentId = typed_path_id(&raw_id)?;
    let form: SampleForm = fields.read()?;
    let plan_id = match Some(form.plan_id.trim()).filter(|p| !p.is_empty()) {
        None => None,
        Some(text) => match text.parse::<PlanId>() {
            Ok(plan) => Some(plan),
            Err(_) => {
                let errors = BTreeMap::from([(
                    "plan_id".to_owned(),
                    "Choose a plan from the list".to_owned(),
                )]);
                return sample_page(state, session, raw_id, FormState::again(&fields, errors))
                    .await;
            }
        },
    };
    let vacs = match read_vacs(&fields.read::<VacsForm>()?) {
        Ok(vacs) => vacs,
        Err(errors) => {
            return sample_page(state, session, raw_id, FormState::again(&fields, errors)).await;
        }
    };
    let input = SampleDecision {
        decision: form.decision.trim().to_owned(),
        feedback: form.feedback,
        action_points: form.action_points,
        plan_id,
        vacs,
    };
    let for_tx = session.clone();
    let tx_state = state.clone();
    let done = state
        .db
        .write(move |conn| {
            let (enrolment, sample) = crate::signoff::actions::sample(
                conn,
                tx_state.services(),
                &for_tx.acting(),
                id,
                input,
            )?;
            Ok::<_, ActionError>((enrolment.org_id, sample))
        })
        .await;
    match done {
        Ok((org_id, sample)) => Ok(see_other(&format!(
            "/orgs/{org_id}/samples?recorded={}",
            sample.id
        ))),
        Err(err) => {
            let mut errors = field_errors(err)?;
            // Agree or disagree is a choice, not a word typed: say so.
            if errors.contains_key("decision") {
                errors.insert("decision".to_owned(), "Choose agree or disagree".to_owned());
            }
            sample_page(state, session, raw_id, FormState::again(&fields, errors)).await
        }
    }
}
