//! The organisation's sampling plans and making a new one.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::action::ActionError;
use crate::auth::policy::{Action, Resource, Role};
use crate::db::DbConnection;
use crate::db::ids::{OrgId, PlanId, UserId};
use crate::http::AppState;
use crate::http::pages::form::{Fields, FormState, field_errors};
use crate::http::pages::rows::Names;
use crate::http::pages::samples::{require_plan_reader, visible_plans};
use crate::http::pages::view::{
    Html, PageError, PageSession, check_csrf, page_with_status, see_other,
};
use crate::http::session::Session;
use crate::http::shared::path_id;
use crate::identity;
use crate::signoff::plans::{self, NewPlan};
use crate::signoff::sampling::SamplingKind;

#[derive(Debug, Clone, Serialize)]
struct Choice {
    value: String,
    label: String,
}

#[derive(Debug, Serialize)]
struct PlanRow {
    id: PlanId,
    name: String,
    kind: String,
    period_start: NaiveDate,
    period_end: NaiveDate,
    seed: i64,
    verifier: String,
}

#[derive(Serialize)]
struct PlansView {
    title: String,
    org_id: String,
    org_name: String,
    plans: Vec<PlanRow>,
    /// The internal verifiers the session may create a plan for (empty: no form).
    verifiers: Vec<Choice>,
    kinds: Vec<Choice>,
    csrf: String,
    form: FormState,
}

/// The organisation's internal verifiers for whom the session may manage a plan (the policy's
/// `ManageSamplingPlan`: an IV for themself, a provider admin for any).
fn plan_owners(
    conn: &mut DbConnection,
    session: &Session,
    org_id: Uuid,
) -> Result<Vec<Choice>, ActionError> {
    let now = Utc::now();
    let org = OrgId::from(org_id);
    Ok(identity::list_users(conn, org)?
        .into_iter()
        .filter(|u| {
            u.active
                && u.grants.iter().any(|g| {
                    g.org_id == org
                        && g.role == Role::InternalVerifier.as_str()
                        && g.expires_at.is_none_or(|t| t > now)
                })
                && session
                    .require(
                        Action::ManageSamplingPlan,
                        &Resource::SamplingPlan {
                            org_id,
                            iv_id: u.id.into(),
                        },
                    )
                    .is_ok()
        })
        .map(|u| Choice {
            value: u.id.to_string(),
            label: format!("{} ({})", u.name, u.email),
        })
        .collect())
}

/// `GET /orgs/{org_id}/sampling-plans`.
pub async fn list(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    let today = Utc::now().date_naive();
    let form = FormState::with_values([
        ("kind".to_owned(), "summative".to_owned()),
        ("period_start".to_owned(), today.to_string()),
        (
            "period_end".to_owned(),
            (today + chrono::Days::new(90)).to_string(),
        ),
        ("iv_id".to_owned(), session.user_id.clone()),
    ]);
    Html(list_page(&state, &session, &path, form).await)
}

async fn list_page(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    form: FormState,
) -> Result<HttpResponse, PageError> {
    let org_id = path_id(raw_org)?;
    require_plan_reader(session, org_id)?;
    let for_tx = session.clone();
    let mut view = state
        .db
        .read(move |conn| {
            let org_name = identity::load_organisation(conn, org_id.into())?.name;
            let mut names = Names::default();
            let mut rows = Vec::new();
            for plan in visible_plans(conn, &for_tx, org_id)? {
                rows.push(PlanRow {
                    verifier: names.of(conn, plan.iv_id)?,
                    id: plan.id,
                    name: plan.name,
                    kind: plan.kind,
                    period_start: plan.period_start,
                    period_end: plan.period_end,
                    seed: plan.seed,
                });
            }
            Ok::<_, ActionError>(PlansView {
                title: format!("Sampling plans — {org_name}"),
                org_id: org_id.to_string(),
                org_name,
                plans: rows,
                verifiers: plan_owners(conn, &for_tx, org_id)?,
                kinds: vec![
                    Choice {
                        value: "summative".into(),
                        label: "Summative: after the assessor's decision".into(),
                    },
                    Choice {
                        value: "interim".into(),
                        label: "Interim: work in progress".into(),
                    },
                ],
                csrf: for_tx.csrf.clone(),
                form: FormState::default(),
            })
        })
        .await?;
    let status = if form.has_errors() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    view.form = form;
    page_with_status(
        state,
        Some(session),
        "pages/sampling_plans.html",
        &view,
        status,
    )
}

