//! The hand-offs around the unit decision (issue 15):
//!
//! - **IV → assessor → IV.** An IV's summative disagreement sends the decision back; until the
//!   assessor has recorded what they did about each action point the enrolment is "sent back by the
//!   IV" ([`pending`]) and no new decision can be signed. [`respond`] records the answers (audited),
//!   which the IV then reads in the sample's history beside the new decision.
//! - **The decision.** [`decide`] takes the outcome ("competent" or "not yet competent"), the
//!   comments and the answers to the IV together. "Not yet competent" keeps the engine's gaps with
//!   the assessor's feedback ([`UnitFeedback`]) and gives the portfolio back to the candidate, who
//!   sees them as things to do.

use crate::db::FirstRow;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::chain;
use super::plans::{Sample, samples_of};
use crate::action::{ActionError, Problems};
use crate::audit::{self, Change};
use crate::auth::policy::EnrolmentStatus;
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::{EnrolmentId, SampleId, UnitFeedbackId, UserId};
use crate::db::json::Json;
use crate::db::schema::{iv_responses, unit_feedback};
use crate::identity;
use crate::portfolio::{self, Enrolment};

/// The action points of a sample, one per line (list markers such as `-`, `*`, `•` or `1.` taken
/// off). Text with no line breaks is one action point.
pub fn action_points(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| {
            let line = line.trim();
            let without_number = line
                .split_once(['.', ')'])
                .filter(|(n, rest)| {
                    !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) && rest.starts_with(' ')
                })
                .map_or(line, |(_, rest)| rest);
            without_number
                .trim_start_matches(['-', '*', '•'])
                .trim()
                .to_owned()
        })
        .filter(|line| !line.is_empty())
        .collect()
}

/// An IV's disagreement the assessor has not answered yet.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SentBack {
    /// The sample that sent the decision back.
    #[schema(value_type = String)]
    pub sample_id: SampleId,
    /// The internal verifier's name.
    pub verifier: String,
    /// The internal verifier's user id.
    #[schema(value_type = String)]
    pub verifier_id: UserId,
    /// The date sampled.
    pub date_sampled: NaiveDate,
    /// The IV's feedback.
    pub feedback: String,
    /// The action points, one answer each.
    pub action_points: Vec<String>,
}

/// One action point and what the assessor did about it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct PointResponse {
    /// The IV's action point.
    pub point: String,
    /// What the assessor did about it.
    pub response: String,
}

/// The assessor's answer to a sample that sent their decision back.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IvResponse {
    /// The sample answered.
    #[schema(value_type = String)]
    pub sample_id: SampleId,
    /// The enrolment.
    #[schema(value_type = String)]
    pub enrolment_id: EnrolmentId,
    /// The assessor.
    #[schema(value_type = String)]
    pub assessor_id: UserId,
    /// The assessor's name.
    pub assessor: String,
    /// Each action point with its answer.
    pub responses: Vec<PointResponse>,
    /// When.
    #[serde(serialize_with = "crate::db::utc::serialize")]
    pub responded_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = iv_responses)]
struct ResponseRow {
    sample_id: SampleId,
    enrolment_id: EnrolmentId,
    assessor_id: UserId,
    responses: String,
    responded_at: NaiveDateTime,
}

/// The disagreement waiting for the assessor's answer: the latest summative sample, when it
/// disagreed and has no answer.
pub fn pending(
    conn: &mut DbConnection,
    enrolment_id: EnrolmentId,
) -> Result<Option<SentBack>, ActionError> {
    let Some(sample) = samples_of(conn, enrolment_id)?
        .into_iter()
        .find(|s| s.kind == "summative")
    else {
        return Ok(None);
    };
    if sample.decision != "disagree" {
        return Ok(None);
    }
    let answered = iv_responses::table
        .find(sample.id)
        .select(iv_responses::sample_id)
        .first_row::<SampleId, _>(conn)
        .optional()?
        .is_some();
    if answered {
        return Ok(None);
    }
    Ok(Some(sent_back(conn, sample)?))
}

fn sent_back(conn: &mut DbConnection, sample: Sample) -> Result<SentBack, ActionError> {
    Ok(SentBack {
        verifier: identity::load_user(conn, sample.iv_id)?.name,
        verifier_id: sample.iv_id,
        action_points: action_points(&sample.action_points),
        sample_id: sample.id,
        date_sampled: sample.date_sampled,
        feedback: sample.feedback,
    })
}

