//! People in bulk and invitations on the web: the admin's CSV import (check, then import), a new
//! invitation link for someone who has not yet chosen a password, and the invited person's page
//! where they choose it. The token in an invitation's address is its proof (and its CSRF guard:
//! another site cannot know it).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::admin::Invited;
use super::form::{Fields, FormState, field_errors};
use super::view::{Html, PageError, PageSession, check_csrf, page_with_status, see_other};
use crate::action::ActionError;
use crate::db::ids::{OrgId, UserId};
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::session::Session;
use crate::identity::actions;
use crate::identity::import::{COLUMNS, ImportError, ImportProblem, ImportReport};
use crate::identity::invitations::{self, Acceptance};

#[derive(Serialize)]
struct ImportView {
    title: String,
    org_id: String,
    csrf: String,
    columns: String,
    /// The CSV as pasted, kept when the page comes back.
    csv: String,
    problems: Vec<ImportProblem>,
    /// A dry run's people, or those imported with their links.
    report: Option<ImportedView>,
}

#[derive(Serialize)]
struct ImportedView {
    dry_run: bool,
    people: Vec<PersonView>,
}

#[derive(Serialize)]
struct PersonView {
    line: u64,
    name: String,
    email: String,
    enrolled: bool,
    invitation: Option<Invited>,
}

/// `GET /orgs/{org_id}/people/import`: the import form.
pub async fn import_form(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    Html(import_page(
        &state,
        &session,
        &path,
        String::new(),
        Vec::new(),
        None,
    ))
}

fn import_page(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    csv: String,
    problems: Vec<ImportProblem>,
    report: Option<ImportReport>,
) -> Result<HttpResponse, PageError> {
    let org_id: OrgId = typed_path_id(raw_org)?;
    actions::may_import(&session.acting(), org_id)?;
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let public_url = &state.config.public_url;
    let report = report.map(|r| ImportedView {
        dry_run: r.dry_run,
        people: r
            .people
            .into_iter()
            .map(|p| PersonView {
                line: p.line,
                name: p.name,
                email: p.email,
                enrolled: p.enrolment_id.is_some(),
                invitation: p.invitation.map(|link| Invited::new(public_url, link)),
            })
            .collect(),
    });
    // A finished import shows the links once; the form starts empty again.
    let csv = if report.as_ref().is_some_and(|r| !r.dry_run) {
        String::new()
    } else {
        csv
    };
    let view = ImportView {
        title: "Add people from a CSV file".into(),
        org_id: org_id.to_string(),
        csrf: session.csrf.clone(),
        columns: COLUMNS.join(","),
        csv,
        problems,
        report,
    };
    page_with_status(
        state,
        Some(session),
        "pages/people_import.html",
        &view,
        status,
    )
}

/// The import form as posted: the pasted CSV, and whether only to check it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ImportForm {
    csv: String,
    /// Ticked (any value): check every row, keep nothing.
    dry_run: Vec<String>,
}

/// The password form of an invitation as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PasswordForm {
    password: String,
    confirm: String,
}

/// `POST /orgs/{org_id}/people/import`: checks (`dry_run`) or imports the pasted CSV.
pub async fn import(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(import_submit(&state, &session, &path, fields).await)
}

async fn import_submit(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let org_id: OrgId = typed_path_id(raw_org)?;
    let ImportForm { csv, dry_run } = fields.read()?;
    let dry_run = !dry_run.is_empty();
    let (for_tx, tx_state, rows) = (session.clone(), state.clone(), csv.clone());
    let outcome = state
        .db
        .write(move |conn| {
            let acting = for_tx.acting();
            let catalogue = &tx_state.catalogue;
            actions::import_people(conn, catalogue, &acting, org_id, rows.as_bytes(), dry_run)
        })
        .await;
    match outcome {
        Ok(report) => import_page(state, session, raw_org, csv, Vec::new(), Some(report)),
        Err(ImportError::Rows(problems)) => {
            import_page(state, session, raw_org, csv, problems, None)
        }
        Err(ImportError::Action(err)) => Err(err.into()),
    }
}

/// `POST /orgs/{org_id}/people/{user_id}/invitation`: a new link for someone who has not chosen
/// a password yet, shown on the people page.
pub async fn reinvite(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<(String, String)>,
    fields: Fields,
) -> Html {
    Html(reinvite_page(&state, &session, &path.0, &path.1, fields).await)
}

async fn reinvite_page(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    raw_user: &str,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let org_id: OrgId = typed_path_id(raw_org)?;
    let user_id: UserId = typed_path_id(raw_user)?;
    let for_tx = session.clone();
    let link = state
        .db
        .write(move |conn| actions::reinvite(conn, &for_tx.acting(), org_id, user_id))
        .await?;
    super::admin::people_with_invitation(state, session, raw_org, link).await
}

#[derive(Serialize)]
struct InvitationView {
    title: &'static str,
    on_sign_in: bool,
    name: String,
    email: String,
    form: FormState,
}

/// `GET /invitations/{token}`: the invited person chooses their password.
pub async fn invitation(state: web::Data<AppState>, path: web::Path<String>) -> Html {
    Html(invitation_page(&state, path.into_inner(), FormState::default()).await)
}

async fn invitation_page(
    state: &AppState,
    token: String,
    form: FormState,
) -> Result<HttpResponse, PageError> {
    let (_, email, name) = state
        .db
        .read(move |conn| invitations::invited(conn, &token, Utc::now()))
        .await
        .map_err(|_| gone())?;
    let status = if form.has_errors() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let view = InvitationView {
        title: "Choose your password",
        on_sign_in: true,
        name,
        email,
        form,
    };
    page_with_status(state, None, "pages/invitation.html", &view, status)
}

/// The one answer for an unknown, used or expired link.
fn gone() -> PageError {
    PageError::Api(crate::http::ApiError::from(ActionError::NotFound))
}

/// `POST /invitations/{token}`: sets the password, then on to sign in.
pub async fn accept(state: web::Data<AppState>, path: web::Path<String>, fields: Fields) -> Html {
    Html(accept_page(&state, path.into_inner(), fields).await)
}

async fn accept_page(
    state: &AppState,
    token: String,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    let PasswordForm { password, confirm } = fields.read()?;
    if password != confirm {
        let errors = [(
            "confirm".to_owned(),
            "does not match the password".to_owned(),
        )]
        .into();
        return invitation_page(state, token, FormState::again(&fields, errors)).await;
    }
    let acceptance = Acceptance {
        token: token.clone(),
        password,
    };
    let accepted = state
        .db
        .write(move |conn| invitations::accept(conn, &acceptance, Utc::now()))
        .await;
    match accepted {
        Ok(_) => Ok(see_other("/login?welcome=1")),
        Err(ActionError::Invalid(errors)) => {
            let errors = field_errors(ActionError::Invalid(errors))?;
            invitation_page(state, token, FormState::again(&fields, errors)).await
        }
        Err(ActionError::NotFound) => Err(gone()),
        Err(other) => Err(other.into()),
    }
}
