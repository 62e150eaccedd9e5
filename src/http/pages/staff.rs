//! The provider admin's page for one enrolment: who assesses and who verifies it, and withdrawing
//! it with a reason.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::Serialize;

use super::admin::{SelectOption, holding, optional_id};
use super::evidence::{Opened, open};
use super::form::{Fields, FormState, field_errors};
use super::rows::{standard_of, unit_name};
use super::view::{Html, PageError, PageSession, check_csrf, page_with_status, see_other};
use crate::auth::policy::{Action, Role};
use crate::http::AppState;
use crate::http::api::enrolments::authorize;
use crate::http::api::path_id;
use crate::http::session::Session;
use crate::identity;
use crate::portfolio::{self, Staff};

#[derive(Serialize)]
struct StaffView {
    title: String,
    id: String,
    org_id: String,
    candidate: String,
    unit: String,
    status: String,
    closed: bool,
    csrf: String,
    assessors: Vec<SelectOption>,
    verifiers: Vec<SelectOption>,
    staff: FormState,
    withdraw: FormState,
}

/// Which form is shown again, and with what.
enum Again {
    Staff(FormState),
    Withdraw(FormState),
}

/// `GET /enrolments/{id}/staff`.
pub async fn form(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    Html(render(&state, &session, &path, None).await)
}

async fn render(
    state: &AppState,
    session: &Session,
    raw_id: &str,
    again: Option<Again>,
) -> Result<HttpResponse, PageError> {
    let opened = open(state, session, raw_id, Action::AssignEnrolmentStaff).await?;
    let Opened {
        enrolment,
        candidate,
    } = opened;
    let standard = standard_of(&state.catalogue, &enrolment)?;
    let org = enrolment.org_id.clone();
    let users = state
        .db
        .read(move |conn| identity::list_users(conn, &org))
        .await?;
    let now = Utc::now();
    let current = FormState::with_values([
        (
            "assessor_id".to_owned(),
            enrolment.assessor_id.clone().unwrap_or_default(),
        ),
        (
            "iv_id".to_owned(),
            enrolment.iv_id.clone().unwrap_or_default(),
        ),
    ]);
    let (staff, withdraw, status) = match again {
        None => (current, FormState::default(), StatusCode::OK),
        Some(Again::Staff(form)) => (form, FormState::default(), StatusCode::UNPROCESSABLE_ENTITY),
        Some(Again::Withdraw(form)) => (current, form, StatusCode::UNPROCESSABLE_ENTITY),
    };
    let view = StaffView {
        title: format!("Assessor and verifier — {candidate}"),
        id: enrolment.id.clone(),
        org_id: enrolment.org_id.clone(),
        unit: format!("{}: {}", unit_name(standard), standard.title),
        candidate,
        status: enrolment.status.clone(),
        closed: matches!(enrolment.status.as_str(), "withdrawn" | "certified"),
        csrf: session.csrf.clone(),
        assessors: holding(&users, &enrolment.org_id, Role::Assessor, now),
        verifiers: holding(&users, &enrolment.org_id, Role::InternalVerifier, now),
        staff,
        withdraw,
    };
    page_with_status(
        state,
        Some(session),
        "pages/enrolment_staff.html",
        &view,
        status,
    )
}

/// `POST /enrolments/{id}/staff`: sets the assessor and internal verifier.
pub async fn assign(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(assign_page(&state, &session, &path, fields).await)
}

async fn assign_page(
    state: &AppState,
    session: &Session,
    raw_id: &str,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let id = path_id(raw_id)?.to_string();
    let mut errors = BTreeMap::new();
    let staff = Staff {
        assessor_id: optional_id(&fields, "assessor_id", &mut errors),
        iv_id: optional_id(&fields, "iv_id", &mut errors),
    };
    if !errors.is_empty() {
        let again = Again::Staff(FormState::again(&fields, errors));
        return render(state, session, raw_id, Some(again)).await;
    }
    let for_tx = session.clone();
    // Authorized in the same transaction as the change, so the status checked is the one changed.
    let done = state
        .db
        .write(move |conn| {
            let enrolment = authorize(conn, &for_tx, &id, Action::AssignEnrolmentStaff)?;
            portfolio::assign_staff(conn, &enrolment, &for_tx.user_id, staff, Utc::now())
        })
        .await;
    match done {
        Ok(enrolment) => Ok(see_other(&format!("/enrolments/{}", enrolment.id))),
        Err(err) => {
            let again = Again::Staff(FormState::again(&fields, field_errors(err)?));
            render(state, session, raw_id, Some(again)).await
        }
    }
}

/// `POST /enrolments/{id}/withdraw`: withdraws the enrolment with the reason.
pub async fn withdraw(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(withdraw_page(&state, &session, &path, fields).await)
}

async fn withdraw_page(
    state: &AppState,
    session: &Session,
    raw_id: &str,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let id = path_id(raw_id)?.to_string();
    let reason = fields.text("reason").to_owned();
    let for_tx = session.clone();
    let done = state
        .db
        .write(move |conn| {
            let enrolment = authorize(conn, &for_tx, &id, Action::WithdrawEnrolment)?;
            portfolio::withdraw(conn, &enrolment, &for_tx.user_id, &reason, Utc::now())
        })
        .await;
    match done {
        Ok(enrolment) => Ok(see_other(&format!("/enrolments/{}", enrolment.id))),
        Err(err) => {
            let again = Again::Withdraw(FormState::again(&fields, field_errors(err)?));
            render(state, session, raw_id, Some(again)).await
        }
    }
}
