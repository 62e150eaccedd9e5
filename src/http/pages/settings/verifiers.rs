//! Which internal verifier verifies which assessor: the assignments, making or changing one, and
//! ending one.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::Serialize;
use uuid::Uuid;

use super::organisation;
use crate::action::ActionError;
use crate::auth::policy::{Action, Resource, Role};
use crate::http::AppState;
use crate::http::pages::admin::{SelectOption, holding, optional_id};
use crate::http::pages::form::{Fields, FormState, field_errors};
use crate::http::pages::view::{
    Html, PageError, PageSession, check_csrf, page_with_status, see_other,
};
use crate::http::session::Session;
use crate::identity::{self, User};

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
        .find(|u| u.id.to_string() == id)
        .map_or_else(|| id.to_owned(), |u| u.name.clone())
}

async fn render(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    refused: Option<FormState>,
) -> Result<HttpResponse, PageError> {
    let (org_id, org_name) = organisation(state, session, raw_org, Action::ListUsers).await?;
    let org = org_id.to_string();
    let (users, assignments) = state
        .db
        .read(move |conn| {
            let users = identity::list_users(conn, &org)?;
            Ok::<_, ActionError>((users, identity::verifier_assignments(conn, &org)?))
        })
        .await?;
    let org = org_id.to_string();
    let now = Utc::now();
    let assessors = holding(&users, &org, Role::Assessor, now);
    // Every current assessor has a row (none assigned is worth seeing), then anyone still assigned
    // who is no longer an assessor.
    let mut order: Vec<String> = assessors.iter().map(|o| o.value.clone()).collect();
    for a in &assignments {
        if !order.contains(&a.assessor_id) {
            order.push(a.assessor_id.clone());
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
                    name: name_of(&users, &a.iv_id),
                    iv_id: a.iv_id.clone(),
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

fn required_id(fields: &Fields, name: &str, errors: &mut BTreeMap<String, String>) -> Option<Uuid> {
    let id = optional_id(fields, name, errors);
    if id.is_none() && !errors.contains_key(name) {
        errors.insert(name.to_owned(), "Choose someone from the list".to_owned());
    }
    id
}

async fn assign_page(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let (org_id, _) = organisation(state, session, raw_org, Action::ListUsers).await?;
    let mut errors = BTreeMap::new();
    let assessor_id = required_id(&fields, "assessor_id", &mut errors);
    let iv_id = required_id(&fields, "iv_id", &mut errors);
    let (Some(assessor_id), Some(iv_id)) = (assessor_id, iv_id) else {
        let form = FormState::again(&fields, errors);
        return render(state, session, raw_org, Some(form)).await;
    };
    session.require(
        Action::AssignVerifierToAssessor,
        &Resource::User {
            org_id,
            user_id: assessor_id,
        },
    )?;
    let replace = fields.ticked("replace");
    let actor = session.user_id.clone();
    let done = state
        .db
        .write(move |conn| {
            let (org, iv, assessor) = (
                org_id.to_string(),
                iv_id.to_string(),
                assessor_id.to_string(),
            );
            identity::assign_verifier(conn, Some(&actor), &org, &iv, &assessor)?;
            if replace {
                let others: Vec<String> = identity::verifier_assignments(conn, &org)?
                    .into_iter()
                    .filter(|a| a.assessor_id == assessor && a.iv_id != iv)
                    .map(|a| a.iv_id)
                    .collect();
                for other in others {
                    identity::unassign_verifier(conn, Some(&actor), &org, &other, &assessor)?;
                }
            }
            Ok::<_, ActionError>(())
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
    let (org_id, _) = organisation(state, session, raw_org, Action::ListUsers).await?;
    // The ids come from the page's hidden fields: a malformed one is a bad request, not a typo.
    let parse = |name: &str| {
        Uuid::parse_str(fields.text(name).trim())
            .map_err(|_| PageError::from(ActionError::invalid(name, "is not a user id")))
    };
    let (iv_id, assessor_id) = (parse("iv_id")?, parse("assessor_id")?);
    session.require(
        Action::AssignVerifierToAssessor,
        &Resource::User {
            org_id,
            user_id: assessor_id,
        },
    )?;
    let actor = session.user_id.clone();
    state
        .db
        .write(move |conn| {
            identity::unassign_verifier(
                conn,
                Some(&actor),
                &org_id.to_string(),
                &iv_id.to_string(),
                &assessor_id.to_string(),
            )
        })
        .await?;
    Ok(see_other(&format!("/orgs/{org_id}/settings/verifiers")))
}
