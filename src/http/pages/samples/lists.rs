//! The full sample queue and the history of samples taken.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::*;
use crate::action::ActionError;
use crate::http::AppState;
use crate::http::pages::view::{Html, PageError, PageSession, page};
use crate::http::session::Session;
use crate::http::shared::path_id;
use crate::identity;

#[derive(Serialize)]
struct QueueView {
    title: String,
    org_id: String,
    org_name: String,
    queue: Vec<QueueItem>,
}

/// `GET /orgs/{org_id}/sample-queue`: unit decisions awaiting sampling.
pub async fn queue_page(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    Html(queue_view(&state, &session, &path).await)
}

async fn queue_view(
    state: &AppState,
    session: &Session,
    raw_org: &str,
) -> Result<HttpResponse, PageError> {
    let org_id = path_id(raw_org)?;
    require_plan_reader(session, org_id)?;
    let catalogue = state.catalogue.clone();
    let for_tx = session.clone();
    let view = state
        .db
        .read(move |conn| {
            let org_name = identity::load_organisation(conn, org_id.into())?.name;
            Ok::<_, ActionError>(QueueView {
                title: format!("Sample queue — {org_name}"),
                org_id: org_id.to_string(),
                org_name,
                queue: queue(conn, &catalogue, &for_tx, org_id)?,
            })
        })
        .await?;
    page(state, Some(session), "pages/sample_queue.html", &view)
}

/// `?recorded=SAMPLE_ID` after a sample is recorded.
#[derive(Debug, Deserialize)]
pub struct HistoryQuery {
    recorded: Option<String>,
}

#[derive(Serialize)]
struct HistoryView {
    title: String,
    org_id: String,
    org_name: String,
    samples: Vec<SampleLine>,
    /// The sample just recorded, to confirm it and say what it did.
    recorded: Option<SampleLine>,
}

/// The most samples the history lists.
const HISTORY_ITEMS: usize = 500;

/// `GET /orgs/{org_id}/samples`: the history of samples.
pub async fn history_page(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    query: web::Query<HistoryQuery>,
) -> Html {
    Html(history_view(&state, &session, &path, query.into_inner().recorded).await)
}

async fn history_view(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    recorded: Option<String>,
) -> Result<HttpResponse, PageError> {
    let org_id = path_id(raw_org)?;
    require_plan_reader(session, org_id)?;
    let for_tx = session.clone();
    let view = state
        .db
        .read(move |conn| {
            let org_name = identity::load_organisation(conn, org_id.into())?.name;
            let samples = history(conn, &for_tx, org_id, HISTORY_ITEMS)?;
            // Only a sample of this list is echoed.
            let recorded = recorded.and_then(|id| samples.iter().find(|s| s.id == id).cloned());
            Ok::<_, ActionError>(HistoryView {
                title: format!("Sampling history — {org_name}"),
                org_id: org_id.to_string(),
                org_name,
                samples,
                recorded,
            })
        })
        .await?;
    page(state, Some(session), "pages/sample_history.html", &view)
}
