//! Cohorts: the list, a new cohort, one cohort's charts and changing its members.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::action::ActionError;
use crate::auth::policy::{Action, Resource};
use crate::db::ids::{CohortId, EnrolmentId, Id, OrgId};
use crate::exports::actions;
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::pages::form::{Fields, FormState, field_errors};
use crate::http::pages::rows::{EnrolmentRow, Names, row, rows_in_org};
use crate::http::pages::view::{
    Html, PageError, PageSession, check_csrf, page_with_status, see_other,
};
use crate::http::session::Session;
use crate::identity;
use crate::portfolio::cohorts::{self, CohortMembers, CohortProgress, CohortSummary, NewCohort};

#[derive(Serialize)]
struct CohortsView {
    title: String,
    org_id: OrgId,
    org_name: String,
    csrf: String,
    cohorts: Vec<CohortSummary>,
    /// The catalogue's standards, as choices (`CODE@VERSION`).
    standards: Vec<crate::http::pages::admin::SelectOption>,
    form: FormState,
}

/// `GET /orgs/{org_id}/cohorts`.
pub async fn cohorts(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    Html(
        async {
            cohorts_page(
                &state,
                &session,
                typed_path_id(&path)?,
                FormState::default(),
            )
            .await
        }
        .await,
    )
}

async fn cohorts_page(
    state: &AppState,
    session: &Session,
    org_id: OrgId,
    form: FormState,
) -> Result<HttpResponse, PageError> {
    session.require(
        Action::ManageCohorts,
        &Resource::Organisation {
            org_id: org_id.uuid(),
        },
    )?;
    let (org_name, all) = state
        .db
        .read(move |conn| {
            let name = identity::load_organisation(conn, org_id)?.name;
            Ok::<_, ActionError>((name, cohorts::list_cohorts(conn, org_id)?))
        })
        .await?;
    let status = if form.has_errors() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let view = CohortsView {
        title: format!("Cohorts — {org_name}"),
        org_id,
        org_name,
        csrf: session.csrf.clone(),
        cohorts: all,
        standards: crate::http::pages::admin::standard_choices(&state.catalogue, |_| true),
        form,
    };
    page_with_status(state, Some(session), "pages/cohorts.html", &view, status)
}

/// `POST /orgs/{org_id}/cohorts`: creates a cohort.
pub async fn create_cohort(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(async { create_cohort_page(&state, &session, typed_path_id(&path)?, fields).await }.await)
}

/// The new cohort form as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CohortForm {
    name: String,
    standard: String,
    start_date: String,
    end_date: String,
}

