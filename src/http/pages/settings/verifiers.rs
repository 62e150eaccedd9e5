//! Which internal verifier verifies which assessor: the assignments, making or changing one, and
//! ending one.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::organisation_of;
use crate::action::ActionError;
use crate::auth::policy::{Action, Role};
use crate::db::ids::{OrgId, UserId};
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::pages::admin::{SelectOption, chosen_id, holding};
use crate::http::pages::form::{Fields, FormState, field_errors};
use crate::http::pages::view::{
    Html, PageError, PageSession, check_csrf, page_with_status, see_other,
};
use crate::http::session::Session;
use crate::identity::User;
use crate::identity::actions;

/// One assessor with the verifiers assigned to them.
#[derive(Serialize)]
struct AssessorRow {
    assessor_id: String,
    assessor: String,
    verifiers: Vec<VerifierCell>,
}

#[derive(Serialize)]
struct VerifierCell {
    iv_id: String,
    name: String,
}

#[derive(Serialize)]
struct VerifiersView {
    title: String,
    org_id: String,
    org_name: String,
    csrf: String,
    rows: Vec<AssessorRow>,
    assessors: Vec<SelectOption>,
    verifiers: Vec<SelectOption>,
    assign: FormState,
    replace: bool,
}

/// `GET /orgs/{org_id}/settings/verifiers`.
pub async fn list(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    Html(render(&state, &session, &path, None).await)
}

fn name_of(users: &[User], id: &str) -> String {
    users
        .iter()
        .find(|u| u.id == id)
        .map_or_else(|| id.to_owned(), |u| u.name.clone())
}

async fn render(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    refused: Option<FormState>,
) -> Result<HttpResponse, PageError> {
    let org_id: OrgId = typed_path_id(raw_org)?;
    let for_tx = session.clone();
    let (org_name, users, assignments) = state
        .db
        .read(move |conn| {
            let acting = for_tx.acting();
            let name = actions::organisation(conn, &acting, org_id, Action::ListUsers)?.name;
            let users = actions::list_users(conn, &acting, org_id)?;
            let assignments = actions::verifier_assignments(conn, &acting, org_id)?;
            Ok::<_, ActionError>((name, users, assignments))
        })
        .await?;
    let org = org_id.to_string();
    let now = Utc::now();
    let assessors = holding(&users, &org, Role::Assessor, now);
    // Every current assessor has a row (none assigned is worth seeing), then anyone still assigned
    // who is no longer an assessor.
    let mut order: Vec<String> = assessors.iter().map(|o| o.value.clone()).collect();
    for a in &assignments {
        let assessor_id = a.assessor_id.to_string();
        if !order.contains(&assessor_id) {
            order.push(assessor_id);
        }
    }
    let rows = order
        .into_iter()
        .map(|assessor_id| AssessorRow {
            assessor: name_of(&users, &assessor_id),
            verifiers: assignments
                .iter()
                .filter(|a| a.assessor_id == assessor_id)
                .map(|a| VerifierCell {
                    name: name_of(&users, &a.iv_id.to_string()),
                    iv_id: a.iv_id.to_string(),
                })
                .collect(),
            assessor_id,
        })
        .collect();
    let (status, assign, replace) = match refused {
        Some(form) => {
            let replace = form.values.contains_key("replace");
            (StatusCode::UNPROCESSABLE_ENTITY, form, replace)
        }
        None => (StatusCode::OK, FormState::default(), true),
    };
    let view = VerifiersView {
        title: format!("Internal verification — {org_name}"),
        org_id: org,
        org_name,
        csrf: session.csrf.clone(),
        rows,
        verifiers: holding(&users, &org_id.to_string(), Role::InternalVerifier, now),
        assessors,
        assign,
        replace,
    };
    page_with_status(
        state,
        Some(session),
        "pages/settings_verifiers.html",
        &view,
        status,
    )
}

/// `POST /orgs/{org_id}/settings/verifiers`: assigns an internal verifier to an assessor, instead
/// of their current ones when "replace" is ticked (that is how a verifier is changed).
pub async fn assign(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(assign_page(&state, &session, &path, fields).await)
}

/// The assignment form as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AssignForm {
    assessor_id: String,
    iv_id: String,
    /// Ticked (any value): instead of the assessor's current verifiers.
    replace: Vec<String>,
}

/// The assignment to end, from the page's hidden fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RemoveForm {
    iv_id: String,
    assessor_id: String,
}

fn required_id(value: &str, name: &str, errors: &mut BTreeMap<String, String>) -> Option<UserId> {
    let id = chosen_id(value, name, errors);
    if id.is_none() && !errors.contains_key(name) {
        errors.insert(name.to_owned(), "Choose someone from the list".to_owned());
    }
    id.map(UserId::from)
}

async fn assign_page(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let (org_id, _) = organisation_of(state, session, raw_org, Action::ListUsers).await?;
    let form: AssignForm = fields.read()?;
    let mut errors = BTreeMap::new();
    let assessor_id = required_id(&form.assessor_id, "assessor_id", &mut errors);
    let iv_id = required_id(&form.iv_id, "iv_id", &mut errors);
    let (Some(assessor_id), Some(iv_id)) = (assessor_id, iv_id) else {
        let form = FormState::again(&fields, errors);
        return render(state, session, raw_org, Some(form)).await;
    };
    let replace = !form.replace.is_empty();
    let for_tx = session.clone();
    let done = state
        .db
        .write(move |conn| {
            let acting = for_tx.acting();
            actions::assign_verifier(conn, &acting, org_id, iv_id, assessor_id, replace)
        })
        .await;
    match done {
        Ok(()) => Ok(see_other(&format!("/orgs/{org_id}/settings/verifiers"))),
        Err(err) => {
            let form = FormState::again(&fields, field_errors(err)?);
            render(state, session, raw_org, Some(form)).await
        }
    }
}

/// `POST /orgs/{org_id}/settings/verifiers/remove`: ends one assignment.
pub async fn remove(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(remove_page(&state, &session, &path, fields).await)
}

async fn remove_page(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let (org_id, _) = organisation_of(state, session, raw_org, Action::ListUsers).await?;
    let form: RemoveForm = fields.read()?;
    // The ids come from the page's hidden fields: a malformed one is a bad request, not a typo.
    let parse = |name: &str, text: &str| {
        text.trim()
            .parse::<UserId>()
            .map_err(|_| PageError::from(ActionError::invalid(name, "is not a user id")))
    };
    let iv_id = parse("iv_id", &form.iv_id)?;
    let assessor_id = parse("assessor_id", &form.assessor_id)?;
    let for_tx = session.clone();
    state
        .db
        .write(move |conn| {
            let acting = for_tx.acting();
            actions::unassign_verifier(conn, &acting, org_id, iv_id, assessor_id)
        })
        .await?;
    Ok(see_other(&format!("/orgs/{org_id}/settings/verifiers")))
}
