//! The organisation's approved witnesses: the list, and approving another.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::organisation_of;
use crate::action::ActionError;
use crate::auth::policy::Action;
use crate::db::ids::OrgId;
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::pages::form::{Fields, FormState, field_errors};
use crate::http::pages::view::{
    Html, PageError, PageSession, check_csrf, page_with_status, see_other,
};
use crate::http::session::Session;
use crate::identity::actions;
use crate::identity::{ApprovedWitness, NewWitness};

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
    let org_id: OrgId = typed_path_id(raw_org)?;
    let for_tx = session.clone();
    let (org_name, witnesses) = state
        .db
        .read(move |conn| {
            let acting = for_tx.acting();
            let organisation =
                actions::organisation(conn, &acting, org_id, Action::ManageOrganisation)?;
            let witnesses = actions::approved_witnesses(conn, &acting, org_id)?;
            Ok::<_, ActionError>((organisation.name, witnesses))
        })
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

/// The witness form as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WitnessForm {
    name: String,
    job_title: String,
    relationship: String,
    contact: String,
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
    let (org_id, _) = organisation_of(state, session, raw_org, Action::ManageOrganisation).await?;
    let WitnessForm {
        name,
        job_title,
        relationship,
        contact,
    } = fields.read()?;
    let new = NewWitness {
        name,
        job_title,
        relationship,
        contact,
    };
    let for_tx = session.clone();
    let done = state
        .db
        .write(move |conn| actions::approve_witness(conn, &for_tx.acting(), org_id, new))
        .await;
    match done {
        Ok(_) => Ok(see_other(&format!("/orgs/{org_id}/settings/witnesses"))),
        Err(err) => {
            let form = FormState::again(&fields, field_errors(err)?);
            render(state, session, raw_org, Some(form)).await
        }
    }
}
