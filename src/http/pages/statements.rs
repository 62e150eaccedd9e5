//! The provider admin's statements of competence: the organisation's issued statements (with the
//! PDF, the public verification page and revocation), issuing one for a verified enrolment, and
//! revoking one with a reason after typing its code to confirm. Issuing and revoking are the API's
//! actions (`signoff::statements::issue` and `revoke`).

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::form::{Fields, FormState, field_errors, filled};
use super::rows::{Names, enrolments_in_org, standard_of, unit_name};
use super::view::{Html, PageError, PageSession, check_csrf, page_with_status, see_other};
use crate::action::ActionError;
use crate::auth::policy::{Action, EnrolmentStatus, Resource};
use crate::db::ids::{EnrolmentId, Id, OrgId};
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::session::Session;
use crate::http::shared::enrolments::authorize;
use crate::http::shared::statements::authorized_statement;
use crate::identity;
use crate::signoff::{
    self,
    statements::{self, Statement},
};

#[derive(Debug, Serialize)]
struct Choice {
    value: String,
    label: String,
}

/// `?issued=CODE` or `?revoked=CODE` after a form succeeded.
#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    issued: Option<String>,
    revoked: Option<String>,
}

#[derive(Serialize)]
struct StatementsView {
    title: String,
    org_id: OrgId,
    org_name: String,
    statements: Vec<Statement>,
    /// Verified (sampled) enrolments a statement can be issued for.
    ready: Vec<Choice>,
    /// What the refused statement still needs.
    missing: Vec<String>,
    issued: Option<Statement>,
    revoked: Option<Statement>,
    csrf: String,
    form: FormState,
}

/// `GET /orgs/{org_id}/statements`.
pub async fn list(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    query: web::Query<DoneQuery>,
) -> Html {
    let done = query.into_inner();
    Html(
        async {
            let org_id = typed_path_id(&path)?;
            list_page(
                &state,
                &session,
                org_id,
                done,
                FormState::default(),
                Vec::new(),
            )
            .await
        }
        .await,
    )
}

/// The statements office is the provider admin's: they issue and revoke every statement of the
/// organisation.
fn require_admin(session: &Session, org_id: OrgId) -> Result<(), ActionError> {
    session.require(
        Action::ManageOrganisation,
        &Resource::Organisation {
            org_id: org_id.uuid(),
        },
    )
}

async fn list_page(
    state: &AppState,
    session: &Session,
    org_id: OrgId,
    done: DoneQuery,
    form: FormState,
    missing: Vec<String>,
) -> Result<HttpResponse, PageError> {
    require_admin(session, org_id)?;
    let catalogue = state.catalogue.clone();
    let for_tx = session.clone();
    let mut view = state
        .db
        .read(move |conn| {
            let org_name = identity::load_organisation(conn, org_id)?.name;
            let statements = statements::list_for_org(conn, org_id)?
                .iter()
                .map(statements::StatementRow::summary)
                .collect::<Result<Vec<_>, _>>()?;
            let mut names = Names::default();
            let mut ready = Vec::new();
            for enrolment in enrolments_in_org(
                conn,
                &for_tx.actor,
                org_id.uuid(),
                Some(EnrolmentStatus::Sampled.as_str()),
            )? {
                let allowed = for_tx
                    .require(
                        Action::IssueStatement,
                        &Resource::Enrolment(enrolment.facts()?),
                    )
                    .is_ok();
                if !allowed {
                    continue;
                }
                let unit = standard_of(&catalogue, &enrolment).map_or_else(
                    |_| {
                        format!(
                            "{} v{}",
                            enrolment.standard_code, enrolment.standard_version
                        )
                    },
                    unit_name,
                );
                ready.push(Choice {
                    label: format!("{} — {unit}", names.of(conn, enrolment.candidate_id)?),
                    value: enrolment.id.to_string(),
                });
            }
            let find = |code: Option<String>| {
                code.and_then(|code| statements.iter().find(|s| s.code == code).cloned())
            };
            Ok::<_, ActionError>(StatementsView {
                title: format!("Statements — {org_name}"),
                org_id,
                org_name,
                issued: find(done.issued),
                revoked: find(done.revoked),
                statements,
                ready,
                missing: Vec::new(),
                csrf: for_tx.csrf.clone(),
                form: FormState::default(),
            })
        })
        .await?;
    let status = if form.has_errors() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    view.form = form;
    view.missing = missing;
    page_with_status(state, Some(session), "pages/statements.html", &view, status)
}

/// The issue form as posted: the enrolment chosen.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct IssueForm {
    enrolment_id: String,
}

/// `POST /orgs/{org_id}/statements`: issues the statement for the chosen enrolment.
pub async fn issue(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(
        async {
            check_csrf(&session, fields.csrf())?;
            issue_page(&state, &session, typed_path_id(&path)?, fields).await
        }
        .await,
    )
}

