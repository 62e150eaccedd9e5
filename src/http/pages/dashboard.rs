//! `/`: the landing page for visitors; for a signed-in user, a dashboard with a section per
//! organisation and per role they hold there.

use actix_web::web;
use chrono::Utc;
use serde::Serialize;

use super::portfolio::{StatementLinks, statement_links};
use super::rows::{EnrolmentRow, live_orgs, rows_in_org};
use super::view::{Html, PageSession, page};
use crate::action::ActionError;
use crate::auth::policy::{EnrolmentStatus, Role};
use crate::db::ids::stored;
use crate::http::AppState;
use crate::http::session::Session;
use crate::identity;
use crate::portfolio::{self, Enrolment, acknowledgements};
use crate::rules::portfolio::Judgement;

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
    /// Holds the standards editor role: writes and publishes the organisation's standards.
    editor: bool,
    /// The candidate's own portfolios.
    portfolios: Vec<PortfolioCard>,
    /// What needs the candidate: rejected evidence, records to acknowledge, things to do.
    attention: Vec<Attention>,
    /// Enrolments the user assesses.
    assessing: Vec<EnrolmentRow>,
    /// Enrolments an internal or external verifier reads.
    verifying: Vec<EnrolmentRow>,
}

/// One of the candidate's portfolios, with its statement once issued.
#[derive(Serialize)]
struct PortfolioCard {
    #[serde(flatten)]
    row: EnrolmentRow,
    statement: Option<StatementLinks>,
}

/// Something waiting for the candidate, with where to act on it.
#[derive(Serialize)]
struct Attention {
    /// rejected, acknowledge, witness, questions or not_yet_competent.
    kind: &'static str,
    /// The unit, as the card names it.
    unit: String,
    /// What it is about, in a few words.
    text: String,
    /// The assessor's feedback, when there is any.
    feedback: Vec<String>,
    /// Where to act.
    link: String,
    /// The link's words.
    action: &'static str,
}

/// What needs the candidate on one portfolio.
fn attention_of(
    conn: &mut crate::db::DbConnection,
    enrolment: &Enrolment,
    unit: &str,
) -> Result<Vec<Attention>, ActionError> {
    let mut items = Vec::new();
    let base = format!("/enrolments/{}", enrolment.id);
    if let Some(to_do) = super::portfolio::to_do(conn, enrolment)? {
        let mut feedback = vec![to_do.feedback];
        feedback.extend(to_do.gaps);
        items.push(Attention {
            kind: "not_yet_competent",
            unit: unit.to_owned(),
            text: format!("Not yet competent (decided {})", to_do.decided_on),
            feedback,
            link: format!("{base}#to-do"),
            action: "See what to do",
        });
    }
    let records = portfolio::list_evidence(conn, enrolment.id)?;
    let acknowledged = acknowledgements::acknowledgements_of(conn, enrolment.id)?;
    let open = enrolment.status() == EnrolmentStatus::Active;
    for record in &records {
        let title = record
            .instance
            .title
            .clone()
            .unwrap_or_else(|| super::view::capitalise(record.instance.method.label()));
        let rejected: Vec<String> = record
            .instance
            .criteria
            .iter()
            .filter(|c| c.judgement == Judgement::Rejected)
            .map(|c| match &c.feedback {
                Some(f) => format!("{}: {f}", c.criterion),
                None => format!("{}: not accepted", c.criterion),
            })
            .chain(
                record
                    .instance
                    .knowledge
                    .iter()
                    .filter(|k| k.judgement == Judgement::Rejected)
                    .map(|k| match &k.feedback {
                        Some(f) => format!("{}: {f}", k.item),
                        None => format!("{}: not accepted", k.item),
                    }),
            )
            .collect();
        if open && !rejected.is_empty() {
            items.push(Attention {
                kind: "rejected",
                unit: unit.to_owned(),
                text: format!("\u{201c}{title}\u{201d} was not accepted"),
                feedback: rejected,
                link: format!("{base}#evidence-{}", record.id),
                action: "See the evidence",
            });
        }
        if acknowledgements::needs_acknowledgement(enrolment, record)
            && !acknowledged.iter().any(|a| a.evidence_id == record.id)
        {
            items.push(Attention {
                kind: "acknowledge",
                unit: unit.to_owned(),
                text: format!("Read and acknowledge \u{201c}{title}\u{201d}"),
                feedback: Vec::new(),
                link: format!("{base}#ack-{}", record.id),
                action: "Read and acknowledge",
            });
        }
    }
    items.extend(witness_attention(conn, enrolment, unit, &records)?);
    if open {
        // Question sets sent and not yet submitted (issue 16.4).
        for request in crate::portfolio::question_sets::requests_of(conn, enrolment.id)?
            .into_iter()
            .filter(|r| r.status == crate::portfolio::question_sets::QuestionRequestStatus::Sent)
        {
            let due = request
                .due_on
                .map(|d| format!(" (due {})", d.format("%-d %B %Y")))
                .unwrap_or_default();
            items.push(Attention {
                kind: "questions",
                unit: unit.to_owned(),
                text: format!("Questions to answer: {}{due}", request.title),
                feedback: Vec::new(),
                link: format!("{base}/questions/{}", request.id),
                action: "Answer the questions",
            });
        }
    }
    Ok(items)
}

