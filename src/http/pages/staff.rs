//! The provider admin's page for one enrolment: who assesses and who verifies it, and withdrawing
//! it with a reason.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::admin::{SelectOption, chosen_id, holding};
use super::evidence::{Opened, open};
use super::form::{Fields, FormState, field_errors};
use super::rows::{standard_of, unit_name};
use super::view::{Html, PageError, PageSession, check_csrf, page_with_status, see_other};
use crate::auth::policy::{Action, EnrolmentStatus, Role};
use crate::db::ids::EnrolmentId;
use crate::http::AppState;
use crate::http::extract::typed_path_id;
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
    /// The standard version's last date for assessment, when it has one.
    last_assessment: Option<chrono::NaiveDate>,
    /// The extension in force.
    extension: Option<portfolio::expiry::ExtensionInForce>,
    extend: FormState,
}

/// Which form is shown again, and with what.
enum Again {
    Staff(FormState),
    Withdraw(FormState),
    Extend(FormState),
}

/// `GET /enrolments/{id}/staff`.
pub async fn form(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    Html(async { render(&state, &session, typed_path_id(&path)?, None).await }.await)
}

async fn render(
    state: &AppState,
    session: &Session,
    id: EnrolmentId,
    again: Option<Again>,
) -> Result<HttpResponse, PageError> {
    let opened = open(state, session, id, Action::AssignEnrolmentStaff).await?;
    let Opened {
        enrolment,
        candidate,
    } = opened;
    let standard = standard_of(&state.catalogue, &enrolment)?;
    let org = enrolment.org_id;
    let enrolment_id = enrolment.id;
    let (users, extension) = state
        .db
        .read(move |conn| {
            Ok::<_, crate::action::ActionError>((
                identity::list_users(conn, org)?,
                portfolio::expiry::extension_in_force(conn, enrolment_id)?,
            ))
        })
        .await?;
    let now = Utc::now();
    let current = FormState::with_values([
        (
            "assessor_id".to_owned(),
            enrolment
                .assessor_id
                .map(|id| id.to_string())
                .unwrap_or_default(),
        ),
        (
            "iv_id".to_owned(),
            enrolment.iv_id.map(|id| id.to_string()).unwrap_or_default(),
        ),
    ]);
    let invalid = StatusCode::UNPROCESSABLE_ENTITY;
    let (staff, withdraw, extend, status) = match again {
        None => (
            current,
            FormState::default(),
            FormState::default(),
            StatusCode::OK,
        ),
        Some(Again::Staff(form)) => (form, FormState::default(), FormState::default(), invalid),
        Some(Again::Withdraw(form)) => (current, form, FormState::default(), invalid),
        Some(Again::Extend(form)) => (current, FormState::default(), form, invalid),
    };
    let view = StaffView {
        title: format!("Assessor and verifier — {candidate}"),
        id: enrolment.id.to_string(),
        org_id: enrolment.org_id.to_string(),
        unit: format!("{}: {}", unit_name(standard), standard.title),
        candidate,
        status: enrolment.status.to_string(),
        closed: matches!(
            enrolment.status,
            EnrolmentStatus::Withdrawn | EnrolmentStatus::Certified
        ),
        csrf: session.csrf.clone(),
        assessors: holding(&users, &enrolment.org_id.to_string(), Role::Assessor, now),
        verifiers: holding(
            &users,
            &enrolment.org_id.to_string(),
            Role::InternalVerifier,
            now,
        ),
        staff,
        withdraw,
        last_assessment: crate::catalogue::last_assessment_day(standard),
        extension,
        extend,
    };
    page_with_status(
        state,
        Some(session),
        "pages/enrolment_staff.html",
        &view,
        status,
    )
}

/// The staff form as posted: the people chosen (blank: none).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StaffForm {
    assessor_id: String,
    iv_id: String,
}

/// `POST /enrolments/{id}/staff`: sets the assessor and internal verifier.
pub async fn assign(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(
        async {
            check_csrf(&session, fields.csrf())?;
            assign_page(&state, &session, typed_path_id(&path)?, fields).await
        }
        .await,
    )
}

