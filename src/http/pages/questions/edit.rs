//! Making a new question set and editing one: the pages, and saving what the builder read.

use super::*;
use crate::action::ActionError;
use crate::auth::policy::{Action, Resource};
use crate::db::ids::{Id, OrgId, QuestionSetId};
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::pages::form::{Fields, field_errors};
use crate::http::pages::view::{
    Html, PageError, PageSession, check_csrf, page_with_status, see_other,
};
use crate::http::session::Session;
use crate::portfolio::question_sets::{QuestionSet, actions};
use crate::standards::Standard;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use std::collections::BTreeMap;

/// `?standard=CODE@VERSION` for a new set.
#[derive(Debug, Deserialize)]
pub struct NewQuery {
    standard: Option<String>,
}

/// `GET /orgs/{org_id}/question-sets/new?standard=CODE@VERSION`: the builder.
pub async fn new_form(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    query: web::Query<NewQuery>,
) -> Html {
    Html(
        typed_path_id(&path)
            .map_err(PageError::from)
            .and_then(|org_id| {
                new_form_page(
                    &state,
                    &session,
                    org_id,
                    query.standard.as_deref().unwrap_or(""),
                )
            }),
    )
}

fn new_form_page(
    state: &AppState,
    session: &Session,
    org_id: OrgId,
    spec: &str,
) -> Result<HttpResponse, PageError> {
    session.require(
        Action::ManageQuestionSets,
        &Resource::Organisation {
            org_id: org_id.uuid(),
        },
    )?;
    let Some(loaded) = state.catalogue.find_in(org_id.uuid(), spec.trim()) else {
        return Ok(see_other("/question-sets"));
    };
    let view = builder_view(
        session,
        "New question set".into(),
        format!("/orgs/{org_id}/question-sets/new"),
        &loaded.standard,
        None,
        None,
        BTreeMap::new(),
        "/question-sets".into(),
    );
    page_with_status(
        state,
        Some(session),
        "pages/question_set.html",
        &view,
        StatusCode::OK,
    )
}

/// `POST /orgs/{org_id}/question-sets/new`.
pub async fn create(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(async { create_page(&state, &session, typed_path_id(&path)?, fields).await }.await)
}

async fn create_page(
    state: &AppState,
    session: &Session,
    org_id: OrgId,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let form: BuilderForm = fields.read()?;
    let spec = form.standard.clone();
    let Some(loaded) = state.catalogue.find_in(org_id.uuid(), spec.trim()) else {
        return Err(ActionError::invalid("standard", "choose a unit of the catalogue").into());
    };
    let standard = &loaded.standard;
    let rows = builder_rows(standard, None, Some(&form));
    let (input, keys) = read_builder(&form, &spec, &rows);
    let for_tx = state.clone();
    let acting = session.clone();
    let done = state
        .db
        .write(move |conn| {
            actions::create_set(conn, for_tx.services(), &acting.acting(), org_id, input)
        })
        .await;
    match done {
        Ok(_) => Ok(see_other("/question-sets?saved=1")),
        Err(err) => {
            let errors = builder_errors(field_errors(err)?, &keys, &rows);
            let view = builder_view(
                session,
                "New question set".into(),
                format!("/orgs/{org_id}/question-sets/new"),
                standard,
                None,
                Some((&fields, &form)),
                errors,
                "/question-sets".into(),
            );
            page_with_status(
                state,
                Some(session),
                "pages/question_set.html",
                &view,
                status_of(&view.form),
            )
        }
    }
}

async fn load_set(
    state: &AppState,
    session: &Session,
    set_id: QuestionSetId,
) -> Result<QuestionSet, PageError> {
    let acting = session.clone();
    let set = state
        .db
        .read(move |conn| actions::show_set(conn, &acting.acting(), set_id))
        .await?;
    Ok(set)
}

fn standard_of_set<'a>(state: &'a AppState, set: &QuestionSet) -> Result<&'a Standard, PageError> {
    state
        .catalogue
        .get_in(
            set.org_id.uuid(),
            &set.standard_code,
            u32::try_from(set.standard_version).unwrap_or_default(),
        )
        .map(|l| &l.standard)
        .ok_or_else(|| {
            ActionError::Conflict("the set's unit is no longer in the catalogue".into()).into()
        })
}

/// `GET /question-sets/{set_id}`: the builder, filled with the set.
pub async fn edit_form(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    Html(async { edit_form_page(&state, &session, typed_path_id(&path)?).await }.await)
}

async fn edit_form_page(
    state: &AppState,
    session: &Session,
    set_id: QuestionSetId,
) -> Result<HttpResponse, PageError> {
    let set = load_set(state, session, set_id).await?;
    let standard = standard_of_set(state, &set)?;
    let view = builder_view(
        session,
        format!("Question set: {}", set.title),
        format!("/question-sets/{}", set.id),
        standard,
        Some(&set),
        None,
        BTreeMap::new(),
        "/question-sets".into(),
    );
    page_with_status(
        state,
        Some(session),
        "pages/question_set.html",
        &view,
        StatusCode::OK,
    )
}

/// `POST /question-sets/{set_id}`.
pub async fn update(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(async { update_page(&state, &session, typed_path_id(&path)?, fields).await }.await)
}

async fn update_page(
    state: &AppState,
    session: &Session,
    set_id: QuestionSetId,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let set = load_set(state, session, set_id).await?;
    let standard = standard_of_set(state, &set)?;
    let form: BuilderForm = fields.read()?;
    let rows = builder_rows(standard, Some(&set), Some(&form));
    let (input, keys) = read_builder(&form, "", &rows);
    let for_tx = state.clone();
    let acting = session.clone();
    let done = state
        .db
        .write(move |conn| {
            actions::update_set(conn, for_tx.services(), &acting.acting(), set_id, input)
        })
        .await;
    match done {
        Ok(_) => Ok(see_other("/question-sets?saved=1")),
        Err(err) => {
            let errors = builder_errors(field_errors(err)?, &keys, &rows);
            let view = builder_view(
                session,
                format!("Question set: {}", set.title),
                format!("/question-sets/{}", set.id),
                standard,
                Some(&set),
                Some((&fields, &form)),
                errors,
                "/question-sets".into(),
            );
            page_with_status(
                state,
                Some(session),
                "pages/question_set.html",
                &view,
                status_of(&view.form),
            )
        }
    }
}
