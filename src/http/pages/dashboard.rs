//! `/`: the landing page for visitors; for a signed-in user, a dashboard with a section per
//! organisation and per role they hold there.

use actix_web::web;
use chrono::Utc;
use serde::Serialize;

use super::rows::{EnrolmentRow, live_orgs, rows_in_org};
use super::view::{Html, PageSession, page};
use crate::action::ActionError;
use crate::auth::policy::Role;
use crate::http::AppState;
use crate::http::session::Session;
use crate::identity;

#[derive(Serialize)]
struct Landing {
    title: &'static str,
}

#[derive(Serialize)]
struct OrgSection {
    id: String,
    name: String,
    roles: Vec<&'static str>,
    admin: bool,
    candidate: bool,
    assessor: bool,
    verifier: bool,
    external: bool,
    /// The candidate's own portfolios.
    portfolios: Vec<EnrolmentRow>,
    /// Enrolments the user assesses.
    assessing: Vec<EnrolmentRow>,
    /// Enrolments an internal or external verifier reads.
    verifying: Vec<EnrolmentRow>,
}

#[derive(Serialize)]
struct Dashboard {
    title: &'static str,
    orgs: Vec<OrgSection>,
    waiting: usize,
}

/// A role in words.
pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Candidate => "Candidate",
        Role::Assessor => "Assessor",
        Role::InternalVerifier => "Internal verifier",
        Role::ProviderAdmin => "Provider admin",
        Role::ExternalVerifier => "External verifier",
    }
}

/// `GET /`.
pub async fn home(state: web::Data<AppState>, signed_in: Option<PageSession>) -> Html {
    let Some(session) = signed_in else {
        return page(
            &state,
            None,
            "pages/home.html",
            &Landing {
                title: "Competence, evidenced exactly",
            },
        )
        .into();
    };
    let session = session.0;
    let catalogue = state.catalogue.clone();
    let for_tx = session.clone();
    let built = state
        .db
        .read(move |conn| dashboard(conn, &catalogue, &for_tx))
        .await;
    match built {
        Ok(view) => page(&state, Some(&session), "pages/dashboard.html", &view).into(),
        Err(err) => Html(Err(err.into())),
    }
}

fn dashboard(
    conn: &mut crate::db::DbConnection,
    catalogue: &crate::catalogue::Catalogue,
    session: &Session,
) -> Result<Dashboard, ActionError> {
    let now = Utc::now();
    let me = session.actor.user_id.to_string();
    let mut orgs = Vec::new();
    for org_id in live_orgs(&session.actor) {
        let org = identity::find_organisation(conn, &org_id.to_string())?;
        let mut roles: Vec<Role> = session
            .actor
            .grants
            .iter()
            .filter(|g| g.org_id == org_id && g.is_live(now))
            .map(|g| g.role)
            .collect();
        roles.sort_by_key(|r| Role::ALL.iter().position(|x| x == r));
        roles.dedup();
        let has = |role: Role| roles.contains(&role);
        let (candidate, assessor) = (has(Role::Candidate), has(Role::Assessor));
        let (verifier, external) = (has(Role::InternalVerifier), has(Role::ExternalVerifier));
        let verified: Vec<String> = session
            .actor
            .verifies
            .iter()
            .filter(|v| v.org_id == org_id)
            .map(|v| v.assessor_id.to_string())
            .collect();
        let verifies = |e: &crate::portfolio::Enrolment| {
            external
                || (verifier
                    && (e.iv_id.as_deref() == Some(me.as_str())
                        || e.assessor_id.as_ref().is_some_and(|a| verified.contains(a))))
        };
        let rows = rows_in_org(conn, catalogue, &session.actor, org_id, |e| {
            (candidate && e.candidate_id == me)
                || (assessor && e.assessor_id.as_deref() == Some(me.as_str()))
                || verifies(e)
        })?;
        let mut section = OrgSection {
            id: org.id,
            name: org.name,
            roles: roles.iter().map(|r| role_label(*r)).collect(),
            admin: has(Role::ProviderAdmin),
            candidate,
            assessor,
            verifier,
            external,
            portfolios: Vec::new(),
            assessing: Vec::new(),
            verifying: Vec::new(),
        };
        for row in rows {
            let assessed_by_me = assessor && row.assessor_id.as_deref() == Some(me.as_str());
            if candidate && row.candidate_id == me {
                section.portfolios.push(row);
            } else if assessed_by_me {
                section.assessing.push(row);
            } else {
                section.verifying.push(row);
            }
        }
        orgs.push(section);
    }
    let waiting = orgs
        .iter()
        .flat_map(|o| &o.assessing)
        .map(|r| r.waiting)
        .sum();
    Ok(Dashboard {
        title: "Your work",
        orgs,
        waiting,
    })
}
