//! Sampling: the organisation's rate for each risk rating, and each assessor's rating.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::Serialize;

use super::organisation;
use crate::action::ActionError;
use crate::auth::policy::Action;
use crate::http::AppState;
use crate::http::pages::form::{Fields, FormState, field_errors, sentence};
use crate::http::pages::view::{
    Html, PageError, PageSession, check_csrf, page_with_status, see_other,
};
use crate::http::session::Session;
use crate::http::shared::path_id;
use crate::signoff::plans::{self, RatedAssessor};
use crate::signoff::sampling::{RiskRating, SamplingRates};

/// One risk rating's line in the rates form.
#[derive(Serialize)]
struct RateRow {
    risk: &'static str,
    label: &'static str,
    meaning: &'static str,
    default: u32,
    current: u32,
}

/// One assessor's line in the ratings table, with their own small form.
#[derive(Serialize)]
struct AssessorRow {
    #[serde(flatten)]
    assessor: RatedAssessor,
    form: FormState,
}

#[derive(Serialize)]
struct SamplingView {
    title: String,
    org_id: String,
    org_name: String,
    csrf: String,
    rates: Vec<RateRow>,
    rates_form: FormState,
    risks: Vec<Choice>,
    assessors: Vec<AssessorRow>,
    risk_problem: Option<String>,
}

#[derive(Serialize)]
struct Choice {
    value: &'static str,
    label: &'static str,
}

/// What each rating means, in the words the admin chooses by.
fn describe(risk: RiskRating) -> (&'static str, &'static str) {
    match risk {
        RiskRating::New => (
            "New",
            "New to assessing, or to this qualification: usually every decision is sampled.",
        ),
        RiskRating::Low => ("Low", "Experienced, with a record of sound decisions."),
        RiskRating::Medium => ("Medium", "Some concerns, or a limited record."),
        RiskRating::High => (
            "High",
            "Decisions disagreed with before, or a changed standard.",
        ),
    }
}

/// Which form was refused, and with what.
enum Refused {
    Rates(FormState),
    Risk(String, FormState),
}

/// `GET /orgs/{org_id}/settings/sampling`.
pub async fn show(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    Html(render(&state, &session, &path, None).await)
}

async fn render(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    refused: Option<Refused>,
) -> Result<HttpResponse, PageError> {
    let (org_id, org_name) =
        organisation(state, session, raw_org, Action::ManageOrganisation).await?;
    let org = org_id.to_string();
    let (rates, rated) = state
        .db
        .read(move |conn| {
            let rates = plans::rates(conn, &org)?;
            Ok::<_, ActionError>((rates, plans::assessor_ratings(conn, &org, Utc::now())?))
        })
        .await?;
    let defaults = SamplingRates::default();
    let current_values = RiskRating::ALL
        .iter()
        .map(|&r| (r.as_str().to_owned(), rates.percent(r).to_string()));
    let (status, rates_form, risk_for) = match refused {
        None => (StatusCode::OK, FormState::with_values(current_values), None),
        Some(Refused::Rates(form)) => (StatusCode::UNPROCESSABLE_ENTITY, form, None),
        Some(Refused::Risk(id, form)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FormState::with_values(current_values),
            Some((id, form)),
        ),
    };
    // A refused rating for someone not in the table (no longer an assessor) is said above it.
    let risk_problem = risk_for.as_ref().and_then(|(id, form)| {
        (!rated.iter().any(|a| &a.assessor_id == id))
            .then(|| form.errors.values().cloned().collect::<Vec<_>>().join(" "))
    });
    let assessors = rated
        .into_iter()
        .map(|assessor| {
            let form = match &risk_for {
                Some((id, form)) if *id == assessor.assessor_id => form.clone(),
                _ => FormState::with_values([("risk".to_owned(), assessor.risk.to_string())]),
            };
            AssessorRow { assessor, form }
        })
        .collect();
    let view = SamplingView {
        title: format!("Sampling — {org_name}"),
        org_id: org_id.to_string(),
        org_name,
        csrf: session.csrf.clone(),
        rates: RiskRating::ALL
            .iter()
            .map(|&risk| {
                let (label, meaning) = describe(risk);
                RateRow {
                    risk: risk.as_str(),
                    label,
                    meaning,
                    default: defaults.percent(risk),
                    current: rates.percent(risk),
                }
            })
            .collect(),
        rates_form,
        risks: RiskRating::ALL
            .iter()
            .map(|&risk| Choice {
                value: risk.as_str(),
                label: describe(risk).0,
            })
            .collect(),
        assessors,
        risk_problem,
    };
    page_with_status(
        state,
        Some(session),
        "pages/settings_sampling.html",
        &view,
        status,
    )
}

