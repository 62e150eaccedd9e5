//! Recording a batch of results from the exports page, and reversing one.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::{Shown, exports_page, results_query};
use crate::db::ids::{ExportBatchId, OrgId};
use crate::exports::actions;
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::pages::form::{Fields, field_errors};
use crate::http::pages::view::{Html, PageError, PageSession, check_csrf, see_other};
use crate::http::session::Session;
use crate::http::shared::exports::{failure, record};

/// A batch's reverse form as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReverseForm {
    reason: String,
}

/// `POST /orgs/{org_id}/exports`: records a batch and shows the page again, with the new batch
/// listed and its file offered.
pub async fn record_batch(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(record_batch_page(&state, &session, &path, fields).await)
}

async fn record_batch_page(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let org_id: OrgId = typed_path_id(raw_org)?;
    let query = results_query(&fields)?;
    let recorded = record(state, session, org_id, query).await;
    match recorded {
        Ok(batch) => Ok(see_other(&format!(
            "/orgs/{org_id}/exports?recorded={}",
            batch.id
        ))),
        Err(crate::exports::ExportFailure::Action(err)) => {
            let shown = Shown {
                errors: field_errors(err)?,
                ..Shown::default()
            };
            exports_page(state, session, raw_org, &fields, shown).await
        }
        Err(other) => Err(failure(other).into()),
    }
}

/// `POST /orgs/{org_id}/export-batches/{id}/reverse`: reverses a batch with a reason.
pub async fn reverse_batch(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<(String, String)>,
    fields: Fields,
) -> Html {
    Html(reverse_batch_page(&state, &session, &path.0, &path.1, fields).await)
}

async fn reverse_batch_page(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    raw_batch: &str,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let org_id: OrgId = typed_path_id(raw_org)?;
    let batch_id: ExportBatchId = typed_path_id(raw_batch)?;
    let ReverseForm { reason } = fields.read()?;
    let for_tx = session.clone();
    let reversed = state
        .db
        .write(move |conn| {
            actions::reverse_batch_of(conn, &for_tx.acting(), org_id, batch_id, &reason)
        })
        .await;
    match reversed {
        Ok(_) => Ok(see_other(&format!("/orgs/{org_id}/exports"))),
        Err(err) => {
            let errors = field_errors(err)?
                .into_iter()
                .map(|(field, reason)| (format!("{field}-{raw_batch}"), reason))
                .collect();
            let shown = Shown {
                errors,
                ..Shown::default()
            };
            exports_page(
                state,
                session,
                raw_org,
                &Fields::from_pairs(Vec::new()),
                shown,
            )
            .await
        }
    }
}