/// `POST /orgs/{org_id}/sampling-plans`: creates a plan.
pub async fn create(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(create_page(&state, &session, &path, fields).await)
}

/// The new-plan form as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PlanForm {
    name: String,
    iv_id: String,
    kind: String,
    period_start: String,
    period_end: String,
    seed: String,
}

/// `text`, trimmed, when not blank.
fn filled(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

fn date_field(value: &str, name: &str, errors: &mut BTreeMap<String, String>) -> Option<NaiveDate> {
    let Some(text) = filled(value) else {
        errors.insert(name.to_owned(), "Enter a date".to_owned());
        return None;
    };
    let parsed = NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok();
    if parsed.is_none() {
        errors.insert(
            name.to_owned(),
            "Enter a real date, for example 2026-06-30".to_owned(),
        );
    }
    parsed
}

async fn create_page(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let org_id = path_id(raw_org)?;
    require_plan_reader(session, org_id)?;
    let mut errors = BTreeMap::new();
    let form: PlanForm = fields.read()?;
    let iv_id = filled(&form.iv_id).and_then(|t| t.parse::<UserId>().ok());
    if iv_id.is_none() {
        errors.insert(
            "iv_id".to_owned(),
            "Choose the internal verifier".to_owned(),
        );
    }
    let kind = match form.kind.as_str() {
        "interim" => Some(SamplingKind::Interim),
        "summative" => Some(SamplingKind::Summative),
        _ => {
            errors.insert("kind".to_owned(), "Choose interim or summative".to_owned());
            None
        }
    };
    let period_start = date_field(&form.period_start, "period_start", &mut errors);
    let period_end = date_field(&form.period_end, "period_end", &mut errors);
    let seed = match filled(&form.seed) {
        None => None,
        Some(text) => match text.parse::<i64>() {
            Ok(seed) if seed >= 0 => Some(seed),
            _ => {
                errors.insert(
                    "seed".to_owned(),
                    "Enter a whole number of 0 or more, or leave it blank".to_owned(),
                );
                None
            }
        },
    };
    let (Some(iv_id), Some(kind), Some(period_start), Some(period_end), true) =
        (iv_id, kind, period_start, period_end, errors.is_empty())
    else {
        if filled(&form.name).is_none() {
            errors.insert("name".to_owned(), "Name is required".to_owned());
        }
        return list_page(state, session, raw_org, FormState::again(&fields, errors)).await;
    };
    let new = NewPlan {
        iv_id,
        name: form.name,
        kind,
        period_start,
        period_end,
        seed,
    };
    let for_state = state.clone();
    let acting = session.clone();
    let created = state
        .db
        .write(move |conn| {
            plans::actions::create_plan(
                conn,
                for_state.services(),
                &acting.acting(),
                OrgId::from(org_id),
                new,
            )
        })
        .await;
    match created {
        Ok(plan) => Ok(see_other(&format!("/sampling-plans/{}", plan.id))),
        Err(err) => {
            let mut errors = field_errors(err)?;
            // The domain names the other field by its API name; say it as the form does.
            if let Some(reason) = errors.get_mut("period_end") {
                *reason = reason.replace("period_start", "the first day");
            }
            list_page(state, session, raw_org, FormState::again(&fields, errors)).await
        }
    }
}
