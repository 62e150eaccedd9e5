//! The question-set list: every set the signed-in user may see, by organisation.

use actix_web::http::StatusCode;
use actix_web::web;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::*;
use crate::action::ActionError;
use crate::auth::policy::{Action, Resource};
use crate::db::ids::{OrgId, QuestionSetId};
use crate::http::AppState;
use crate::http::pages::rows::live_orgs;
use crate::http::pages::view::{Html, PageSession, page_with_status};
use crate::portfolio::question_sets::actions;

#[derive(Serialize)]
struct SetRow {
    id: QuestionSetId,
    title: String,
    unit: String,
    questions: usize,
}

#[derive(Serialize)]
struct OrgSets {
    id: OrgId,
    name: String,
    sets: Vec<SetRow>,
    /// The units of the organisation's catalogue that have knowledge items.
    units: Vec<Choice>,
}

#[derive(Serialize)]
struct SetsView {
    title: &'static str,
    orgs: Vec<OrgSets>,
    saved: bool,
}

/// `?saved=1` after a set was saved.
#[derive(Debug, Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// `GET /question-sets`: the sets of every organisation where the viewer may manage them.
pub async fn sets(
    state: web::Data<AppState>,
    session: PageSession,
    query: web::Query<SavedQuery>,
) -> Html {
    let session = session.0;
    let orgs: Vec<Uuid> = live_orgs(&session.actor)
        .into_iter()
        .filter(|org_id| {
            allowed(
                &session,
                Action::ManageQuestionSets,
                &Resource::Organisation { org_id: *org_id },
            )
        })
        .collect();
    let catalogue = state.catalogue.clone();
    let acting = session.clone();
    let read = state
        .db
        .read(move |conn| {
            let acting = acting.acting();
            let mut all = Vec::new();
            for org_id in orgs {
                let org = crate::identity::load_organisation(conn, org_id.into())?;
                let sets = actions::list_sets(conn, &acting, OrgId::from(org_id), None)?;
                let units = catalogue
                    .visible_to(org_id)
                    .into_iter()
                    .filter(|l| !l.standard.knowledge.is_empty())
                    .map(|l| Choice {
                        value: format!("{}@{}", l.standard.code, l.standard.version),
                        label: format!(
                            "{} v{} — {}",
                            l.standard.code, l.standard.version, l.standard.title
                        ),
                    })
                    .collect();
                all.push(OrgSets {
                    id: org.id,
                    name: org.name,
                    sets: sets
                        .into_iter()
                        .map(|s| SetRow {
                            unit: format!("{} v{}", s.standard_code, s.standard_version),
                            questions: s.items.len(),
                            id: s.id,
                            title: s.title,
                        })
                        .collect(),
                    units,
                });
            }
            Ok::<_, ActionError>(all)
        })
        .await;
    let orgs = match read {
        Ok(orgs) => orgs,
        Err(err) => return Html(Err(err.into())),
    };
    let view = SetsView {
        title: "Question sets",
        orgs,
        saved: query.saved.is_some(),
    };
    Html(page_with_status(
        &state,
        Some(&session),
        "pages/question_sets.html",
        &view,
        StatusCode::OK,
    ))
}
