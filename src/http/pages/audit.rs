//! The audit trail as pages: an organisation's (admins, external verifiers) and one portfolio's
//! (whoever may read it, the candidate included), filterable, each entry in plain words with its
//! hash link, and the organisation's trail as a CSV or JSON file.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::form::FormState;
use super::view::{Html, PageError, PageSession, encode_query, page_with_status};
use crate::action::ActionError;
use crate::audit_trail::actions::{self, TrailEntry, trail_page};
use crate::audit_trail::{Scope, TrailQuery};
use crate::db::ids::{EnrolmentId, OrgId};
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::session::Session;

#[derive(Debug, Serialize)]
struct Choice {
    value: String,
    label: String,
}

#[derive(Debug, Serialize)]
struct TrailView {
    title: String,
    /// Where the filter form sends to.
    action_path: String,
    /// Breadcrumb back.
    back: String,
    back_label: String,
    /// The organisation-wide page offers person and enrolment filters and the files.
    whole_org: bool,
    people: Vec<Choice>,
    actions: Vec<Choice>,
    entries: Vec<TrailEntry>,
    /// The link to the next (older) page, with the same filters.
    older: Option<String>,
    /// The files of the filtered trail (organisation only).
    csv: Option<String>,
    json: Option<String>,
    form: FormState,
}

fn query_string(query: &TrailQuery, extra: &[(&str, String)]) -> String {
    let fields = [
        ("person", &query.person),
        ("enrolment", &query.enrolment),
        ("action", &query.action),
        ("from", &query.from),
        ("to", &query.to),
    ];
    let mut parts: Vec<String> = fields
        .iter()
        .filter_map(|(name, value)| {
            value
                .as_deref()
                .filter(|v| !v.trim().is_empty())
                .map(|v| format!("{name}={}", encode_query(v.trim())))
        })
        .collect();
    parts.extend(
        extra
            .iter()
            .map(|(name, value)| format!("{name}={}", encode_query(value))),
    );
    parts.join("&")
}

fn form_of(query: &TrailQuery, errors: BTreeMap<String, String>) -> FormState {
    let mut form = FormState::with_values(
        [
            ("person", &query.person),
            ("enrolment", &query.enrolment),
            ("action", &query.action),
            ("from", &query.from),
            ("to", &query.to),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.clone().map(|v| (name.to_owned(), v))),
    );
    form.errors = errors;
    form
}

fn action_choices(actions: Vec<String>) -> Vec<Choice> {
    actions
        .into_iter()
        .map(|a| Choice {
            label: a.clone(),
            value: a,
        })
        .collect()
}

/// `GET /orgs/{org_id}/audit`: the organisation's trail.
pub async fn org_trail(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    query: web::Query<TrailQuery>,
) -> Html {
    let query = query.into_inner();
    Html(async { org_page(&state, &session, typed_path_id(&path)?, query).await }.await)
}

async fn org_page(
    state: &AppState,
    session: &Session,
    org_id: OrgId,
    query: TrailQuery,
) -> Result<HttpResponse, PageError> {
    let org = org_id.to_string();
    let for_tx = query.clone();
    let asking = session.clone();
    let (view, status) = state
        .db
        .read(move |conn| {
            let trail = actions::org_trail(conn, &asking.acting(), org_id)?;
            let name = trail.organisation.name;
            let people = trail
                .people
                .into_iter()
                .map(|u| Choice {
                    value: u.id.to_string(),
                    label: format!("{} ({})", u.name, u.email),
                })
                .collect();
            let actions = action_choices(trail.actions);
            let (entries, older, errors) = entries_or_errors(conn, &trail.scope, &for_tx)?;
            let status = if errors.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let files = errors.is_empty().then(|| {
                let base = format!("/api/orgs/{org}/audit/export");
                (
                    format!(
                        "{base}?{}",
                        query_string(&for_tx, &[("format", "csv".into())])
                    ),
                    format!(
                        "{base}?{}",
                        query_string(&for_tx, &[("format", "json".into())])
                    ),
                )
            });
            Ok::<_, ActionError>((
                TrailView {
                    title: format!("Audit trail — {name}"),
                    action_path: format!("/orgs/{org}/audit"),
                    back: "/".to_owned(),
                    back_label: "Home".to_owned(),
                    whole_org: true,
                    people,
                    actions,
                    older: older.map(|seq| {
                        format!(
                            "/orgs/{org}/audit?{}",
                            query_string(&for_tx, &[("before", seq.to_string())])
                        )
                    }),
                    entries,
                    csv: files.as_ref().map(|(csv, _)| csv.clone()),
                    json: files.map(|(_, json)| json),
                    form: form_of(&for_tx, errors),
                },
                status,
            ))
        })
        .await?;
    page_with_status(state, Some(session), "pages/audit.html", &view, status)
}

/// The page of entries, or the filters' problems (shown on the form, nothing lost).
#[allow(clippy::type_complexity)]
fn entries_or_errors(
    conn: &mut crate::db::DbConnection,
    scope: &Scope,
    query: &TrailQuery,
) -> Result<(Vec<TrailEntry>, Option<i64>, BTreeMap<String, String>), ActionError> {
    match trail_page(conn, scope, query) {
        Ok(page) => Ok((page.entries, page.next_before, BTreeMap::new())),
        Err(ActionError::Invalid(errors)) => Ok((Vec::new(), None, errors)),
        Err(other) => Err(other),
    }
}

/// `GET /enrolments/{id}/audit`: one portfolio's trail.
pub async fn enrolment_trail(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    query: web::Query<TrailQuery>,
) -> Html {
    let query = query.into_inner();
    Html(async { enrolment_page(&state, &session, typed_path_id(&path)?, query).await }.await)
}

async fn enrolment_page(
    state: &AppState,
    session: &Session,
    enrolment_id: EnrolmentId,
    query: TrailQuery,
) -> Result<HttpResponse, PageError> {
    let id = enrolment_id.to_string();
    let for_tx = session.clone();
    let (view, status) = state
        .db
        .read(move |conn| {
            let trail = actions::enrolment_trail(conn, &for_tx.acting(), enrolment_id)?;
            let (enrolment, candidate) = (trail.enrolment, trail.candidate);
            let actions = action_choices(trail.actions);
            let (entries, older, errors) = entries_or_errors(conn, &trail.scope, &query)?;
            let status = if errors.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            Ok::<_, ActionError>((
                TrailView {
                    title: format!(
                        "Audit trail — {candidate}, {} v{}",
                        enrolment.standard_code, enrolment.standard_version
                    ),
                    action_path: format!("/enrolments/{id}/audit"),
                    back: format!("/enrolments/{id}"),
                    back_label: "Portfolio".to_owned(),
                    whole_org: false,
                    people: Vec::new(),
                    actions,
                    older: older.map(|seq| {
                        format!(
                            "/enrolments/{id}/audit?{}",
                            query_string(&query, &[("before", seq.to_string())])
                        )
                    }),
                    entries,
                    csv: None,
                    json: None,
                    form: form_of(&query, errors),
                },
                status,
            ))
        })
        .await?;
    page_with_status(state, Some(session), "pages/audit.html", &view, status)
}
