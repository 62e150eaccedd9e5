//! The organisation's cohorts: the list, and the form that creates one.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::action::ActionError;
use crate::auth::policy::{Action, Resource};
use crate::db::ids::{Id, OrgId};
use crate::exports::actions;
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::pages::form::{Fields, FormState, field_errors};
use crate::http::pages::view::{
    Html, PageError, PageSession, check_csrf, page_with_status, see_other,
};
use crate::http::session::Session;
use crate::identity;
use crate::portfolio::cohorts::{self, CohortSummary, NewCohort};

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
