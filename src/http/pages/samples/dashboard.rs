//! The verifier's dashboard: the newest of the sample queue, the history and the organisation's
//! plans.

use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::*;
use crate::action::ActionError;
use crate::http::AppState;
use crate::http::pages::view::{Html, PageError, PageSession, page};
use crate::http::session::Session;
use crate::http::shared::path_id;
use crate::identity;

#[derive(Serialize)]
struct DashboardView {
    title: String,
    org_id: String,
    org_name: String,
    queue: Vec<QueueItem>,
    plans: Vec<PlanLine>,
    samples: Vec<SampleLine>,
}

/// How many of each list the dashboard shows before linking to the whole list.
const DASHBOARD_ITEMS: usize = 5;

/// `GET /orgs/{org_id}/verification`: the internal verifier's dashboard for one organisation.
pub async fn dashboard(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    Html(dashboard_page(&state, &session, &path).await)
}

async fn dashboard_page(
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
            let visible = visible_plans(conn, &for_tx, org_id)?;
            Ok::<_, ActionError>(DashboardView {
                title: format!("Verification — {org_name}"),
                org_id: org_id.to_string(),
                org_name,
                queue: queue(conn, &catalogue, &for_tx, org_id)?,
                plans: plan_lines(conn, visible.into_iter().take(DASHBOARD_ITEMS).collect())?,
                samples: history(conn, &for_tx, org_id, DASHBOARD_ITEMS)?,
            })
        })
        .await?;
    page(state, Some(session), "pages/verification.html", &view)
}
