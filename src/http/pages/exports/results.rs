//! The exports page: previewing results, recording a batch, badges and reversing a batch.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::action::{Acting, ActionError};
use crate::db::ids::{ExportBatchId, OrgId};
use crate::exports::actions;
use crate::exports::badges::for_each_badge;
use crate::exports::ledger::{self, Batch};
use crate::exports::results::ResultsQuery;
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::pages::form::{Fields, FormState, field_errors};
use crate::http::pages::view::{
    Html, PageError, PageSession, check_csrf, page_with_status, see_other,
};
use crate::http::session::Session;
use crate::http::shared::exports::{failure, record, send_badges};
use crate::identity;
use crate::portfolio::cohorts::{self, CohortSummary};

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

/// A batch's reverse form as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReverseForm {
    reason: String,
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

/// What a preview counted.
struct Counted {
    results: u64,
    left_out: u64,
    badges: u64,
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

/// Counts the results the next batch would hold and the badges the same filters select, writing
/// nothing.
fn count(
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
