//! The organisation's approved witnesses: the list, and approving another.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::Serialize;

use super::organisation;
use crate::auth::policy::Action;
use crate::http::AppState;
use crate::http::pages::form::{Fields, FormState, field_errors};
use crate::http::pages::view::{
    Html, PageError, PageSession, check_csrf, page_with_status, see_other,
};
use crate::http::session::Session;
use crate::identity::{self, ApprovedWitness, NewWitness};

#[derive(Serialize)]
struct WitnessesView {
    title: String,
    org_id: String,
    org_name: String,
    csrf: String,
    witnesses: Vec<ApprovedWitness>,
    approve: FormState,
}

/// `GET /orgs/{org_id}/settings/witnesses`.
pub async fn list(
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
    refused: Option<FormState>,
) -> Result<HttpResponse, PageError> {
    let (org_id, org_name) =
        organisation(state, session, raw_org, Action::ManageOrganisation).await?;
    let org = org_id.to_string();
    let witnesses = state
        .db
        .read(move |conn| identity::approved_witnesses(conn, &org))
        .await?;
    let status = match refused {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    let view = WitnessesView {
        title: format!("Approved witnesses — {org_name}"),
        org_id: org_id.to_string(),
        org_name,
        csrf: session.csrf.clone(),
        witnesses,
        approve: refused.unwrap_or_default(),
    };
    page_with_status(
        state,
        Some(session),
        "pages/settings_witnesses.html",
        &view,
        status,
    )
}

/// `POST /orgs/{org_id}/settings/witnesses`: approves a witness.
pub async fn approve(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(approve_page(&state, &session, &path, fields).await)
}

async fn approve_page(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let (org_id, _) = organisation(state, session, raw_org, Action::ManageOrganisation).await?;
    let new = NewWitness {
        name: fields.text("name").to_owned(),
        job_title: fields.text("job_title").to_owned(),
        relationship: fields.text("relationship").to_owned(),
        contact: fields.text("contact").to_owned(),
    };
    let actor = session.user_id.clone();
    let done = state
        .db
        .write(move |conn| {
            identity::approve_witness(conn, &org_id.to_string(), &actor, new, Utc::now())
        })
        .await;
    match done {
        Ok(_) => Ok(see_other(&format!("/orgs/{org_id}/settings/witnesses"))),
        Err(err) => {
            let form = FormState::again(&fields, field_errors(err)?);
            render(state, session, raw_org, Some(form)).await
        }
    }
}
