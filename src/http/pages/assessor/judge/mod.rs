//! Judging one evidence record against each criterion it is mapped to.

mod form;
mod view;

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::*;
use crate::action::ActionError;
use crate::db::ids::{EnrolmentId, EvidenceId};
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::pages::evidence::show;
use crate::http::pages::form::Fields;
use crate::http::pages::view::{Html, PageError, PageSession, check_csrf, page, see_other};
use crate::http::session::Session;
use crate::http::shared::enrolments::next_waiting;
use crate::portfolio::evidence::actions;

use form::{JudgeForm, read_judgements};
use view::judge_view;

/// `?saved=1`: the previous item's judgements were saved and this is the next one waiting.
#[derive(Debug, Deserialize)]
pub struct JudgeQuery {
    saved: Option<String>,
}

/// `GET /enrolments/{id}/evidence/{evidence_id}/judge`.
pub async fn judge_form(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<(String, String)>,
    query: web::Query<JudgeQuery>,
) -> Html {
    let saved = query.saved.is_some();
    Html(
        async {
            let (id, evidence_id) = (typed_path_id(&path.0)?, typed_path_id(&path.1)?);
            let view = judge_view(
                &state,
                &session,
                id,
                evidence_id,
                None,
                BTreeMap::new(),
                saved,
            )
            .await?;
            page(&state, Some(&session), "pages/judge.html", &view)
        }
        .await,
    )
}

/// `POST /enrolments/{id}/evidence/{evidence_id}/judge`.
pub async fn judge(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<(String, String)>,
    fields: Fields,
) -> Html {
    Html(
        async {
            check_csrf(&session, fields.csrf())?;
            let (id, evidence_id) = (typed_path_id(&path.0)?, typed_path_id(&path.1)?);
            judge_page(&state, &session, id, evidence_id, fields).await
        }
        .await,
    )
}

/// Records the judgements; the CSRF token is already checked.
async fn judge_page(
    state: &AppState,
    session: &Session,
    id: EnrolmentId,
    evidence_id: EvidenceId,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    let form: JudgeForm = fields.read()?;
    let (judgements, mut errors) = read_judgements(&form);
    if errors.is_empty() {
        let for_tx = session.clone();
        let tx_state = state.clone();
        let done = state
            .db
            .write(move |conn| {
                let acting = for_tx.acting();
                let services = tx_state.services();
                let (record, _) =
                    actions::judge(conn, services, &acting, id, evidence_id, judgements)?;
                // On to the next item waiting; what was left pending here waits for another time.
                next_waiting(conn, &for_tx, Some(record.id))
            })
            .await;
        match done {
            Ok(next) => {
                state.refresher.refresh(id);
                return Ok(see_other(&next_location(next.as_ref(), true)));
            }
            Err(ActionError::Invalid(refused)) => errors.extend(refused),
            Err(other) => return Err(other.into()),
        }
    }
    let view = judge_view(
        state,
        session,
        id,
        evidence_id,
        Some((&fields, &form)),
        errors,
        false,
    )
    .await?;
    show(state, session, "pages/judge.html", &view, true)
}