/// The form posted to enrolment `id`, its CSRF token already checked.
async fn assign_page(
    state: &AppState,
    session: &Session,
    id: EnrolmentId,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    let form: StaffForm = fields.read()?;
    let mut errors = BTreeMap::new();
    let staff = Staff {
        assessor_id: chosen_id(&form.assessor_id, "assessor_id", &mut errors),
        iv_id: chosen_id(&form.iv_id, "iv_id", &mut errors),
    };
    if !errors.is_empty() {
        let again = Again::Staff(FormState::again(&fields, errors));
        return render(state, session, id, Some(again)).await;
    }
    let for_tx = session.clone();
    // Authorized in the same transaction as the change, so the status checked is the one changed.
    let done = state
        .db
        .write(move |conn| portfolio::actions::assign_staff(conn, &for_tx.acting(), id, staff))
        .await;
    match done {
        Ok(enrolment) => Ok(see_other(&format!("/enrolments/{}", enrolment.id))),
        Err(err) => {
            let again = Again::Staff(FormState::again(&fields, field_errors(err)?));
            render(state, session, id, Some(again)).await
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
    Html(
        async {
            check_csrf(&session, fields.csrf())?;
            withdraw_page(&state, &session, typed_path_id(&path)?, fields).await
        }
        .await,
    )
}

/// The withdrawal form as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WithdrawForm {
    reason: String,
}

/// The form posted to enrolment `id`, its CSRF token already checked.
async fn withdraw_page(
    state: &AppState,
    session: &Session,
    id: EnrolmentId,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    let WithdrawForm { reason } = fields.read()?;
    let for_tx = session.clone();
    let done = state
        .db
        .write(move |conn| portfolio::actions::withdraw(conn, &for_tx.acting(), id, &reason))
        .await;
    match done {
        Ok(enrolment) => Ok(see_other(&format!("/enrolments/{}", enrolment.id))),
        Err(err) => {
            let again = Again::Withdraw(FormState::again(&fields, field_errors(err)?));
            render(state, session, id, Some(again)).await
        }
    }
}

/// `POST /enrolments/{id}/assessment-extension`: lets the enrolment be assessed after its
/// standard version's last date for assessment, until the day given, for the reason given
/// (audited as `enrolment.extend_assessment`).
pub async fn extend(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(
        async {
            check_csrf(&session, fields.csrf())?;
            extend_page(&state, &session, typed_path_id(&path)?, fields).await
        }
        .await,
    )
}

/// The extension form as posted: the last day for assessment (`YYYY-MM-DD`) and why.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ExtendForm {
    until: String,
    extend_reason: String,
}

/// The form posted to enrolment `id`, its CSRF token already checked.
async fn extend_page(
    state: &AppState,
    session: &Session,
    id: EnrolmentId,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    let form: ExtendForm = fields.read()?;
    let Ok(until) = chrono::NaiveDate::parse_from_str(form.until.trim(), "%Y-%m-%d") else {
        let mut errors = BTreeMap::new();
        errors.insert(
            "until".to_owned(),
            "must be a date, as YYYY-MM-DD".to_owned(),
        );
        let again = Again::Extend(FormState::again(&fields, errors));
        return render(state, session, id, Some(again)).await;
    };
    let request = portfolio::expiry::ExtensionRequest {
        until,
        reason: form.extend_reason,
    };
    let for_tx = session.clone();
    let tx_state = state.clone();
    let done = state
        .db
        .write(move |conn| {
            portfolio::actions::extend_assessment(
                conn,
                tx_state.services(),
                &for_tx.acting(),
                id,
                request,
            )
        })
        .await;
    match done {
        Ok(extension) => Ok(see_other(&format!(
            "/enrolments/{}",
            extension.enrolment_id
        ))),
        Err(err) => {
            // The form's reason field is `extend_reason` (the withdrawal form has a `reason`).
            let errors = field_errors(err)?
                .into_iter()
                .map(|(field, reason)| match field.as_str() {
                    "reason" => ("extend_reason".to_owned(), reason),
                    _ => (field, reason),
                })
                .collect();
            let again = Again::Extend(FormState::again(&fields, errors));
            render(state, session, id, Some(again)).await
        }
    }
}