/// Records the assessor's answer to each action point of the pending disagreement (audited as
/// `iv.respond`). `responses` are in the order of the action points; each must say something.
pub fn respond(
    conn: &mut DbConnection,
    base: &str,
    enrolment: &Enrolment,
    assessor: UserId,
    responses: &[String],
    now: DateTime<Utc>,
) -> Result<IvResponse, ActionError> {
    let Some(open) = pending(conn, enrolment.id)? else {
        return Err(ActionError::Conflict(
            "no internal verifier's feedback is waiting for an answer".to_owned(),
        ));
    };
    let points = if open.action_points.is_empty() {
        vec![open.feedback.clone()]
    } else {
        open.action_points.clone()
    };
    let mut problems = Problems::default();
    let answers: Vec<PointResponse> = points
        .iter()
        .enumerate()
        .map(|(i, point)| {
            let response = responses.get(i).map_or("", |r| r.trim()).to_owned();
            if response.is_empty() {
                problems.add(
                    &format!("responses.{i}"),
                    format!("say what you did about \u{201c}{point}\u{201d}"),
                );
            }
            PointResponse {
                point: point.clone(),
                response,
            }
        })
        .collect();
    if responses.len() > points.len() {
        problems.add(
            "responses",
            format!(
                "give one answer for each of the {} action points",
                points.len()
            ),
        );
    }
    problems.finish()?;
    let row = ResponseRow {
        sample_id: open.sample_id,
        enrolment_id: enrolment.id,
        assessor_id: assessor,
        responses: crate::db::json::to_text(&answers)?,
        responded_at: now.naive_utc(),
    };
    diesel::insert_into(iv_responses::table)
        .values(&row)
        .execute(conn)?;
    let response = IvResponse {
        sample_id: row.sample_id,
        enrolment_id: row.enrolment_id,
        assessor: identity::load_user(conn, assessor)?.name,
        assessor_id: row.assessor_id,
        responses: answers,
        responded_at: row.responded_at,
    };
    audit::append(
        conn,
        Change {
            actor_id: Some(&assessor.to_string()),
            action: "iv.respond",
            entity: "enrolment",
            entity_id: &enrolment.id.to_string(),
            before: Some(serde_json::json!({
                "sample_id": open.sample_id,
                "feedback": open.feedback,
                "action_points": open.action_points,
            })),
            after: Some(crate::db::json::to_value(&response)?),
        },
    )?;
    crate::notify::events::iv_responded(conn, base, enrolment, open.verifier_id, now)?;
    Ok(response)
}

/// The assessor's answers on an enrolment, oldest first.
pub fn responses_of(
    conn: &mut DbConnection,
    enrolment_id: EnrolmentId,
) -> Result<Vec<IvResponse>, ActionError> {
    let rows: Vec<ResponseRow> = iv_responses::table
        .filter(iv_responses::enrolment_id.eq(enrolment_id))
        .order(iv_responses::responded_at.asc())
        .select(ResponseRow::as_select())
        .load(conn)?;
    rows.into_iter()
        .map(|row| {
            Ok(IvResponse {
                assessor: identity::load_user(conn, row.assessor_id)?.name,
                responses: crate::db::json::from_text(&row.responses)?,
                sample_id: row.sample_id,
                enrolment_id: row.enrolment_id,
                assessor_id: row.assessor_id,
                responded_at: row.responded_at,
            })
        })
        .collect()
}

/// The answer to one sample, if there is one.
pub fn response_to(
    conn: &mut DbConnection,
    sample_id: SampleId,
) -> Result<Option<IvResponse>, ActionError> {
    let enrolment_id: Option<EnrolmentId> = iv_responses::table
        .find(sample_id)
        .select(iv_responses::enrolment_id)
        .first_row(conn)
        .optional()?;
    Ok(match enrolment_id {
        Some(id) => responses_of(conn, id)?
            .into_iter()
            .find(|r| r.sample_id == sample_id),
        None => None,
    })
}

/// The assessor's decision on the unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every requirement met: the assessor signs.
    Competent,
    /// Not yet: the portfolio goes back to the candidate with the gaps and feedback.
    NotYetCompetent,
}

/// What the assessor submits with the decision.
#[derive(Debug, Clone)]
pub struct Decision {
    /// The outcome.
    pub outcome: Outcome,
    /// Comments (printed on the statement) or, for "not yet competent", feedback to the candidate.
    pub comments: String,
    /// Answers to the IV's action points, when a disagreement is waiting for them.
    pub responses: Vec<String>,
}

/// A "not yet competent" decision: feedback and the gaps, for the candidate.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = unit_feedback)]
pub struct UnitFeedback {
    /// Its id.
    #[schema(value_type = String)]
    pub id: UnitFeedbackId,
    /// The enrolment.
    #[schema(value_type = String)]
    pub enrolment_id: EnrolmentId,
    /// The assessor.
    #[schema(value_type = String)]
    pub assessor_id: UserId,
    /// The assessor's feedback to the candidate.
    pub feedback: String,
    /// The gaps in the confirmed view when the decision was made, in the engine's words.
    #[schema(value_type = Vec<String>)]
    pub gaps: Json<Vec<String>>,
    /// When.
    #[serde(serialize_with = "crate::db::utc::serialize")]
    pub decided_at: NaiveDateTime,
}

impl UnitFeedback {
    /// The gaps, as a list.
    pub fn gap_list(&self) -> Vec<String> {
        self.gaps.0.clone()
    }
}

