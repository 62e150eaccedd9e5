//! The provider admin's page for moving one enrolment to the next version of its standard: choose
//! a mapping file, see what the engine says of the portfolio before and after, confirm; undo the
//! last move until the next decision.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::admin::SelectOption;
use super::evidence::{Opened, open};
use super::form::{Fields, FormState, field_errors};
use super::rows::{standard_of, unit_name};
use super::view::{Html, PageError, PageSession, check_csrf, page_with_status, see_other};
use crate::action::ActionError;
use crate::auth::policy::Action;
use crate::db::ids::{EnrolmentId, MappingId, OrgId};
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::session::Session;
use crate::portfolio::moves::{self, LastMove, MovePreview, actions};

/// `?mapping=ID`: the mapping file to preview.
#[derive(Debug, Deserialize)]
pub struct MoveQuery {
    mapping: Option<String>,
}

#[derive(Serialize)]
struct MoveView {
    title: String,
    id: EnrolmentId,
    org_id: OrgId,
    candidate: String,
    unit: String,
    status: String,
    csrf: String,
    mappings: Vec<SelectOption>,
    chosen: Option<String>,
    preview: Option<MovePreview>,
    last: Option<LastMove>,
    form: FormState,
}

/// `GET /enrolments/{id}/move`.
pub async fn form(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    query: web::Query<MoveQuery>,
) -> Html {
    let chosen = query.into_inner().mapping.filter(|m| !m.trim().is_empty());
    Html(
        async {
            render(
                &state,
                &session,
                typed_path_id(&path)?,
                chosen,
                FormState::default(),
            )
            .await
        }
        .await,
    )
}

async fn render(
    state: &AppState,
    session: &Session,
    id: EnrolmentId,
    chosen: Option<String>,
    mut form: FormState,
) -> Result<HttpResponse, PageError> {
    let Opened {
        enrolment,
        candidate,
    } = open(state, session, id, Action::MoveEnrolment).await?;
    let standard = standard_of(&state.catalogue, &enrolment)?;
    let unit = format!("{}: {}", unit_name(standard), standard.title);
    let for_state = state.clone();
    let acting = session.clone();
    let enrolment_id = enrolment.id;
    let for_tx = enrolment.clone();
    let wanted = chosen.clone();
    let (mappings, preview, last) = state
        .db
        .read(move |conn| {
            let mappings = moves::for_enrolment(conn, &for_tx)?;
            let preview = match wanted.as_deref().map(mapping_of) {
                Some(Err(errors)) => Err(errors),
                Some(Ok(id)) => match actions::preview(
                    conn,
                    for_state.services(),
                    &acting.acting(),
                    enrolment_id,
                    id,
                ) {
                    Ok(preview) => Ok(Some(preview)),
                    Err(ActionError::Invalid(errors)) => Err(errors),
                    Err(ActionError::Conflict(why)) => {
                        Err(BTreeMap::from([("mapping_id".to_owned(), why)]))
                    }
                    Err(other) => return Err(other),
                },
                None => Ok(None),
            };
            Ok::<_, ActionError>((mappings, preview, moves::last(conn, &for_tx)?))
        })
        .await?;
    let preview = match preview {
        Ok(preview) => preview,
        Err(errors) => {
            for (field, reason) in errors {
                form.errors
                    .insert(field.clone(), super::form::sentence(&field, &reason));
            }
            None
        }
    };
    let status = if form.has_errors() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let view = MoveView {
        title: format!("Move to a new version — {candidate}"),
        id: enrolment.id,
        org_id: enrolment.org_id,
        candidate,
        unit,
        status: enrolment.status.to_string(),
        csrf: session.csrf.clone(),
        mappings: mappings
            .iter()
            .map(|m| SelectOption {
                value: m.id.to_string(),
                label: format!(
                    "{} version {} → {} (uploaded {})",
                    m.code,
                    m.from_version,
                    m.to_version,
                    m.uploaded_at.date()
                ),
            })
            .collect(),
        chosen,
        preview,
        last,
        form,
    };
    page_with_status(
        state,
        Some(session),
        "pages/enrolment_move.html",
        &view,
        status,
    )
}

/// The mapping file the page chose, from its list: text that is not a mapping's id names no
/// mapping file of the organisation, as the action says of an unknown one.
fn mapping_of(text: &str) -> Result<MappingId, BTreeMap<String, String>> {
    text.trim().parse().map_err(|_| {
        BTreeMap::from([(
            "mapping_id".to_owned(),
            "no such mapping file in this organisation".to_owned(),
        )])
    })
}

/// The move form as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MoveForm {
    mapping_id: String,
}

/// `POST /enrolments/{id}/move`: moves the enrolment with the chosen mapping file.
pub async fn confirm(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(async { confirm_page(&state, &session, typed_path_id(&path)?, fields).await }.await)
}

async fn confirm_page(
    state: &AppState,
    session: &Session,
    id: EnrolmentId,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let form: MoveForm = fields.read()?;
    let mapping_id = match mapping_of(&form.mapping_id) {
        Ok(mapping_id) => mapping_id,
        Err(errors) => {
            // Said only to whoever may move the enrolment (the action's policy, asked first as
            // the action asks it).
            open(state, session, id, Action::MoveEnrolment).await?;
            let form = FormState::again(&fields, errors);
            return render(state, session, id, None, form).await;
        }
    };
    let for_tx = session.clone();
    let for_state = state.clone();
    let chosen = mapping_id.to_string();
    let done = state
        .db
        .write(move |conn| {
            actions::move_version(conn, for_state.services(), &for_tx.acting(), id, mapping_id)
        })
        .await;
    match done {
        Ok(made) => Ok(see_other(&format!("/enrolments/{}", made.enrolment_id))),
        Err(ActionError::Conflict(why)) => {
            let form = FormState::again(&fields, BTreeMap::from([("mapping_id".to_owned(), why)]));
            render(state, session, id, None, form).await
        }
        Err(err) => {
            let form = FormState::again(&fields, field_errors(err)?);
            render(state, session, id, Some(chosen), form).await
        }
    }
}

/// `POST /enrolments/{id}/move/undo`: undoes the last move.
pub async fn undo(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(async { undo_page(&state, &session, typed_path_id(&path)?, fields).await }.await)
}

async fn undo_page(
    state: &AppState,
    session: &Session,
    id: EnrolmentId,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let for_tx = session.clone();
    state
        .db
        .write(move |conn| actions::undo(conn, &for_tx.acting(), id))
        .await?;
    Ok(see_other(&format!("/enrolments/{id}")))
}
