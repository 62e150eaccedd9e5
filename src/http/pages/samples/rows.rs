//! The rows the verification pages list: enrolments waiting in the queue, samples taken with the
//! exchange that followed, sampling plans.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use super::*;
use crate::action::ActionError;
use crate::auth::policy::{Action, EnrolmentStatus, Resource};
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::{EnrolmentId, PlanId, SampleId};
use crate::http::pages::rows::{EnrolmentRow, Names, enrolments_in_org, rows};
use crate::http::session::Session;
use crate::portfolio::{self, Enrolment};
use crate::signoff::chain;
use crate::signoff::plans::{self, Plan, Sample};

/// One decision awaiting sampling.
#[derive(Debug, Serialize)]
pub(super) struct QueueItem {
    row: EnrolmentRow,
    /// When the assessor signed the decision.
    decided_on: Option<NaiveDate>,
    /// Who signed it.
    decided_by: Option<String>,
    /// The session may sample it.
    can_sample: bool,
    /// Why not, when the session is an IV who may not.
    refusal: Option<String>,
}

/// The assessed enrolments of the organisation the session may read, oldest decision first.
pub(super) fn queue(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    session: &Session,
    org_id: Uuid,
) -> Result<Vec<QueueItem>, ActionError> {
    let decided = enrolments_in_org(
        conn,
        &session.actor,
        org_id,
        Some(EnrolmentStatus::Assessed.as_str()),
    )?;
    let listed = rows(conn, catalogue, &mut Names::default(), &decided)?;
    let mut items = Vec::with_capacity(decided.len());
    for (enrolment, row) in decided.iter().zip(listed) {
        let refusal = sampling_refusal(session, enrolment)?;
        let signature = chain::sign_offs_of(conn, enrolment.id)?
            .into_iter()
            .rev()
            .find(|s| s.role == "assessor");
        items.push(QueueItem {
            row,
            decided_on: signature.as_ref().map(|s| s.signed_on),
            decided_by: signature.map(|s| s.user_name),
            can_sample: refusal.is_none(),
            refusal,
        });
    }
    items.sort_by_key(|i| i.decided_on);
    Ok(items)
}

/// A recorded sample as the history shows it.
#[derive(Debug, Clone, Serialize)]
pub(super) struct SampleLine {
    pub(super) id: SampleId,
    enrolment_id: EnrolmentId,
    candidate: String,
    unit: String,
    verifier: String,
    kind: String,
    decision: String,
    feedback: String,
    action_points: String,
    date_sampled: NaiveDate,
    plan: Option<String>,
    snapshot: String,
    /// For a disagreement: what the assessor did about each action point.
    response: Option<ResponseLine>,
    /// For a disagreement: the assessor's decision after it, in words.
    new_decision: Option<String>,
    /// The VACS checklist, when the IV filled it in.
    vacs: Vec<VacsAnswer>,
}

/// The assessor's answer to a disagreement, as the history shows it.
#[derive(Debug, Clone, Serialize)]
struct ResponseLine {
    assessor: String,
    on: NaiveDate,
    responses: Vec<crate::signoff::feedback::PointResponse>,
}

/// The organisation's samples the session may read (through their enrolments), newest first.
pub(super) fn history(
    conn: &mut DbConnection,
    session: &Session,
    org_id: Uuid,
    limit: usize,
) -> Result<Vec<SampleLine>, ActionError> {
    let plan_names: BTreeMap<PlanId, String> = plans::list_plans(conn, org_id.into(), None)?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let mut names = Names::default();
    let mut lines = Vec::new();
    for sample in plans::samples_in_org(conn, org_id.into())? {
        if lines.len() == limit {
            break;
        }
        let enrolment = portfolio::load_enrolment(conn, sample.enrolment_id)?;
        let readable = session
            .require(
                Action::ReadEnrolment,
                &Resource::Enrolment(enrolment.facts()?),
            )
            .is_ok();
        if !readable {
            continue;
        }
        lines.push(sample_line(
            conn,
            &mut names,
            &plan_names,
            &enrolment,
            sample,
        )?);
    }
    Ok(lines)
}

pub(super) fn sample_line(
    conn: &mut DbConnection,
    names: &mut Names,
    plan_names: &BTreeMap<PlanId, String>,
    enrolment: &Enrolment,
    sample: Sample,
) -> Result<SampleLine, ActionError> {
    let (response, new_decision) = if sample.decision == "disagree" {
        exchange(conn, &sample)?
    } else {
        (None, None)
    };
    Ok(SampleLine {
        response,
        new_decision,
        vacs: vacs_answers(&sample),
        candidate: names.of(conn, enrolment.candidate_id)?,
        unit: format!(
            "{} v{}",
            enrolment.standard_code, enrolment.standard_version
        ),
        verifier: names.of(conn, sample.iv_id)?,
        plan: sample
            .plan_id
            .as_ref()
            .and_then(|id| plan_names.get(id).cloned()),
        snapshot: sample.snapshot_hash.chars().take(12).collect(),
        id: sample.id,
        enrolment_id: sample.enrolment_id,
        kind: sample.kind,
        decision: sample.decision,
        feedback: sample.feedback,
        action_points: sample.action_points,
        date_sampled: sample.date_sampled,
    })
}

/// What followed a disagreement: the assessor's answers and their next decision.
fn exchange(
    conn: &mut DbConnection,
    sample: &Sample,
) -> Result<(Option<ResponseLine>, Option<String>), ActionError> {
    use crate::signoff::{chain, feedback};
    let response = feedback::response_to(conn, sample.id)?.map(|r| ResponseLine {
        assessor: r.assessor,
        on: r.responded_at.date(),
        responses: r.responses,
    });
    let signed = chain::sign_offs_of(conn, sample.enrolment_id)?
        .into_iter()
        .find(|s| s.role == "assessor" && s.signed_at > sample.created_at)
        .map(|s| {
            (
                s.signed_at,
                format!("competent, signed by {} on {}", s.user_name, s.signed_on),
            )
        });
    let not_yet = feedback::feedback_of(conn, sample.enrolment_id)?
        .into_iter()
        .find(|f| f.decided_at > sample.created_at)
        .map(|f| {
            (
                f.decided_at,
                format!("not yet competent on {}", f.decided_at.date()),
            )
        });
    let next = match (signed, not_yet) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a.1 } else { b.1 }),
        (a, b) => a.or(b).map(|(_, words)| words),
    };
    Ok((response, next))
}

#[derive(Debug, Serialize)]
pub(super) struct PlanLine {
    id: PlanId,
    name: String,
    kind: String,
    period_start: NaiveDate,
    period_end: NaiveDate,
    verifier: String,
}

/// The organisation's plans the session may read, newest first.
pub(in crate::http::pages) fn visible_plans(
    conn: &mut DbConnection,
    session: &Session,
    org_id: Uuid,
) -> Result<Vec<Plan>, ActionError> {
    plans::actions::visible_plans(conn, &session.acting(), org_id.into())
}

pub(super) fn plan_lines(
    conn: &mut DbConnection,
    plans: Vec<Plan>,
) -> Result<Vec<PlanLine>, ActionError> {
    let mut names = Names::default();
    plans
        .into_iter()
        .map(|p| {
            Ok(PlanLine {
                verifier: names.of(conn, p.iv_id)?,
                id: p.id,
                name: p.name,
                kind: p.kind,
                period_start: p.period_start,
                period_end: p.period_end,
            })
        })
        .collect()
}