/// The assessor's unit decision, with the answers to the IV when the decision was sent back. The
/// answers are recorded first (a decision cannot be signed while a disagreement is unanswered).
pub fn decide(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    base: &str,
    enrolment: &Enrolment,
    assessor: UserId,
    decision: &Decision,
    now: DateTime<Utc>,
) -> Result<Enrolment, ActionError> {
    if enrolment.status() == EnrolmentStatus::Submitted && pending(conn, enrolment.id)?.is_some() {
        respond(conn, base, enrolment, assessor, &decision.responses, now)?;
    }
    match decision.outcome {
        Outcome::Competent => chain::decide_unit(
            conn,
            catalogue,
            enrolment,
            assessor,
            &decision.comments,
            now,
        ),
        Outcome::NotYetCompetent => not_yet_competent(
            conn,
            catalogue,
            base,
            enrolment,
            assessor,
            &decision.comments,
            now,
        ),
    }
}

/// "Not yet competent": records the feedback and the confirmed view's gaps and gives the portfolio
/// back to the candidate (audited as `enrolment.not_yet_competent`, then `enrolment.reopen`).
pub fn not_yet_competent(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    base: &str,
    enrolment: &Enrolment,
    assessor: UserId,
    feedback: &str,
    now: DateTime<Utc>,
) -> Result<Enrolment, ActionError> {
    if enrolment.status() != EnrolmentStatus::Submitted {
        return Err(ActionError::Conflict(match enrolment.status() {
            EnrolmentStatus::Active => {
                "the candidate has not submitted the portfolio yet".to_owned()
            }
            other => format!(
                "the portfolio is {}: the unit decision has been made",
                other.as_str()
            ),
        }));
    }
    let feedback = feedback.trim();
    if feedback.is_empty() {
        return Err(ActionError::invalid(
            "comments",
            "tell the candidate what they still need to do",
        ));
    }
    if pending(conn, enrolment.id)?.is_some() {
        return Err(ActionError::invalid(
            "responses",
            "answer each of the internal verifier's action points first",
        ));
    }
    let evaluation = portfolio::Evaluation::load(conn, catalogue, enrolment, None)?;
    let gaps: Vec<String> = evaluation
        .report(crate::rules::View::Confirmed)
        .gaps
        .iter()
        .map(|g| g.message.to_string())
        .collect();
    let row = UnitFeedback {
        id: UnitFeedbackId::random(),
        enrolment_id: enrolment.id,
        assessor_id: assessor,
        feedback: feedback.to_owned(),
        gaps: Json(gaps),
        decided_at: now.naive_utc(),
    };
    diesel::insert_into(unit_feedback::table)
        .values(&row)
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(&assessor.to_string()),
            action: "enrolment.not_yet_competent",
            entity: "enrolment",
            entity_id: &enrolment.id.to_string(),
            before: Some(serde_json::json!({ "status": enrolment.status })),
            after: Some(serde_json::json!({
                "decision": "not_yet_competent",
                "feedback": row.feedback,
                "gaps": row.gaps,
            })),
        },
    )?;
    crate::notify::events::not_yet_competent(conn, base, enrolment, feedback, now)?;
    portfolio::reopen(
        conn,
        enrolment,
        assessor,
        &format!("Not yet competent: {feedback}"),
        now,
    )
}

/// The latest "not yet competent" feedback, while the candidate still has it to act on (the
/// portfolio is active again); `None` once they have submitted again.
pub fn open_feedback(
    conn: &mut DbConnection,
    enrolment: &Enrolment,
) -> Result<Option<UnitFeedback>, ActionError> {
    if enrolment.status() != EnrolmentStatus::Active {
        return Ok(None);
    }
    Ok(feedback_of(conn, enrolment.id)?.into_iter().next_back())
}

/// Every "not yet competent" decision on an enrolment, oldest first.
pub fn feedback_of(
    conn: &mut DbConnection,
    enrolment_id: EnrolmentId,
) -> Result<Vec<UnitFeedback>, ActionError> {
    Ok(unit_feedback::table
        .filter(unit_feedback::enrolment_id.eq(enrolment_id))
        .order((unit_feedback::decided_at.asc(), unit_feedback::id.asc()))
        .select(UnitFeedback::as_select())
        .load(conn)?)
}

#[cfg(test)]
mod tests {
    use super::action_points;

    #[test]
    fn action_points_are_lines_without_their_markers() {
        assert_eq!(
            action_points(
                "1. Re-check the complaint call\n- Record the second enquiry\n\n• Sign the notes"
            ),
            vec![
                "Re-check the complaint call",
                "Record the second enquiry",
                "Sign the notes"
            ]
        );
        assert_eq!(action_points("One thing only"), vec!["One thing only"]);
        assert!(action_points("  \n ").is_empty());
        assert_eq!(action_points("3.5 hours logged"), vec!["3.5 hours logged"]);
    }
}
