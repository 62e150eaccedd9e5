//! The provider admin's quality assurance settings, in one area under `/orgs/{org_id}/settings`:
//! who verifies whom, approved witnesses, sampling rates and risk ratings, and the readings of
//! ambiguous rules. Each page calls the same actions as the API.

pub mod interpretations;
pub mod sampling;
pub mod verifiers;
pub mod witnesses;

use actix_web::{HttpResponse, web};
use serde::Serialize;
use uuid::Uuid;

use super::view::{Html, PageError, PageSession, page};
use crate::auth::policy::{Action, Resource};
use crate::http::AppState;
use crate::http::session::Session;
use crate::http::shared::path_id;
use crate::identity;

/// The organisation a settings page is for, once the policy allows `action` on it: id and name.
async fn organisation(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    action: Action,
) -> Result<(Uuid, String), PageError> {
    let org_id = path_id(raw_org)?;
    session.require(action, &Resource::Organisation { org_id })?;
    let org = org_id.to_string();
    let found = state
        .db
        .read(move |conn| identity::find_organisation(conn, &org))
        .await?;
    Ok((org_id, found.name))
}

#[derive(Serialize)]
struct OverviewView {
    title: String,
    org_id: String,
    org_name: String,
    csrf: String,
    two_factor_required: bool,
    retention: Vec<RetentionRow>,
}

/// One record type's retention rule, as the settings page shows and edits it.
#[derive(Serialize)]
struct RetentionRow {
    name: &'static str,
    label: &'static str,
    days: String,
    removed: bool,
}

/// `GET /orgs/{org_id}/settings`: the settings area, a link to each part.
pub async fn overview(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    Html(overview_page(&state, &session, &path).await)
}

async fn overview_page(
    state: &AppState,
    session: &Session,
    raw_org: &str,
) -> Result<HttpResponse, PageError> {
    let (org_id, org_name) =
        organisation(state, session, raw_org, Action::ManageOrganisation).await?;
    let org = org_id.to_string();
    let (two_factor_required, rules) = state
        .db
        .read(move |conn| {
            Ok::<_, crate::action::ActionError>((
                identity::two_factor::is_required_in(conn, &org)?,
                crate::privacy::rules(conn, &org)?,
            ))
        })
        .await?;
    let row = |name, label, days: Option<i32>, removed| RetentionRow {
        name,
        label,
        days: days.map(|d| d.to_string()).unwrap_or_default(),
        removed,
    };
    let retention = vec![
        row(
            "evidence_files",
            "Evidence files",
            rules.evidence_files,
            true,
        ),
        row("portfolios", "Portfolio content", rules.portfolios, true),
        row(
            "certification_records",
            "Certification records (kept at least)",
            rules.certification_records,
            false,
        ),
        row("audit", "Audit trail (kept at least)", rules.audit, false),
    ];
    let view = OverviewView {
        title: format!("Settings — {org_name}"),
        org_id: org_id.to_string(),
        org_name,
        csrf: session.csrf.clone(),
        two_factor_required,
        retention,
    };
    page(state, Some(session), "pages/settings.html", &view)
}

/// `POST /orgs/{org_id}/settings/retention`: saves the retention rules (blank: kept indefinitely).
pub async fn set_retention(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: super::form::Fields,
) -> Html {
    Html(set_retention_page(&state, &session, &path, fields).await)
}

async fn set_retention_page(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    fields: super::form::Fields,
) -> Result<HttpResponse, PageError> {
    super::view::check_csrf(session, fields.csrf())?;
    let (org_id, _) = organisation(state, session, raw_org, Action::ManageOrganisation).await?;
    let mut errors = std::collections::BTreeMap::new();
    let mut days = |name: &str| -> Option<i32> {
        let text = fields.text(name).trim();
        if text.is_empty() {
            return None;
        }
        match text.parse::<i32>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.insert(name.to_owned(), "must be a whole number of days".to_owned());
                None
            }
        }
    };
    let rules = crate::privacy::RetentionRules {
        evidence_files: days("evidence_files"),
        portfolios: days("portfolios"),
        certification_records: days("certification_records"),
        audit: days("audit"),
    };
    if !errors.is_empty() {
        return Err(crate::action::ActionError::Invalid(errors).into());
    }
    let actor = session.user_id.clone();
    state
        .db
        .write(move |conn| {
            crate::privacy::set_rules(
                conn,
                Some(&actor),
                &org_id.to_string(),
                rules,
                chrono::Utc::now(),
            )
        })
        .await?;
    Ok(super::view::see_other(&format!("/orgs/{org_id}/settings")))
}
