//! The standards catalogue: every unit standard version the service knows.

use actix_web::web;
use serde::Serialize;

use super::view::{Html, PageSession, page};
use crate::auth::policy::{Action, Resource};
use crate::http::AppState;
use crate::http::api::standards::StandardSummary;

#[derive(Serialize)]
struct CatalogueView {
    title: &'static str,
    standards: Vec<StandardSummary>,
}

/// `GET /standards`.
pub async fn catalogue(state: web::Data<AppState>, session: PageSession) -> Html {
    if let Err(refused) = session.require(Action::ReadStandard, &Resource::Standard) {
        return Html(Err(refused.into()));
    }
    let view = CatalogueView {
        title: "Standards catalogue",
        standards: state
            .catalogue
            .all()
            .iter()
            .map(StandardSummary::of)
            .collect(),
    };
    page(&state, Some(&session), "pages/standards.html", &view).into()
}

#[derive(Serialize)]
struct AuthorView {
    title: &'static str,
    org_id: String,
    csrf: String,
    yaml: String,
    preview: Option<crate::authoring::Preview>,
}

/// `GET /orgs/{org_id}/standards/author`: a form to paste or edit a standard's YAML.
pub async fn author_form(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    Html(author_page(&state, &session, &path, None).await)
}

/// `POST /orgs/{org_id}/standards/author`: checks the YAML and shows the loader's problems by
/// line and column, or the outline, the observation checklist and the gaps of an empty portfolio.
pub async fn author_check(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: super::form::Fields,
) -> Html {
    if let Err(refused) = super::view::check_csrf(&session, fields.csrf()) {
        return Html(Err(refused));
    }
    let yaml = fields.text("yaml").to_owned();
    Html(author_page(&state, &session, &path, Some(yaml)).await)
}

async fn author_page(
    state: &AppState,
    session: &crate::http::session::Session,
    raw_org: &str,
    yaml: Option<String>,
) -> Result<actix_web::HttpResponse, super::view::PageError> {
    let org_id = crate::http::api::path_id(raw_org)?;
    session.require(Action::AuthorStandards, &Resource::Organisation { org_id })?;
    let preview = match &yaml {
        Some(text) => {
            let text = text.clone();
            Some(
                web::block(move || crate::authoring::preview("standard.yaml", &text))
                    .await
                    .map_err(|e| crate::http::ApiError::Internal(e.to_string()))?,
            )
        }
        None => None,
    };
    let view = AuthorView {
        title: "Write a standard",
        org_id: org_id.to_string(),
        csrf: session.csrf.clone(),
        yaml: yaml.unwrap_or_default(),
        preview,
    };
    page(state, Some(session), "pages/standard_author.html", &view)
}
