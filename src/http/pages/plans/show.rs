//! One sampling plan: what was drawn and why, and drawing again.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::*;
use crate::db::ids::PlanId;
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::pages::form::{Fields, FormState, field_errors};
use crate::http::pages::view::{
    Html, PageError, PageSession, check_csrf, page_with_status, see_other,
};
use crate::http::session::Session;
use crate::signoff::plans::actions;

/// `GET /sampling-plans/{id}`: the plan with its selection and CAMERA coverage.
pub async fn show(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    Html(
        async {
            let id = typed_path_id(&path)?;
            show_with(&state, &session, id, FormState::default(), StatusCode::OK).await
        }
        .await,
    )
}

async fn show_with(
    state: &AppState,
    session: &Session,
    plan_id: PlanId,
    form: FormState,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let catalogue = state.catalogue.clone();
    let for_tx = session.clone();
    let csrf = session.csrf.clone();
    let mut view = state
        .db
        .read(move |conn| {
            let kept = actions::kept_plan(conn, &for_tx.acting(), plan_id)?;
            plan_view(conn, &catalogue, &for_tx, kept)
        })
        .await?;
    view.csrf = csrf;
    view.form = form;
    page_with_status(
        state,
        Some(session),
        "pages/sampling_plan.html",
        &view,
        status,
    )
}

/// The redraw form as posted.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct RedrawForm {
    reason: String,
}

/// `POST /sampling-plans/{id}/draws`: draws the plan again (the earlier draw stays on record).
pub async fn redraw(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(
        async {
            check_csrf(&session, fields.csrf())?;
            redraw_page(&state, &session, typed_path_id(&path)?, fields).await
        }
        .await,
    )
}

/// Draws plan `id` again; the CSRF token is already checked.
async fn redraw_page(
    state: &AppState,
    session: &Session,
    id: PlanId,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    let for_state = state.clone();
    let for_tx = session.clone();
    let RedrawForm { reason } = fields.read()?;
    let made = state
        .db
        .write(move |conn| {
            actions::redraw(conn, for_state.services(), &for_tx.acting(), id, &reason)
        })
        .await;
    match made {
        Ok(draw) => Ok(see_other(&format!("/sampling-plans/{}", draw.plan_id))),
        Err(err) => {
            let errors = field_errors(err)?;
            let form = FormState::again(&fields, errors);
            show_with(state, session, id, form, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}
