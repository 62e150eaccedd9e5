//! The assessor's judgement of each mapping of an evidence record: accepted, rejected with
//! feedback, or pending again.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Deserialize;

use super::store::{EvidenceRecord, ensure_open, load_evidence};
use crate::action::{ActionError, Problems};
use crate::audit::{self, Change};
use crate::db::DbConnection;
use crate::db::ids::{EvidenceId, UserId};
use crate::db::schema::evidence;
use crate::portfolio::enrolment::{Enrolment, touch};
use crate::rules::portfolio::{Evidence, Judgement};

/// The assessor's judgement of one mapping.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JudgementInput {
    /// The criterion id (for criteria) or knowledge item id (for knowledge).
    pub id: String,
    /// accepted or rejected (pending withdraws a judgement).
    #[schema(value_type = String)]
    pub judgement: Judgement,
    /// Feedback to the candidate; required when rejecting.
    #[serde(default)]
    pub feedback: Option<String>,
}

/// Judgements of an evidence record's mappings.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Judgements {
    /// Per criterion.
    #[serde(default)]
    pub criteria: Vec<JudgementInput>,
    /// Per knowledge item.
    #[serde(default)]
    pub knowledge: Vec<JudgementInput>,
    /// Accept every other mapping of the record ("accept all"): each one not listed above and not
    /// already rejected becomes accepted. Rejections stay, with their feedback.
    #[serde(default)]
    pub accept_rest: bool,
}

impl Judgements {
    /// The criteria and knowledge items judged (before `accept_rest` is applied).
    pub fn ids(&self) -> Vec<String> {
        self.criteria
            .iter()
            .chain(&self.knowledge)
            .map(|j| j.id.clone())
            .collect()
    }

    /// Turns `accept_rest` into one acceptance per remaining mapping of `instance`: every
    /// mapping not listed and not already rejected.
    fn expand(&mut self, instance: &Evidence) {
        if !self.accept_rest {
            return;
        }
        let rest = |listed: &[JudgementInput], id: &str, judgement: Judgement| {
            (judgement != Judgement::Rejected && !listed.iter().any(|j| j.id == id)).then(|| {
                JudgementInput {
                    id: id.to_owned(),
                    judgement: Judgement::Accepted,
                    feedback: None,
                }
            })
        };
        let criteria: Vec<JudgementInput> = instance
            .criteria
            .iter()
            .filter_map(|c| rest(&self.criteria, &c.criterion, c.judgement))
            .collect();
        let knowledge: Vec<JudgementInput> = instance
            .knowledge
            .iter()
            .filter_map(|k| rest(&self.knowledge, &k.item, k.judgement))
            .collect();
        self.criteria.extend(criteria);
        self.knowledge.extend(knowledge);
    }
}

/// Records the assessor's judgements (audited). Every judgement must name a mapping the record has.
/// Returns the record as judged and the criteria and knowledge items judged (those `accept_rest`
/// accepted included).
pub fn judge_evidence(
    conn: &mut DbConnection,
    enrolment: &Enrolment,
    evidence_id: EvidenceId,
    actor: UserId,
    mut judgements: Judgements,
    now: DateTime<Utc>,
) -> Result<(EvidenceRecord, Vec<String>), ActionError> {
    ensure_open(enrolment, true)?;
    let mut record = load_evidence(conn, enrolment.id, evidence_id)?;
    let before = crate::db::json::to_value(&record.instance)?;
    let mut problems = Problems::default();
    let asked_for_rest = judgements.accept_rest;
    judgements.expand(&record.instance);
    if judgements.criteria.is_empty() && judgements.knowledge.is_empty() && !asked_for_rest {
        problems.add("criteria", "judge at least one mapping");
    }
    let judged = judgements.ids();
    for (i, input) in judgements.criteria.iter().enumerate() {
        check_feedback(input, &format!("criteria[{i}]"), &mut problems);
        match record
            .instance
            .criteria
            .iter_mut()
            .find(|c| c.criterion == input.id)
        {
            Some(mapping) => {
                mapping.judgement = input.judgement;
                mapping.feedback = clean(&input.feedback);
            }
            None => problems.add(
                &format!("criteria[{i}].id"),
                format!("this evidence is not mapped to {}", input.id),
            ),
        }
    }
    for (i, input) in judgements.knowledge.iter().enumerate() {
        check_feedback(input, &format!("knowledge[{i}]"), &mut problems);
        match record
            .instance
            .knowledge
            .iter_mut()
            .find(|k| k.item == input.id)
        {
            Some(mapping) => {
                mapping.judgement = input.judgement;
                mapping.feedback = clean(&input.feedback);
            }
            None => problems.add(
                &format!("knowledge[{i}].id"),
                format!("this evidence does not cover {}", input.id),
            ),
        }
    }
    problems.finish()?;
    let timestamp = now.naive_utc();
    diesel::update(evidence::table.find(evidence_id))
        .set((
            evidence::instance.eq(crate::db::json::to_text(&record.instance)?),
            evidence::updated_at.eq(timestamp),
        ))
        .execute(conn)?;
    touch(conn, enrolment.id, timestamp)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(&actor.to_string()),
            action: "evidence.judge",
            entity: "enrolment",
            entity_id: &enrolment.id.to_string(),
            before: Some(serde_json::json!({ "evidence_id": evidence_id, "instance": before })),
            after: Some(
                serde_json::json!({ "evidence_id": evidence_id, "instance": record.instance }),
            ),
        },
    )?;
    Ok((record, judged))
}

fn check_feedback(input: &JudgementInput, at: &str, problems: &mut Problems) {
    if input.judgement == Judgement::Rejected && clean(&input.feedback).is_none() {
        problems.add(
            &format!("{at}.feedback"),
            "say why, so the candidate knows what to do next",
        );
    }
}

fn clean(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}
