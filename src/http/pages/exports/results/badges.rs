//! The Open Badges for the results the exports page's filters select.

use actix_web::{HttpResponse, web};

use super::{Shown, exports_page, results_query};
use crate::action::ActionError;
use crate::db::ids::OrgId;
use crate::exports::actions;
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::pages::form::{Fields, field_errors};
use crate::http::pages::view::{Html, PageError, PageSession, check_csrf};
use crate::http::session::Session;
use crate::http::shared::exports::send_badges;

/// `POST /orgs/{org_id}/exports/badges`: the Open Badges for the results the form's filters
/// select, or the exports page again with the filter that is wrong marked.
pub async fn badges(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(badges_page(&state, &session, &path, fields).await)
}

async fn badges_page(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let org_id: OrgId = typed_path_id(raw_org)?;
    let query = results_query(&fields)?;
    let catalogue = state.catalogue.clone();
    let for_tx = session.clone();
    let checked = state
        .db
        .read(move |conn| {
            let checked =
                actions::results_filter(conn, &catalogue, &for_tx.acting(), org_id, &query);
            match checked {
                Err(ActionError::Invalid(errors)) => Ok(Err(ActionError::Invalid(errors))),
                other => other.map(Ok),
            }
        })
        .await?;
    match checked {
        Ok(filter) => Ok(send_badges(state, filter).await?),
        Err(err) => {
            let shown = Shown {
                errors: field_errors(err)?,
                ..Shown::default()
            };
            exports_page(state, session, raw_org, &fields, shown).await
        }
    }
}
