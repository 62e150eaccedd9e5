//! The readings of ambiguous rules: for each standard in the catalogue, each rule whose source
//! allows several readings, the choices with their explanations, and the organisation's choice.

use std::collections::BTreeMap;

use crate::db::ids::OrgId;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::organisation;
use crate::action::ActionError;
use crate::auth::policy::Action;
use crate::http::ApiError;
use crate::http::AppState;
use crate::http::pages::form::{Fields, dom_id, field_errors};
use crate::http::pages::rows::unit_name;
use crate::http::pages::view::{
    Html, PageError, PageSession, capitalise, check_csrf, page_with_status, see_other,
};
use crate::http::session::Session;
use crate::settings;
use crate::standards::{InterpretationError, Interpretations, Standard};

/// The form field holding the choice for rule `id`.
fn field(rule: &str) -> String {
    format!("rule.{rule}")
}

#[derive(Serialize)]
struct ChoiceView {
    id: String,
    dom_id: String,
    label: String,
    explanation: Option<String>,
    default: bool,
    checked: bool,
}

#[derive(Serialize)]
struct RuleView {
    id: String,
    field: String,
    dom_id: String,
    locator: String,
    verbatim: String,
    note: Option<String>,
    choices: Vec<ChoiceView>,
    error: Option<String>,
}

#[derive(Serialize)]
struct StandardView {
    /// The section's HTML id, where saving returns to.
    anchor: String,
    name: String,
    title: String,
    action: String,
    rules: Vec<RuleView>,
    /// An error about no rule on the page (a rule id the standard lacks or that is unambiguous).
    problem: Option<String>,
}

#[derive(Serialize)]
struct InterpretationsView {
    title: String,
    org_id: String,
    org_name: String,
    csrf: String,
    standards: Vec<StandardView>,
    unambiguous: Vec<String>,
}

/// A refused form: which standard (`CODE@VERSION`), the choices sent, the errors by rule id.
struct Refused {
    key: String,
    sent: Interpretations,
    errors: BTreeMap<String, String>,
}

fn key(standard: &Standard) -> String {
    format!("{}@{}", standard.code, standard.version)
}

/// The HTML id of a standard's section (ids start with a letter, so CSS can select them).
fn anchor(standard: &Standard) -> String {
    dom_id(&["standard", &key(standard)])
}

/// `GET /orgs/{org_id}/settings/interpretations`.
pub async fn list(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    Html(render(&state, &session, &path, None).await)
}

