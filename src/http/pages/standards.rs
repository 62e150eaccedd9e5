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
