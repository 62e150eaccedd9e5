//! The provider admin's quality assurance settings, in one area under `/orgs/{org_id}/settings`:
//! who verifies whom, approved witnesses, sampling rates and risk ratings, and the readings of
//! ambiguous rules. Each page calls the same actions as the API.

pub mod interpretations;
pub mod sampling;
pub mod verifiers;
pub mod witnesses;

use actix_web::{HttpResponse, web};
use serde::Serialize;
use uuid::Uuid;

use super::view::{Html, PageError, PageSession, page};
use crate::auth::policy::{Action, Resource};
use crate::http::AppState;
use crate::http::api::path_id;
use crate::http::session::Session;
use crate::identity;

/// The organisation a settings page is for, once the policy allows `action` on it: id and name.
async fn organisation(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    action: Action,
) -> Result<(Uuid, String), PageError> {
    let org_id = path_id(raw_org)?;
    session.require(action, &Resource::Organisation { org_id })?;
    let org = org_id.to_string();
    let found = state
        .db
        .read(move |conn| identity::find_organisation(conn, &org))
        .await?;
    Ok((org_id, found.name))
}

#[derive(Serialize)]
struct OverviewView {
    title: String,
    org_id: String,
    org_name: String,
    csrf: String,
    two_factor_required: bool,
}

/// `GET /orgs/{org_id}/settings`: the settings area, a link to each part.
pub async fn overview(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    Html(overview_page(&state, &session, &path).await)
}

async fn overview_page(
    state: &AppState,
    session: &Session,
    raw_org: &str,
) -> Result<HttpResponse, PageError> {
    let (org_id, org_name) =
        organisation(state, session, raw_org, Action::ManageOrganisation).await?;
    let org = org_id.to_string();
    let two_factor_required = state
        .db
        .read(move |conn| identity::two_factor::is_required_in(conn, &org))
        .await?;
    let view = OverviewView {
        title: format!("Settings — {org_name}"),
        org_id: org_id.to_string(),
        org_name,
        csrf: session.csrf.clone(),
        two_factor_required,
    };
    page(state, Some(session), "pages/settings.html", &view)
}
