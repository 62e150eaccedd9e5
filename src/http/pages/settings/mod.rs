//! The provider admin's quality assurance settings, in one area under `/orgs/{org_id}/settings`:
//! who verifies whom, approved witnesses, sampling rates and risk ratings, and the readings of
//! ambiguous rules. Each page calls the same actions as the API.

pub mod interpretations;
pub mod sampling;
pub mod verifiers;
pub mod witnesses;

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::view::{Html, PageError, PageSession, page};
use crate::action::ActionError;
use crate::auth::policy::Action;
use crate::db::ids::OrgId;
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::session::Session;
use crate::identity::actions;

/// The organisation a settings page is for, once the policy allows `action` on it: id and name.
async fn organisation_of(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    action: Action,
) -> Result<(OrgId, String), PageError> {
    let org_id: OrgId = typed_path_id(raw_org)?;
    let for_tx = session.clone();
    let found = state
        .db
        .read(move |conn| actions::organisation(conn, &for_tx.acting(), org_id, action))
        .await?;
    Ok((org_id, found.name))
}

/// [`organisation_of`] with the id as a plain uuid, for the pages whose domain still takes one.
async fn organisation(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    action: Action,
) -> Result<(Uuid, String), PageError> {
    let (org_id, name) = organisation_of(state, session, raw_org, action).await?;
    Ok((org_id.into(), name))
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
    let org_id: OrgId = typed_path_id(raw_org)?;
    let for_tx = session.clone();
    let (org_name, two_factor, rules) = state
        .db
        .read(move |conn| {
            let acting = for_tx.acting();
            let organisation =
                actions::organisation(conn, &acting, org_id, Action::ManageOrganisation)?;
            let two_factor = actions::two_factor_setting(conn, &acting, org_id)?;
            let rules = crate::privacy::actions::retention_rules(conn, &acting, org_id)?;
            Ok::<_, ActionError>((organisation.name, two_factor, rules))
        })
        .await?;
    let two_factor_required = two_factor.required;
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

/// The retention form as posted: days per record type (blank: kept indefinitely).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RetentionForm {
    evidence_files: String,
    portfolios: String,
    certification_records: String,
    audit: String,
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
    let (org_id, _) = organisation_of(state, session, raw_org, Action::ManageOrganisation).await?;
    let form: RetentionForm = fields.read()?;
    let mut errors = std::collections::BTreeMap::new();
    let mut days = |name: &str, text: &str| -> Option<i32> {
        let text = text.trim();
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
        evidence_files: days("evidence_files", &form.evidence_files),
        portfolios: days("portfolios", &form.portfolios),
        certification_records: days("certification_records", &form.certification_records),
        audit: days("audit", &form.audit),
    };
    if !errors.is_empty() {
        return Err(ActionError::Invalid(errors).into());
    }
    let for_tx = session.clone();
    state
        .db
        .write(move |conn| {
            crate::privacy::actions::set_retention_rules(conn, &for_tx.acting(), org_id, rules)
        })
        .await?;
    Ok(super::view::see_other(&format!("/orgs/{org_id}/settings")))
}
