//! The standards catalogue: every unit standard version the service knows.

use actix_web::web;
use serde::{Deserialize, Serialize};

use super::view::{Html, PageSession, page};
use crate::auth::policy::{Action, Resource};
use crate::http::AppState;
use crate::http::shared::standards::StandardSummary;

#[derive(Serialize)]
struct CatalogueView {
    title: &'static str,
    standards: Vec<StandardSummary>,
}

/// `GET /standards`.
pub async fn catalogue(state: web::Data<AppState>, session: PageSession) -> Html {
    if let Err(refused) = session.require(Action::ReadStandard, &Resource::Standard) {
        return Html(Err(refused.into()));
    }
    let view = CatalogueView {
        title: "Standards catalogue",
        standards: StandardSummary::visible(&state.catalogue, &session),
    };
    page(&state, Some(&session), "pages/standards.html", &view).into()
}

#[derive(Serialize)]
struct AuthorView {
    title: &'static str,
    org_id: String,
    csrf: String,
    yaml: String,
    preview: Option<crate::authoring::Preview>,
    /// Why publishing was refused, when it was.
    publish_error: Option<String>,
    /// The versions this organisation published, newest first.
    published: Vec<crate::org_catalogue::PublishedStandard>,
}

/// `GET /orgs/{org_id}/standards/author`: a form to paste or edit a standard's YAML.
pub async fn author_form(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    Html(author_page(&state, &session, &path, None, None).await)
}

/// A standard's (or a mapping's) YAML as posted from the authoring forms.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct YamlForm {
    yaml: String,
}

/// `POST /orgs/{org_id}/standards/author`: checks the YAML and shows the loader's problems by
/// line and column, or the outline, the observation checklist and the gaps of an empty portfolio.
pub async fn author_check(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: super::form::Fields,
) -> Html {
    if let Err(refused) = super::view::check_csrf(&session, fields.csrf()) {
        return Html(Err(refused));
    }
    let yaml = match fields.read::<YamlForm>() {
        Ok(form) => form.yaml.replace("\r\n", "\n"),
        Err(err) => return Html(Err(err)),
    };
    Html(author_page(&state, &session, &path, Some(yaml), None).await)
}

/// `POST /orgs/{org_id}/standards/publish`: publishes the checked YAML into the organisation's
/// own catalogue as a new version, then shows the catalogue; a refusal shows the authoring page
/// again with the reason (422).
pub async fn publish(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: super::form::Fields,
) -> Html {
    if let Err(refused) = super::view::check_csrf(&session, fields.csrf()) {
        return Html(Err(refused));
    }
    let org_id = match crate::http::shared::path_id(&path) {
        Ok(id) => id,
        Err(err) => return Html(Err(err.into())),
    };
    if let Err(refused) =
        session.require(Action::PublishStandards, &Resource::Organisation { org_id })
    {
        return Html(Err(refused.into()));
    }
    // Browsers send a form's line breaks as CRLF; the standard is kept as written (LF).
    let yaml = match fields.read::<YamlForm>() {
        Ok(form) => form.yaml.replace("\r\n", "\n"),
        Err(err) => return Html(Err(err)),
    };
    match crate::http::shared::standards::publish_into(&state, &session, org_id, yaml.clone()).await
    {
        Ok(_) => Html(Ok(super::view::see_other("/standards"))),
        Err(crate::action::ActionError::Invalid(problems)) => {
            let reason = problems.into_values().collect::<Vec<_>>().join("; ");
            Html(
                author_page(&state, &session, &path, Some(yaml), Some(reason))
                    .await
                    .map(|mut response| {
                        *response.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
                        response
                    }),
            )
        }
        Err(err) => Html(Err(crate::http::ApiError::from(err).into())),
    }
}

