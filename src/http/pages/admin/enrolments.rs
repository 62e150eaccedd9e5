//! An organisation's enrolments: the list and enrolling a candidate.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::*;
use crate::action::ActionError;
use crate::auth::policy::{Action, Resource, Role};
use crate::catalogue::open_for_enrolment;
use crate::http::AppState;
use crate::http::pages::form::{Fields, FormState, field_errors, filled};
use crate::http::pages::rows::{EnrolmentRow, rows_in_org, unit_name};
use crate::http::pages::view::{
    Html, PageError, PageSession, check_csrf, page_with_status, see_other,
};
use crate::http::session::Session;
use crate::http::shared::path_id;
use crate::identity::{self};
use crate::portfolio::{self, NewEnrolment};

#[derive(Serialize)]
struct EnrolmentsView {
    title: String,
    org_id: String,
    org_name: String,
    csrf: String,
    rows: Vec<EnrolmentRow>,
    form: FormState,
    candidates: Vec<SelectOption>,
    assessors: Vec<SelectOption>,
    verifiers: Vec<SelectOption>,
    standards: Vec<SelectOption>,
}

/// `GET /orgs/{org_id}/enrolments`: the organisation's enrolments, and the form to enrol someone.
pub async fn enrolments(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    let today = Utc::now().date_naive().to_string();
    let form = FormState::with_values([("start_date".to_owned(), today)]);
    Html(enrolments_page(&state, &session, &path, form).await)
}

async fn enrolments_page(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    form: FormState,
) -> Result<HttpResponse, PageError> {
    let org_id = path_id(raw_org)?;
    session.require(Action::CreateEnrolment, &Resource::Organisation { org_id })?;
    let catalogue = state.catalogue.clone();
    let actor = session.actor.clone();
    let (org_name, rows, users) = state
        .db
        .read(move |conn| {
            let name = identity::load_organisation(conn, org_id.into())?.name;
            let rows = rows_in_org(conn, &catalogue, &actor, org_id, |_| true)?;
            Ok::<_, ActionError>((name, rows, identity::list_users(conn, org_id.into())?))
        })
        .await?;
    let now = Utc::now();
    let org = org_id.to_string();
    let holding = |role: Role| holding(&users, &org, role, now);
    let standards = state
        .catalogue
        .visible_to(org_id)
        .into_iter()
        .filter(|l| open_for_enrolment(&l.standard, now.date_naive()))
        .map(|l| {
            let s = &l.standard;
            let warnings: Vec<String> = crate::catalogue::date_warnings(s, now.date_naive())
                .into_iter()
                .map(|w| w.message)
                .collect();
            let label = if warnings.is_empty() {
                format!("{} — {}", unit_name(s), s.title)
            } else {
                format!("{} — {} (⚠ {})", unit_name(s), s.title, warnings.join("; "))
            };
            option(format!("{}@{}", s.code, s.version), label)
        })
        .collect();
    let status = if form.has_errors() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let view = EnrolmentsView {
        title: format!("Enrolments — {org_name}"),
        org_id: org.clone(),
        org_name,
        csrf: session.csrf.clone(),
        rows,
        form,
        candidates: holding(Role::Candidate),
        assessors: holding(Role::Assessor),
        verifiers: holding(Role::InternalVerifier),
        standards,
    };
    page_with_status(
        state,
        Some(session),
        "pages/org_enrolments.html",
        &view,
        status,
    )
}

/// The enrolment form as posted: the people chosen (blank: none), the standard as
/// `CODE@VERSION` and the start date (`YYYY-MM-DD`, blank: today).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct EnrolForm {
    candidate_id: String,
    assessor_id: String,
    iv_id: String,
    standard: String,
    start_date: String,
}

/// `POST /orgs/{org_id}/enrolments`: enrols a candidate.
pub async fn create_enrolment(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(create_enrolment_page(&state, &session, &path, fields).await)
}

async fn create_enrolment_page(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let org_id = path_id(raw_org)?;
    session.require(Action::CreateEnrolment, &Resource::Organisation { org_id })?;
    let form: EnrolForm = fields.read()?;
    let mut errors = BTreeMap::new();
    let candidate_id = chosen_id(&form.candidate_id, "candidate_id", &mut errors);
    if candidate_id.is_none() && !errors.contains_key("candidate_id") {
        errors.insert("candidate_id".to_owned(), "Choose the candidate".to_owned());
    }
    let assessor_id = chosen_id(&form.assessor_id, "assessor_id", &mut errors);
    let iv_id = chosen_id(&form.iv_id, "iv_id", &mut errors);
    let standard = filled(&form.standard).unwrap_or_default();
    if standard.is_empty() {
        errors.insert("standard".to_owned(), "Choose the unit standard".to_owned());
    }
    let start_date = match filled(&form.start_date) {
        None => None,
        Some(text) => match NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
            Ok(date) => Some(date),
            Err(_) => {
                errors.insert(
                    "start_date".to_owned(),
                    "Enter a real date, for example 2024-05-01".to_owned(),
                );
                None
            }
        },
    };
    let (Some(candidate_id), true) = (candidate_id, errors.is_empty()) else {
        return enrolments_page(state, session, raw_org, FormState::again(&fields, errors)).await;
    };
    let new = NewEnrolment {
        org_id,
        candidate_id,
        assessor_id,
        iv_id,
        standard,
        start_date,
    };
    let catalogue = state.catalogue.clone();
    let actor = session.user_id.clone();
    let created = state
        .db
        .write(move |conn| {
            portfolio::create_enrolment(conn, &catalogue, Some(&actor), new, Utc::now())
        })
        .await;
    match created {
        Ok(enrolment) => Ok(see_other(&format!("/enrolments/{}", enrolment.id))),
        Err(err) => {
            let form = FormState::again(&fields, field_errors(err)?);
            enrolments_page(state, session, raw_org, form).await
        }
    }
}
