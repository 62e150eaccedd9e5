//! Previewing on the exports page: how many results the next batch would hold and how many
//! badges the filters select.

use actix_web::{HttpResponse, web};

use super::{Shown, exports_page};
use crate::action::{Acting, ActionError};
use crate::db::ids::OrgId;
use crate::exports::actions;
use crate::exports::badges::for_each_badge;
use crate::exports::results::ResultsQuery;
use crate::http::AppState;
use crate::http::pages::form::Fields;
use crate::http::pages::view::{Html, PageError, PageSession, check_csrf};
use crate::http::session::Session;

/// `POST /orgs/{org_id}/exports/preview`: the page again with how many results the next batch
/// would hold and how many badges the filters select, each beside its own button. A POST, so
/// that the form's CSRF token never lands in a URL (history, logs, Referer).
pub async fn preview(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(preview_page(&state, &session, &path, fields).await)
}

async fn preview_page(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let shown = Shown {
        preview: true,
        ..Shown::default()
    };
    exports_page(state, session, raw_org, &fields, shown).await
}

/// What a preview counted.
pub(super) struct Counted {
    pub(super) results: u64,
    pub(super) left_out: u64,
    pub(super) badges: u64,
}

/// Counts the results the next batch would hold and the badges the same filters select, writing
/// nothing.
pub(super) fn count(
    conn: &mut crate::db::DbConnection,
    catalogue: &crate::catalogue::Catalogue,
    acting: &Acting<'_>,
    org_id: OrgId,
    query: &ResultsQuery,
) -> Result<Counted, ActionError> {
    let as_action = |e| match e {
        crate::exports::ExportFailure::Action(a) => a,
        other => ActionError::Conflict(other.to_string()),
    };
    let filter = actions::results_filter(conn, catalogue, acting, org_id, query)?;
    let (_, summary) = actions::write_results(
        conn,
        catalogue,
        acting,
        &filter,
        None,
        std::io::sink(),
        |_| {},
    )
    .map_err(as_action)?;
    let badges = for_each_badge(conn, catalogue, &filter, |_, _| Ok(())).map_err(as_action)?;
    Ok(Counted {
        results: summary.written,
        left_out: summary.left_out,
        badges,
    })
}
