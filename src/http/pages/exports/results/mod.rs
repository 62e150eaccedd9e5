//! The exports page: previewing results, recording a batch, badges and reversing a batch.

mod badges;
mod batches;
mod preview;

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::action::ActionError;
use crate::db::ids::OrgId;
use crate::exports::actions;
use crate::exports::ledger::{self, Batch};
use crate::exports::results::ResultsQuery;
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::pages::form::{Fields, FormState, field_errors};
use crate::http::pages::view::{Html, PageError, PageSession, page_with_status};
use crate::http::session::Session;
use crate::identity;
use crate::portfolio::cohorts::{self, CohortSummary};

pub use badges::badges;
pub use batches::{record_batch, reverse_batch};
pub use preview::preview;

use preview::count;

#[derive(Serialize)]
struct ExportsView {
    title: String,
    org_id: String,
    org_name: String,
    csrf: String,
    form: FormState,
    cohorts: Vec<CohortSummary>,
    formats: Vec<FormatOption>,
    /// The catalogue's standards, as choices (`CODE@VERSION`).
    standards: Vec<crate::http::pages::admin::SelectOption>,
    preview: Option<u64>,
    left_out: u64,
    /// How many badges the filters select, when previewed.
    badges: Option<u64>,
    /// The batch just recorded.
    recorded: Option<Batch>,
    batches: Vec<Batch>,
    /// Results whose report no longer stands: the next batch carries each as a correction.
    corrections: Vec<ledger::PendingCorrection>,
}

#[derive(Serialize)]
struct FormatOption {
    value: &'static str,
    label: &'static str,
}

const FORMATS: [(&str, &str); 3] = [
    ("csv", "CSV, every column"),
    ("json", "JSON, every column"),
    ("nzqa", "NZQA-ready CSV"),
];

/// `GET /orgs/{org_id}/exports`: the filters, the batches recorded and, after a batch was
/// recorded (`?recorded=ID`), a link to its file.
pub async fn exports(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    query: web::Query<Vec<(String, String)>>,
) -> Html {
    let listed: ListedQuery = match Fields::from_pairs(query.into_inner()).read() {
        Ok(listed) => listed,
        Err(err) => return Html(Err(err)),
    };
    let shown = Shown {
        recorded: filled(listed.recorded),
        ..Shown::default()
    };
    Html(
        exports_page(
            &state,
            &session,
            &path,
            &Fields::from_pairs(Vec::new()),
            shown,
        )
        .await,
    )
}

/// The exports page's address as linked after recording a batch.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListedQuery {
    /// The batch just recorded.
    recorded: String,
}

/// The filters as posted (previewing, recording and badges share them).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FiltersForm {
    format: String,
    cohort: String,
    standard: String,
    from: String,
    to: String,
    /// A checkbox: present when ticked, whatever its value.
    include_reported: Option<String>,
}

/// `text` trimmed, when not blank.
fn filled(text: String) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

fn results_query(fields: &Fields) -> Result<ResultsQuery, PageError> {
    let form: FiltersForm = fields.read()?;
    Ok(ResultsQuery {
        format: filled(form.format),
        cohort: filled(form.cohort),
        standard: filled(form.standard),
        from: filled(form.from),
        to: filled(form.to),
        include_reported: Some(form.include_reported.is_some().to_string()),
    })
}

/// What the exports page shows beyond its filters and batches.
#[derive(Default)]
struct Shown {
    /// Count what the filters select (results and badges).
    preview: bool,
    /// The batch just recorded, whose file the page offers.
    recorded: Option<String>,
    /// Field errors to show on the filters (or on a batch's reverse form).
    errors: BTreeMap<String, String>,
}

async fn exports_page(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    fields: &Fields,
    shown: Shown,
) -> Result<HttpResponse, PageError> {
    let org_id: OrgId = typed_path_id(raw_org)?;
    let catalogue = state.catalogue.clone();
    let query = results_query(fields)?;
    let preview = shown.preview;
    let for_tx = session.clone();
    let (org_name, all, batches, corrections, counted) = state
        .db
        .read(move |conn| {
            let acting = for_tx.acting();
            // Asks the policy first: nothing about an organisation shows to someone who may
            // not export its data.
            let batches = actions::list_batches(conn, &acting, org_id)?;
            let name = identity::load_organisation(conn, org_id)?.name;
            let all = cohorts::list_cohorts(conn, org_id)?;
            let corrections = ledger::pending_corrections(conn, &catalogue, org_id)?;
            let counted = preview.then(|| count(conn, &catalogue, &acting, org_id, &query));
            Ok::<_, ActionError>((name, all, batches, corrections, counted))
        })
        .await?;
    let mut errors = shown.errors;
    let counted = match counted {
        Some(Ok(counted)) => Some(counted),
        Some(Err(err)) => {
            errors.extend(field_errors(err)?);
            None
        }
        None => None,
    };
    let recorded = shown
        .recorded
        .and_then(|id| batches.iter().find(|b| b.id == id).cloned());
    let form = FormState::again(fields, errors);
    let status = if form.has_errors() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let view = ExportsView {
        title: format!("Exports — {org_name}"),
        org_id: org_id.to_string(),
        org_name,
        csrf: session.csrf.clone(),
        form,
        cohorts: all,
        standards: crate::http::pages::admin::standard_choices(&state.catalogue, |_| true),
        formats: FORMATS
            .iter()
            .map(|&(value, label)| FormatOption { value, label })
            .collect(),
        preview: counted.as_ref().map(|c| c.results),
        left_out: counted.as_ref().map_or(0, |c| c.left_out),
        badges: counted.as_ref().map(|c| c.badges),
        recorded,
        batches,
        corrections,
    };
    page_with_status(state, Some(session), "pages/exports.html", &view, status)
}
