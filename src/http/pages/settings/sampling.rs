//! Sampling: the organisation's rate for each risk rating, and each assessor's rating.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::organisation_of;
use crate::action::ActionError;
use crate::auth::policy::Action;
use crate::db::ids::{OrgId, UserId};
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::pages::form::{Fields, FormState, field_errors, sentence};
use crate::http::pages::view::{
    Html, PageError, PageSession, check_csrf, page_with_status, see_other,
};
use crate::http::session::Session;
use crate::identity::actions as identity_actions;
use crate::signoff::plans::RatedAssessor;
use crate::signoff::sampling::{RiskRating, SamplingRates};
use crate::signoff::sampling_settings as actions;

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
    let org_id: OrgId = typed_path_id(raw_org)?;
    let for_tx = session.clone();
    let (org_name, rates, rated) = state
        .db
        .read(move |conn| {
            let acting = for_tx.acting();
            let organisation =
                identity_actions::organisation(conn, &acting, org_id, Action::ManageOrganisation)?;
            let rates = actions::rates(conn, &acting, org_id)?;
            let rated = actions::assessor_ratings(conn, &acting, org_id)?;
            Ok::<_, ActionError>((organisation.name, rates, rated))
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
                Some((id, form)) if assessor.assessor_id == *id => form.clone(),
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

/// The rates form as posted: percent per risk rating (blank: the default).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RatesForm {
    new: String,
    low: String,
    medium: String,
    high: String,
}

impl RatesForm {
    /// What was typed for `risk`.
    fn typed(&self, risk: RiskRating) -> &str {
        match risk {
            RiskRating::New => &self.new,
            RiskRating::Low => &self.low,
            RiskRating::Medium => &self.medium,
            RiskRating::High => &self.high,
        }
    }
}

/// An assessor's rating as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RiskForm {
    risk: String,
}

/// The rates typed, each checked by the same rule the API's JSON goes through
/// ([`SamplingRates::with`]); the errors by field otherwise.
fn rates_from(form: &RatesForm) -> Result<SamplingRates, BTreeMap<String, String>> {
    let mut rates = SamplingRates::default();
    let mut errors = BTreeMap::new();
    for risk in RiskRating::ALL {
        let text = form.typed(risk).trim();
        if text.is_empty() {
            continue;
        }
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
    let (org_id, _) = organisation_of(state, session, raw_org, Action::ManageOrganisation).await?;
    let rates = match rates_from(&fields.read()?) {
        Ok(rates) => rates,
        Err(errors) => {
            let form = FormState::again(&fields, errors);
            return render(state, session, raw_org, Some(Refused::Rates(form))).await;
        }
    };
    let for_tx = session.clone();
    state
        .db
        .write(move |conn| actions::set_rates(conn, &for_tx.acting(), org_id, rates))
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
    let (org_id, _) = organisation_of(state, session, raw_org, Action::ManageOrganisation).await?;
    let assessor_id: UserId = typed_path_id(raw_user)?;
    let user_id = assessor_id.to_string();
    let RiskForm { risk } = fields.read()?;
    let chosen = RiskRating::ALL
        .into_iter()
        .find(|r| r.as_str() == risk.trim());
    let Some(risk) = chosen else {
        let errors = BTreeMap::from([(
            "risk".to_owned(),
            "Choose new, low, medium or high".to_owned(),
        )]);
        let form = FormState::again(&fields, errors);
        return render(state, session, raw_org, Some(Refused::Risk(user_id, form))).await;
    };
    let for_tx = session.clone();
    let done = state
        .db
        .write(move |conn| actions::set_risk(conn, &for_tx.acting(), org_id, assessor_id, risk))
        .await;
    match done {
        Ok(()) => Ok(see_other(&format!("/orgs/{org_id}/settings/sampling"))),
        Err(err) => {
            let form = FormState::again(&fields, field_errors(err)?);
            render(state, session, raw_org, Some(Refused::Risk(user_id, form))).await
        }
    }
}