/// Issues the statement from organisation `org_id`'s page; the CSRF token is already checked.
async fn issue_page(
    state: &AppState,
    session: &Session,
    org_id: OrgId,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    require_admin(session, org_id)?;
    let refused = |reason: &str, missing: Vec<String>| {
        let errors = BTreeMap::from([("enrolment_id".to_owned(), reason.to_owned())]);
        (FormState::again(&fields, errors), missing)
    };
    let form: IssueForm = fields.read()?;
    let Some(enrolment_id) = filled(&form.enrolment_id).and_then(|t| t.parse::<EnrolmentId>().ok())
    else {
        let (form, missing) = refused("Choose the enrolment", Vec::new());
        return list_page(state, session, org_id, DoneQuery::default(), form, missing).await;
    };
    let for_tx = session.clone();
    let tx_state = state.clone();
    let done = state
        .db
        .write(move |conn| {
            let enrolment = authorize(conn, &for_tx, enrolment_id, Action::IssueStatement)?;
            // Issued from this organisation's page only.
            if enrolment.org_id != org_id {
                return Err(ActionError::NotFound);
            }
            let row = signoff::actions::issue_statement(
                conn,
                tx_state.services(),
                &for_tx.acting(),
                enrolment.id,
            )?;
            Ok(row.code)
        })
        .await;
    let (form, missing) = match done {
        Ok(code) => {
            return Ok(see_other(&format!(
                "/orgs/{org_id}/statements?issued={code}"
            )));
        }
        Err(ActionError::Incomplete(missing)) => refused(
            "The statement cannot be issued yet: the sign-off chain is not complete",
            missing,
        ),
        Err(ActionError::Conflict(reason)) => {
            refused(&super::view::capitalise(&reason), Vec::new())
        }
        Err(other) => {
            let errors = field_errors(other)?;
            (FormState::again(&fields, errors), Vec::new())
        }
    };
    list_page(state, session, org_id, DoneQuery::default(), form, missing).await
}

#[derive(Serialize)]
struct RevokeView {
    title: String,
    enrolment_id: EnrolmentId,
    org_id: OrgId,
    statement: Statement,
    csrf: String,
    form: FormState,
}

/// `GET /enrolments/{id}/statement/revoke`: the revocation form.
pub async fn revoke_form(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    Html(
        async {
            revoke_page(
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

async fn revoke_page(
    state: &AppState,
    session: &Session,
    id: EnrolmentId,
    form: FormState,
) -> Result<HttpResponse, PageError> {
    let for_tx = session.clone();
    let (org_id, statement) = state
        .db
        .read(move |conn| {
            let row = authorized_statement(conn, &for_tx, id, Action::RevokeStatement)?;
            let org_id = crate::portfolio::load_enrolment(conn, id)?.org_id;
            Ok::<_, ActionError>((org_id, row.summary()?))
        })
        .await?;
    let status = if form.has_errors() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let view = RevokeView {
        title: format!("Revoke statement {}", statement.code),
        enrolment_id: statement.enrolment_id,
        org_id,
        statement,
        csrf: session.csrf.clone(),
        form,
    };
    page_with_status(
        state,
        Some(session),
        "pages/statement_revoke.html",
        &view,
        status,
    )
}

/// A code as typed: only its letters and digits count, in any case.
fn compact(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_uppercase()
}

/// The revoke form as posted: why, and the statement's code typed to confirm.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RevokeForm {
    reason: String,
    confirm: String,
}

/// `POST /enrolments/{id}/statement/revoke`: revokes the statement with a reason.
pub async fn revoke(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(
        async {
            check_csrf(&session, fields.csrf())?;
            revoke_post(&state, &session, typed_path_id(&path)?, fields).await
        }
        .await,
    )
}

/// Revokes enrolment `id`'s statement; the CSRF token is already checked.
async fn revoke_post(
    state: &AppState,
    session: &Session,
    id: EnrolmentId,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    let RevokeForm { reason, confirm } = fields.read()?;
    let confirm = compact(&confirm);
    let for_tx = session.clone();
    let done = state
        .db
        .write(move |conn| {
            let row = authorized_statement(conn, &for_tx, id, Action::RevokeStatement)?;
            // Both mistakes are shown at once; nothing is revoked unless the code was typed.
            let mut problems = crate::action::Problems::default();
            if confirm != compact(&row.summary()?.code) {
                problems.add(
                    "confirm",
                    "Type the statement's verification code to confirm",
                );
            }
            if reason.trim().is_empty() {
                problems.add("reason", "Say why the statement is revoked");
            }
            problems.finish()?;
            let org_id = crate::portfolio::load_enrolment(conn, id)?.org_id;
            let revoked = signoff::actions::revoke_statement(conn, &for_tx.acting(), id, &reason)?;
            Ok::<_, ActionError>((org_id, revoked.summary()?.code))
        })
        .await;
    match done {
        Ok((org_id, code)) => Ok(see_other(&format!(
            "/orgs/{org_id}/statements?revoked={code}"
        ))),
        Err(err) => {
            let form = FormState::again(&fields, field_errors(err)?);
            revoke_page(state, session, id, form).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::compact;

    #[test]
    fn a_typed_code_counts_only_its_letters_and_digits() {
        assert_eq!(compact(" abcd-efgh-1234 "), "ABCDEFGH1234");
        assert_eq!(compact("ABCD EFGH 1234"), "ABCDEFGH1234");
    }
}