/// `text` trimmed, when not blank.
fn filled(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

fn date_field(
    text: &str,
    name: &str,
    errors: &mut BTreeMap<String, String>,
) -> Option<chrono::NaiveDate> {
    let text = filled(text)?;
    chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .map_err(|_| {
            errors.insert(
                name.to_owned(),
                "Enter a real date, for example 2024-05-01".to_owned(),
            );
        })
        .ok()
}

async fn create_cohort_page(
    state: &AppState,
    session: &Session,
    org_id: OrgId,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    session.require(
        Action::ManageCohorts,
        &Resource::Organisation {
            org_id: org_id.into(),
        },
    )?;
    let form: CohortForm = fields.read()?;
    let mut errors = BTreeMap::new();
    let start_date = date_field(&form.start_date, "start_date", &mut errors);
    let end_date = date_field(&form.end_date, "end_date", &mut errors);
    if !errors.is_empty() {
        return cohorts_page(state, session, org_id, FormState::again(&fields, errors)).await;
    }
    let new = NewCohort {
        name: form.name,
        standard: filled(&form.standard),
        start_date,
        end_date,
    };
    let catalogue = state.catalogue.clone();
    let for_tx = session.clone();
    let created = state
        .db
        .write(move |conn| actions::create_cohort(conn, &catalogue, &for_tx.acting(), org_id, new))
        .await;
    match created {
        Ok(cohort) => Ok(see_other(&format!("/cohorts/{}", cohort.id))),
        Err(err) => {
            let form = FormState::again(&fields, field_errors(err)?);
            cohorts_page(state, session, org_id, form).await
        }
    }
}

/// One bar of the chart: an outcome, with the widths of its three parts in percent.
#[derive(Serialize)]
struct Bar {
    id: String,
    title: String,
    met: u32,
    partly_met: u32,
    not_started: u32,
    met_width: u32,
    partly_width: u32,
    percent: u32,
}

#[derive(Serialize)]
struct Chart {
    heading: String,
    enrolments: u32,
    complete: u32,
    bars: Vec<Bar>,
}

#[derive(Serialize)]
struct CohortView {
    title: String,
    org_id: OrgId,
    cohort_id: CohortId,
    name: String,
    csrf: String,
    progress: CohortProgress,
    charts: Vec<Chart>,
    members: Vec<EnrolmentRow>,
    others: Vec<EnrolmentRow>,
    form: FormState,
    /// The enrolments ticked when the form comes back with an error.
    ticked: Vec<String>,
    /// May download every portfolio archive of the cohort (`ExportData`).
    can_archive: bool,
}

fn charts(progress: &CohortProgress) -> Vec<Chart> {
    progress
        .standards
        .iter()
        .map(|s| Chart {
            heading: format!(
                "{} {} version {} — {}",
                s.framework, s.code, s.version, s.title
            ),
            enrolments: s.enrolments,
            complete: s.complete,
            bars: s
                .outcomes
                .iter()
                .map(|o| {
                    let share = |n: u32| (n * 100).checked_div(s.enrolments).unwrap_or(0);
                    Bar {
                        id: o.id.clone(),
                        title: o.title.clone(),
                        met: o.met,
                        partly_met: o.partly_met,
                        not_started: o.not_started,
                        met_width: share(o.met),
                        partly_width: share(o.partly_met),
                        percent: o.percent,
                    }
                })
                .collect(),
        })
        .collect()
}

/// `GET /cohorts/{id}`: the cohort's progress per outcome, its members, and the assign form.
pub async fn cohort(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    Html(
        async {
            let id = typed_path_id(&path)?;
            cohort_page(&state, &session, id, FormState::default(), Vec::new()).await
        }
        .await,
    )
}

async fn cohort_page(
    state: &AppState,
    session: &Session,
    id: CohortId,
    form: FormState,
    ticked: Vec<String>,
) -> Result<HttpResponse, PageError> {
    let cohort = state
        .db
        .read(move |conn| cohorts::load_cohort(conn, id))
        .await?;
    let org_id = cohort.org_id.uuid();
    session.require(Action::ManageCohorts, &Resource::Organisation { org_id })?;
    let catalogue = state.catalogue.clone();
    let actor = session.actor.clone();
    let for_tx = cohort.clone();
    let (progress, members, others) = state
        .db
        .read(move |conn| {
            let progress = cohorts::cohort_progress(conn, &catalogue, &for_tx)?;
            // Every member, however many; the others to choose from are the organisation's latest.
            let in_cohort = cohorts::cohort_enrolments(conn, for_tx.id)?;
            let mut names = Names::default();
            let members = in_cohort
                .iter()
                .map(|e| row(conn, &catalogue, &mut names, e))
                .collect::<Result<Vec<EnrolmentRow>, ActionError>>()?;
            let others = rows_in_org(conn, &catalogue, &actor, org_id, |e| {
                for_tx.admits(e) && !in_cohort.iter().any(|m| m.id == e.id)
            })?;
            Ok::<_, ActionError>((progress, members, others))
        })
        .await?;
    let status = if form.has_errors() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let view = CohortView {
        title: format!("Cohort {}", cohort.name),
        org_id: cohort.org_id,
        cohort_id: cohort.id,
        name: cohort.name.clone(),
        csrf: session.csrf.clone(),
        charts: charts(&progress),
        progress,
        members,
        others,
        form,
        ticked,
        can_archive: session
            .require(Action::ExportData, &Resource::Export { org_id })
            .is_ok(),
    };
    page_with_status(state, Some(session), "pages/cohort.html", &view, status)
}

/// The members form as posted: the enrolments ticked to add and to remove.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MembersForm {
    add: Vec<String>,
    remove: Vec<String>,
}

/// The non-blank ticked values, trimmed, in order.
fn ticked(values: &[String]) -> Vec<String> {
    values
        .iter()
        .map(|value| value.trim())
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `POST /cohorts/{id}/enrolments`: ticks `add` and `remove` enrolments.
pub async fn change_members(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(async { change_members_page(&state, &session, typed_path_id(&path)?, fields).await }.await)
}

async fn change_members_page(
    state: &AppState,
    session: &Session,
    cohort_id: CohortId,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let form: MembersForm = fields.read()?;
    let (add, remove) = (ticked(&form.add), ticked(&form.remove));
    let ids = |all: &[String]| -> Vec<EnrolmentId> {
        all.iter().filter_map(|t| t.parse().ok()).collect()
    };
    let members = CohortMembers {
        add: ids(&add),
        remove: ids(&remove),
    };
    let for_tx = session.clone();
    let changed = state
        .db
        .write(move |conn| actions::change_members(conn, &for_tx.acting(), cohort_id, &members))
        .await;
    match changed {
        Ok(_) => Ok(see_other(&format!("/cohorts/{cohort_id}"))),
        Err(err) => {
            // Each refusal sits by the checkbox it is about (`add[2]` → the third ticked).
            let errors = field_errors(err)?
                .into_iter()
                .map(|(field, reason)| {
                    let ticked = |name: &str, i: &str| {
                        let i: usize = i.parse().ok()?;
                        let all = match name {
                            "add" => &add,
                            "remove" => &remove,
                            _ => return None,
                        };
                        all.get(i).map(|id| format!("{name}-{id}"))
                    };
                    let anchored = field
                        .strip_suffix(']')
                        .and_then(|f| f.split_once('['))
                        .and_then(|(name, i)| ticked(name, i));
                    match anchored {
                        Some(field) => (field, format!("This enrolment {reason}")),
                        None => (field, reason),
                    }
                })
                .collect();
            let form = FormState::again(&fields, errors);
            let ticked = [add.clone(), remove.clone()].concat();
            cohort_page(state, session, cohort_id, form, ticked).await
        }
    }
}
