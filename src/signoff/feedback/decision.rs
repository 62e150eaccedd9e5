//! The assessor's unit decision: competent, or not yet competent with feedback and the gaps.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::action::ActionError;
use crate::audit::{self, Change};
use crate::auth::policy::EnrolmentStatus;
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::{EnrolmentId, UnitFeedbackId, UserId};
use crate::db::json::Json;
use crate::db::schema::unit_feedback;
use crate::portfolio::{self, Enrolment};
use crate::signoff::chain;

use super::{pending, respond};

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