/// Testimony still waiting for its witness: the link sent and when it runs out, or that it ran out
/// (or was revoked, or was never sent) and must be sent again.
fn witness_attention(
    conn: &mut crate::db::DbConnection,
    enrolment: &Enrolment,
    unit: &str,
    records: &[portfolio::EvidenceRecord],
) -> Result<Vec<Attention>, ActionError> {
    let waiting: Vec<&portfolio::EvidenceRecord> =
        records.iter().filter(|r| r.awaiting_witness()).collect();
    if waiting.is_empty() || enrolment.status() != EnrolmentStatus::Active {
        return Ok(Vec::new());
    }
    let requests = portfolio::witness::requests_of(conn, enrolment.id)?;
    let now = Utc::now();
    Ok(waiting
        .into_iter()
        .map(|record| {
            let link = format!(
                "/enrolments/{}/evidence/{}/witness",
                enrolment.id, record.id
            );
            // Newest first: the latest request says where the testimony stands.
            let latest = requests.iter().find(|r| r.evidence_id == record.id);
            let (text, action) = match latest.map(|r| (r, r.state(now))) {
                Some((r, "open")) => (
                    format!(
                        "Waiting for {} to confirm their testimony (the link works until {})",
                        r.witness_name,
                        r.expires_at.format("%-d %B %Y")
                    ),
                    "See the request",
                ),
                Some((r, state)) => (
                    format!(
                        "The link to {} has {}: send it again so the testimony counts",
                        r.witness_name,
                        if state == "expired" {
                            "expired"
                        } else {
                            "been revoked"
                        }
                    ),
                    "Send the link again",
                ),
                None => (
                    "Ask your witness to confirm this testimony so it counts".to_owned(),
                    "Ask the witness",
                ),
            };
            Attention {
                kind: "witness",
                unit: unit.to_owned(),
                text,
                feedback: Vec::new(),
                link,
                action,
            }
        })
        .collect())
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
        Role::StandardsEditor => "Standards editor",
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
        let org = identity::load_organisation(conn, org_id.into())?;
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
                    && (e.iv_id.is_some_and(|id| id == me)
                        || e.assessor_id
                            .is_some_and(|a| verified.iter().any(|v| a == *v))))
        };
        let rows = rows_in_org(conn, catalogue, &session.actor, org_id, |e| {
            (candidate && e.candidate_id == me)
                || (assessor && e.assessor_id.is_some_and(|id| id == me))
                || verifies(e)
        })?;
        let mut section = OrgSection {
            id: org.id.to_string(),
            name: org.name,
            roles: roles.iter().map(|r| role_label(*r)).collect(),
            admin: has(Role::ProviderAdmin),
            candidate,
            assessor,
            verifier,
            external,
            editor: has(Role::StandardsEditor),
            portfolios: Vec::new(),
            attention: Vec::new(),
            assessing: Vec::new(),
            verifying: Vec::new(),
        };
        for row in rows {
            let assessed_by_me = assessor && row.assessor_id.as_deref() == Some(me.as_str());
            if candidate && row.candidate_id == me {
                let enrolment = portfolio::load_enrolment(conn, stored(&row.id)?)?;
                section
                    .attention
                    .extend(attention_of(conn, &enrolment, &row.unit)?);
                section.portfolios.push(PortfolioCard {
                    statement: statement_links(conn, session, &enrolment)?,
                    row,
                });
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
