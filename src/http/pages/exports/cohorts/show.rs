//! One cohort's page: its progress per outcome as a bar chart with its table, its members, and
//! the enrolments that may join it.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Serialize;

use crate::action::ActionError;
use crate::auth::policy::{Action, Resource};
use crate::db::ids::{CohortId, Id, OrgId};
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::pages::form::FormState;
use crate::http::pages::rows::{EnrolmentRow, Names, rows, rows_in_org};
use crate::http::pages::view::{Html, PageError, PageSession, page_with_status};
use crate::http::session::Session;
use crate::portfolio::cohorts::{self, CohortProgress};

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

pub(super) async fn cohort_page(
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
            let members = rows(conn, &catalogue, &mut Names::default(), &in_cohort)?;
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