async fn author_page(
    state: &AppState,
    session: &crate::http::session::Session,
    raw_org: &str,
    yaml: Option<String>,
    publish_error: Option<String>,
) -> Result<actix_web::HttpResponse, super::view::PageError> {
    let org_id = crate::http::shared::path_id(raw_org)?;
    session.require(Action::AuthorStandards, &Resource::Organisation { org_id })?;
    let published = state
        .db
        .read(move |conn| {
            Ok::<_, crate::action::ActionError>(crate::org_catalogue::list(conn, org_id.into())?)
        })
        .await?;
    let preview = match &yaml {
        Some(text) => {
            let (text, for_block) = (text.clone(), session.clone());
            let org_id = crate::db::ids::OrgId::from(org_id);
            Some(
                web::block(move || {
                    crate::authoring::actions::preview(&for_block.acting(), org_id, &text)
                })
                .await
                .map_err(|e| crate::http::ApiError::Internal(e.to_string()))??,
            )
        }
        None => None,
    };
    let view = AuthorView {
        title: "Write a standard",
        org_id: org_id.to_string(),
        csrf: session.csrf.clone(),
        yaml: yaml.unwrap_or_default(),
        preview,
        publish_error,
        published,
    };
    page(state, Some(session), "pages/standard_author.html", &view)
}

#[derive(Serialize)]
struct MappingsView {
    title: &'static str,
    org_id: String,
    csrf: String,
    yaml: String,
    /// Why the file was refused, one line per problem.
    problems: Vec<String>,
    mappings: Vec<crate::portfolio::moves::StoredMapping>,
}

/// `GET /orgs/{org_id}/standards/mappings`: the organisation's mapping files, and a form to
/// upload one.
pub async fn mappings(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    Html(mappings_page(&state, &session, &path, String::new(), Vec::new()).await)
}

/// `POST /orgs/{org_id}/standards/mappings`: stores a mapping file (audited), or shows the form
/// again with every problem (422).
pub async fn upload_mapping(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: super::form::Fields,
) -> Html {
    if let Err(refused) = super::view::check_csrf(&session, fields.csrf()) {
        return Html(Err(refused));
    }
    let org_id = match crate::http::shared::path_id(&path) {
        Ok(id) => id,
        Err(err) => return Html(Err(err.into())),
    };
    if let Err(refused) = session.require(
        Action::UploadStandardMapping,
        &Resource::Organisation { org_id },
    ) {
        return Html(Err(refused.into()));
    }
    let yaml = match fields.read::<YamlForm>() {
        Ok(form) => form.yaml.replace("\r\n", "\n"),
        Err(err) => return Html(Err(err)),
    };
    let catalogue = state.catalogue.clone();
    let for_tx = session.clone();
    let text = yaml.clone();
    let stored = state
        .db
        .write(move |conn| {
            crate::authoring::actions::upload_mapping(
                conn,
                &catalogue,
                &for_tx.acting(),
                org_id.into(),
                &text,
            )
        })
        .await;
    match stored {
        Ok(_) => Html(Ok(super::view::see_other(&format!(
            "/orgs/{org_id}/standards/mappings"
        )))),
        Err(crate::action::ActionError::Invalid(problems)) => {
            let problems = problems
                .into_iter()
                .map(|(field, reason)| {
                    if field == "yaml" {
                        reason
                    } else {
                        format!("{field}: {reason}")
                    }
                })
                .collect();
            Html(
                mappings_page(&state, &session, &path, yaml, problems)
                    .await
                    .map(|mut response| {
                        *response.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
                        response
                    }),
            )
        }
        Err(err) => Html(Err(crate::http::ApiError::from(err).into())),
    }
}

async fn mappings_page(
    state: &AppState,
    session: &crate::http::session::Session,
    raw_org: &str,
    yaml: String,
    problems: Vec<String>,
) -> Result<actix_web::HttpResponse, super::view::PageError> {
    let org_id = crate::http::shared::path_id(raw_org)?;
    session.require(
        Action::UploadStandardMapping,
        &Resource::Organisation { org_id },
    )?;
    let mappings = state
        .db
        .read(move |conn| {
            Ok::<_, crate::action::ActionError>(crate::portfolio::moves::list(conn, org_id.into())?)
        })
        .await?;
    let view = MappingsView {
        title: "Mappings from one version to the next",
        org_id: org_id.to_string(),
        csrf: session.csrf.clone(),
        yaml,
        problems,
        mappings,
    };
    page(state, Some(session), "pages/standard_mappings.html", &view)
}
