//! The observation form: the outcomes chosen and the attributes each asks about.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};

use super::*;
use crate::action::ActionError;
use crate::auth::policy::Action;
use crate::db::ids::EnrolmentId;
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::pages::evidence::{open, show};
use crate::http::pages::form::Fields;
use crate::http::pages::record::new_record_fields;
use crate::http::pages::rows::standard_of;
use crate::http::pages::view::{Html, PageError, PageSession};
use crate::http::session::Session;

/// The outcome chooser's query: the outcomes ticked, and `choose` when sent from the chooser.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct Chooser {
    outcome: Vec<String>,
    choose: String,
}

/// `GET /enrolments/{id}/observations/new?outcome=1&outcome=3`: the checklist of the outcomes
/// named (repeat `outcome`). Without any, the first outcome is chosen, unless the chooser sent
/// `choose=1` with nothing ticked: then the page asks for one.
pub async fn observation_form(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    query: web::Query<Vec<(String, String)>>,
) -> Html {
    let asked = Fields::from_pairs(query.into_inner());
    Html(
        async { observation_form_page(&state, &session, typed_path_id(&path)?, &asked).await }
            .await,
    )
}

async fn observation_form_page(
    state: &AppState,
    session: &Session,
    id: EnrolmentId,
    asked: &Fields,
) -> Result<HttpResponse, PageError> {
    let opened = open(state, session, id, Action::RecordAssessorEvidence).await?;
    let standard = standard_of(&state.catalogue, &opened.enrolment)?;
    let Some(first) = standard.outcomes.first() else {
        return Err(ActionError::Conflict(format!(
            "standard {} has no outcomes to observe",
            standard.code
        ))
        .into());
    };
    let asked: Chooser = asked.read()?;
    let mut chosen = chosen_outcomes(standard, &asked.outcome);
    let mut errors = BTreeMap::new();
    if chosen.is_empty() {
        if !asked.choose.trim().is_empty() {
            errors.insert(OUTCOME.to_owned(), no_outcome());
        } else {
            chosen.push(first);
        }
    }
    let mut fields = new_record_fields();
    for outcome in &chosen {
        fields.push(OUTCOME.to_owned(), outcome.id.clone());
    }
    // Asking for the page is never refused: "choose an outcome" is shown as the form's error.
    let view = observation_view(state, session, &opened, standard, &chosen, &fields, errors);
    show(state, session, TEMPLATE, &view, false)
}
