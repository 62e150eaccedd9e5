//! The assessor's marks (points against the standard's marking conditions).

use actix_web::{HttpResponse, web};
use chrono::Utc;

use super::*;
use crate::action::ActionError;
use crate::auth::policy::Action;
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::pages::form::{Fields, FormState, field_errors};
use crate::http::pages::rows::standard_of;
use crate::http::pages::view::{Html, PageError, PageSession, check_csrf, see_other};
use crate::http::session::Session;
use crate::http::shared::enrolments::authorize;
use crate::portfolio;

/// `POST /enrolments/{id}/marks`: the assessor's confirmations of rules no evidence can show, and
/// conditional criteria whose condition did not arise (each with the reason). Replaces the marks.
pub async fn marks(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(marks_page(&state, session.0, path.into_inner(), fields).await)
}

async fn marks_page(
    state: &AppState,
    session: Session,
    raw_id: String,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(&session, fields.csrf())?;
    let id: EnrolmentId = typed_path_id(&raw_id)?;
    let (marks, errors) = marks_from(&fields)?;
    if !errors.is_empty() {
        let form = FormState::again(&fields, errors);
        return render_marks(state, session, raw_id, form, Vec::new(), Some(marks), None).await;
    }
    let sent = marks.clone();
    let catalogue = state.catalogue.clone();
    let for_tx = session.clone();
    let enrolment_id = id;
    let saved = state
        .db
        .write(move |conn| {
            let enrolment = authorize(conn, &for_tx, id, Action::JudgeEvidence)?;
            let standard = standard_of(&catalogue, &enrolment)?;
            let saved = portfolio::set_marks(
                conn,
                standard,
                &enrolment,
                for_tx.actor.user_id.into(),
                marks,
                Utc::now(),
            )?;
            Ok::<_, ActionError>(saved)
        })
        .await;
    match saved {
        Ok(_) => {
            state.refresher.refresh(enrolment_id);
            Ok(see_other(&format!(
                "/enrolments/{raw_id}/decision#marks-title"
            )))
        }
        Err(err) => {
            let form = FormState::again(&fields, field_errors(err)?);
            render_marks(state, session, raw_id, form, Vec::new(), Some(sent), None).await
        }
    }
}
