//! Loading an enrolment with the policy's answer, its pinned standard, and the assessor's next
//! piece of evidence to judge.

use chrono::Utc;
use uuid::Uuid;

use crate::action::ActionError;
use crate::auth::policy::{self, Action, Resource};
use crate::db::DbConnection;
use crate::db::ids::EnrolmentId;
use crate::http::AppState;
use crate::http::session::Session;
use crate::portfolio::{self, Enrolment, EnrolmentFilter};
use crate::standards::Standard;

/// Loads an enrolment and asks the policy; both inside the caller's transaction.
pub fn authorize(
    conn: &mut DbConnection,
    session: &Session,
    id: EnrolmentId,
    action: Action,
) -> Result<Enrolment, ActionError> {
    portfolio::access::enrolment_for(conn, &session.acting(), id, action)
}

/// The standard version an enrolment is pinned to.
pub fn standard_of<'a>(
    state: &'a AppState,
    enrolment: &Enrolment,
) -> Result<&'a Standard, ActionError> {
    state
        .catalogue
        .pinned(enrolment)
        .map(|loaded| &loaded.standard)
}

/// The oldest evidence waiting for the signed-in assessor's judgement.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct NextJudgement {
    /// The enrolment.
    pub enrolment_id: String,
    /// The evidence record to judge.
    pub evidence_id: String,
    /// Its mappings still waiting for a judgement.
    pub waiting: usize,
}

/// The oldest evidence (by when it was recorded) with a mapping still pending — testimony still
/// awaiting its witness left out — on an open enrolment the signed-in user assesses and may judge.
/// `None` when nothing is waiting; `skip` leaves one record out (the one just judged, when the
/// assessor left some of it pending). The caseload's "next item" and the API share it.
pub fn next_waiting(
    conn: &mut DbConnection,
    session: &Session,
    skip: Option<crate::db::ids::EvidenceId>,
) -> Result<Option<NextJudgement>, ActionError> {
    let Ok(me) = Uuid::parse_str(&session.user_id) else {
        return Ok(None);
    };
    let now = Utc::now();
    let mut orgs: Vec<Uuid> = session
        .actor
        .grants
        .iter()
        .filter(|g| g.is_live(now) && g.role == policy::Role::Assessor)
        .map(|g| g.org_id)
        .collect();
    orgs.sort();
    orgs.dedup();
    let mut oldest: Option<(chrono::NaiveDateTime, NextJudgement)> = None;
    for org_id in orgs {
        let Some(scope) = policy::enrolment_scope(&session.actor, org_id, now) else {
            continue;
        };
        for page in 1.. {
            let filter = EnrolmentFilter {
                org_id: Some(org_id),
                assessor_id: Some(me),
                page: Some(page),
                per_page: Some(200),
                ..Default::default()
            };
            let found = portfolio::list_enrolments(conn, &scope, &filter)?;
            let last = found.items.len() < 200;
            for enrolment in &found.items {
                let open = matches!(
                    enrolment.status,
                    crate::auth::policy::EnrolmentStatus::Active
                        | crate::auth::policy::EnrolmentStatus::Submitted
                );
                if !open
                    || session
                        .require(
                            Action::JudgeEvidence,
                            &Resource::Enrolment(enrolment.facts()?),
                        )
                        .is_err()
                {
                    continue;
                }
                let records = portfolio::list_evidence(conn, enrolment.id)?;
                // Listed oldest first: the first waiting record is this enrolment's oldest.
                let Some(record) = records
                    .iter()
                    .find(|r| r.waiting_mappings() > 0 && Some(r.id) != skip)
                else {
                    continue;
                };
                let id = record.id.to_string();
                let key = (record.recorded_at, id.as_str());
                if oldest
                    .as_ref()
                    .is_none_or(|(at, next)| key < (*at, next.evidence_id.as_str()))
                {
                    oldest = Some((
                        record.recorded_at,
                        NextJudgement {
                            enrolment_id: enrolment.id.to_string(),
                            evidence_id: id.clone(),
                            waiting: record.waiting_mappings(),
                        },
                    ));
                }
            }
            if last {
                break;
            }
        }
    }
    Ok(oldest.map(|(_, next)| next))
}