async fn render(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    refused: Option<Refused>,
) -> Result<HttpResponse, PageError> {
    let (org_id, org_name) =
        organisation(state, session, raw_org, Action::ManageOrganisation).await?;
    let catalogue = state.catalogue.clone();
    // Each standard's stored choices, in catalogue order.
    let chosen = state
        .db
        .read(move |conn| {
            catalogue
                .visible_to(org_id)
                .into_iter()
                .map(|loaded| settings::interpretations(conn, org_id.into(), &loaded.standard))
                .collect::<Result<Vec<_>, ActionError>>()
        })
        .await?;
    let mut standards = Vec::new();
    let mut unambiguous = Vec::new();
    for (loaded, stored) in state.catalogue.visible_to(org_id).into_iter().zip(chosen) {
        let standard = &loaded.standard;
        let (shown, errors) = match &refused {
            Some(r) if r.key == key(standard) => (&r.sent, Some(&r.errors)),
            _ => (&stored, None),
        };
        let rules: Vec<RuleView> = standard
            .rules
            .iter()
            .filter(|rule| !rule.interpretations.is_empty())
            .map(|rule| {
                let default = rule
                    .default_interpretation
                    .as_deref()
                    .or_else(|| rule.interpretations.first().map(|i| i.id.as_str()));
                let current = shown.get(&rule.id).or(default);
                let base = dom_id(&["rule", &key(standard), &rule.id]);
                RuleView {
                    id: rule.id.clone(),
                    field: field(&rule.id),
                    locator: rule.source.locator.clone(),
                    verbatim: rule.source.verbatim.clone(),
                    note: rule.source.note.clone(),
                    choices: rule
                        .interpretations
                        .iter()
                        .map(|i| ChoiceView {
                            dom_id: format!("{base}--{}", dom_id(&[&i.id])),
                            id: i.id.clone(),
                            label: i.label.clone(),
                            explanation: i.explanation.clone(),
                            default: Some(i.id.as_str()) == default,
                            checked: Some(i.id.as_str()) == current,
                        })
                        .collect(),
                    error: errors.and_then(|e| e.get(&rule.id).cloned()),
                    dom_id: base,
                }
            })
            .collect();
        if rules.is_empty() {
            unambiguous.push(format!("{}: {}", unit_name(standard), standard.title));
            continue;
        }
        let problem = errors.and_then(|e| {
            let elsewhere: Vec<&str> = e
                .iter()
                .filter(|(rule, _)| !rules.iter().any(|r| &r.id == *rule))
                .map(|(_, message)| message.as_str())
                .collect();
            (!elsewhere.is_empty()).then(|| elsewhere.join(" "))
        });
        standards.push(StandardView {
            anchor: anchor(standard),
            name: unit_name(standard),
            title: standard.title.clone(),
            action: format!(
                "/orgs/{org_id}/settings/interpretations/{}/{}",
                standard.code, standard.version
            ),
            rules,
            problem,
        });
    }
    let status = match refused {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    let view = InterpretationsView {
        title: format!("Readings of ambiguous rules — {org_name}"),
        org_id: org_id.to_string(),
        org_name,
        csrf: session.csrf.clone(),
        standards,
        unambiguous,
    };
    page_with_status(
        state,
        Some(session),
        "pages/settings_interpretations.html",
        &view,
        status,
    )
}

/// `POST /orgs/{org_id}/settings/interpretations/{code}/{version}`: saves the choices for one
/// standard.
pub async fn save(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<(String, String, String)>,
    fields: Fields,
) -> Html {
    let (org, code, version) = path.into_inner();
    Html(save_page(&state, &session, &org, &code, &version, fields).await)
}

/// The choices as posted: `rule.ID` → the interpretation chosen (rule ids may hold dots: the
/// whole rest of the name is the id).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ChoicesForm {
    rule: BTreeMap<String, String>,
}

/// The rule an interpretation error is about, to show it there.
fn rule_of(err: &InterpretationError) -> &str {
    match err {
        InterpretationError::UnknownRule { rule }
        | InterpretationError::NotAmbiguous { rule }
        | InterpretationError::UnknownInterpretation { rule, .. } => rule,
    }
}

async fn save_page(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    code: &str,
    raw_version: &str,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let (org_id, _) = organisation(state, session, raw_org, Action::ManageOrganisation).await?;
    let version: u32 = raw_version.parse().map_err(|_| ApiError::NotFound)?;
    let loaded = state
        .catalogue
        .get_in(org_id, code, version)
        .ok_or(ApiError::NotFound)?;
    let standard = loaded.standard.clone();
    // Every `rule.ID` field sent, as the API's body would name it; a rule left unchosen keeps
    // the default.
    let form: ChoicesForm = fields.read()?;
    let mut sent = Interpretations::new();
    for (rule, value) in form.rule {
        sent.choose(rule, value.trim());
    }
    // The same check the action makes, run first so the error can stand next to its rule.
    if let Err(err) = sent.validate(&standard) {
        let errors = BTreeMap::from([(rule_of(&err).to_owned(), capitalise(&err.to_string()))]);
        let refused = Refused {
            key: key(&standard),
            sent,
            errors,
        };
        return render(state, session, raw_org, Some(refused)).await;
    }
    let for_state = state.clone();
    let acting = session.clone();
    let (to_save, code) = (sent.clone(), code.to_owned());
    let done = state
        .db
        .write(move |conn| {
            settings::actions::set_interpretations(
                conn,
                for_state.services(),
                &acting.acting(),
                OrgId::from(org_id),
                &code,
                version,
                to_save,
            )
        })
        .await;
    match done {
        Ok(_) => Ok(see_other(&format!(
            "/orgs/{org_id}/settings/interpretations#{}",
            anchor(&standard)
        ))),
        Err(err) => {
            let errors = field_errors(err)?;
            let refused = Refused {
                key: key(&standard),
                sent,
                errors,
            };
            render(state, session, raw_org, Some(refused)).await
        }
    }
}