/// `POST /orgs/{org_id}/settings/sampling/rates`: sets the four rates (a blank one takes its
/// default).
pub async fn set_rates(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(rates_page(&state, &session, &path, fields).await)
}

/// The rates typed, each checked by the same rule the API's JSON goes through
/// ([`SamplingRates::with`]); the errors by field otherwise.
fn rates_from(fields: &Fields) -> Result<SamplingRates, BTreeMap<String, String>> {
    let mut rates = SamplingRates::default();
    let mut errors = BTreeMap::new();
    for risk in RiskRating::ALL {
        let Some(text) = fields.filled(risk.as_str()) else {
            continue;
        };
        let checked = text
            .parse::<u32>()
            .map_err(|_| "Enter a whole number of percent from 0 to 100".to_owned())
            .and_then(|percent| {
                rates
                    .with(risk, percent)
                    .map_err(|e| sentence(risk.as_str(), &e.to_string()))
            });
        match checked {
            Ok(changed) => rates = changed,
            Err(message) => {
                errors.insert(risk.as_str().to_owned(), message);
            }
        }
    }
    if errors.is_empty() {
        Ok(rates)
    } else {
        Err(errors)
    }
}

async fn rates_page(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let (org_id, _) = organisation(state, session, raw_org, Action::ManageOrganisation).await?;
    let rates = match rates_from(&fields) {
        Ok(rates) => rates,
        Err(errors) => {
            let form = FormState::again(&fields, errors);
            return render(state, session, raw_org, Some(Refused::Rates(form))).await;
        }
    };
    let actor = session.user_id.clone();
    state
        .db
        .write(move |conn| plans::set_rates(conn, &org_id.to_string(), &actor, rates, Utc::now()))
        .await?;
    Ok(see_other(&format!("/orgs/{org_id}/settings/sampling")))
}

/// `POST /orgs/{org_id}/settings/sampling/assessors/{user_id}`: sets one assessor's rating.
pub async fn set_risk(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<(String, String)>,
    fields: Fields,
) -> Html {
    let (org, user) = path.into_inner();
    Html(risk_page(&state, &session, &org, &user, fields).await)
}

async fn risk_page(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    raw_user: &str,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let (org_id, _) = organisation(state, session, raw_org, Action::ManageOrganisation).await?;
    let user_id = path_id(raw_user)?.to_string();
    let chosen = RiskRating::ALL
        .into_iter()
        .find(|r| r.as_str() == fields.text("risk").trim());
    let Some(risk) = chosen else {
        let errors = BTreeMap::from([(
            "risk".to_owned(),
            "Choose new, low, medium or high".to_owned(),
        )]);
        let form = FormState::again(&fields, errors);
        return render(state, session, raw_org, Some(Refused::Risk(user_id, form))).await;
    };
    let (actor, assessor) = (session.user_id.clone(), user_id.clone());
    let done = state
        .db
        .write(move |conn| {
            plans::set_risk(
                conn,
                &org_id.to_string(),
                &assessor,
                &actor,
                risk,
                Utc::now(),
            )
        })
        .await;
    match done {
        Ok(()) => Ok(see_other(&format!("/orgs/{org_id}/settings/sampling"))),
        Err(err) => {
            let form = FormState::again(&fields, field_errors(err)?);
            render(state, session, raw_org, Some(Refused::Risk(user_id, form))).await
        }
    }
}
