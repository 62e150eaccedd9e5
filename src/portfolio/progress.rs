//! Progress: the portfolio as the engine reads it, evaluated in both views.

use serde::Serialize;

use super::enrolment::Enrolment;
use super::evidence::EvidenceRecord;
use crate::rules::portfolio::{Confirmation, NotApplicable, Portfolio, StandardRef};
use crate::rules::{Interpretations, Report, View};
use crate::standards::Standard;

/// The assessor's marks kept on the enrolment.
#[derive(Debug, Default, serde::Deserialize)]
struct Marks {
    #[serde(default)]
    not_applicable: Vec<NotApplicable>,
    #[serde(default)]
    confirmations: Vec<Confirmation>,
}

/// The enrolment's evidence as one engine portfolio.
pub fn build_portfolio(
    enrolment: &Enrolment,
    candidate_name: Option<String>,
    records: &[EvidenceRecord],
) -> Portfolio {
    let marks: Marks = serde_json::from_str(&enrolment.assessor_marks).unwrap_or_default();
    Portfolio {
        standard: StandardRef {
            code: enrolment.standard_code.clone(),
            version: u32::try_from(enrolment.standard_version).unwrap_or(0),
        },
        candidate: candidate_name,
        evidence: records.iter().map(|r| r.instance.clone()).collect(),
        not_applicable: marks.not_applicable,
        confirmations: marks.confirmations,
    }
}

/// What the engine says of a portfolio in both views. The reports borrow from the standard and
/// the portfolio they were made from; serialise them to keep them longer.
#[derive(Debug, Clone, Serialize)]
pub struct ProgressReport<'a> {
    /// Everything mapped, judged or not.
    pub claimed: Report<'a>,
    /// Only what the assessor accepted: the view that can complete the unit.
    pub confirmed: Report<'a>,
}

/// Evaluates the portfolio in both views.
pub fn progress<'a>(
    standard: &'a Standard,
    portfolio: &'a Portfolio,
    interpretations: &Interpretations,
) -> ProgressReport<'a> {
    let engine = crate::rules::Engine::new(standard, interpretations);
    ProgressReport {
        claimed: engine.evaluate(portfolio, View::Claimed),
        confirmed: engine.evaluate(portfolio, View::Confirmed),
    }
}

/// The assessor's marks: conditional criteria whose condition did not arise, and confirmations of
/// rules no evidence can show.
#[derive(Debug, Clone, Default, serde::Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessorMarks {
    /// Criteria marked not applicable, each with the reason.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub not_applicable: Vec<NotApplicable>,
    /// Rules confirmed (or not) by the assessor.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub confirmations: Vec<Confirmation>,
}

/// Replaces the assessor's marks on an enrolment (audited). Every id must exist in the standard.
pub fn set_marks(
    conn: &mut crate::db::DbConnection,
    standard: &Standard,
    enrolment: &Enrolment,
    actor_id: &str,
    marks: AssessorMarks,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<AssessorMarks, crate::action::ActionError> {
    use diesel::prelude::*;

    use crate::db::schema::enrolments;
    let mut problems = crate::action::Problems::default();
    for (i, mark) in marks.not_applicable.iter().enumerate() {
        let criterion = standard
            .outcomes
            .iter()
            .flat_map(|o| &o.criteria)
            .find(|c| c.id == mark.criterion);
        match criterion {
            None => problems.add(
                &format!("not_applicable[{i}].criterion"),
                format!("{} is not a criterion of this standard", mark.criterion),
            ),
            Some(c) if c.condition.is_none() => problems.add(
                &format!("not_applicable[{i}].criterion"),
                format!(
                    "{} is not conditional: it applies to every candidate",
                    mark.criterion
                ),
            ),
            Some(_) => {}
        }
        if mark.reason.trim().is_empty() {
            problems.add(
                &format!("not_applicable[{i}].reason"),
                "say why the condition did not arise",
            );
        }
    }
    for (i, confirmation) in marks.confirmations.iter().enumerate() {
        if !standard.rules.iter().any(|r| r.id == confirmation.rule) {
            problems.add(
                &format!("confirmations[{i}].rule"),
                format!("{} is not a rule of this standard", confirmation.rule),
            );
        }
    }
    problems.finish()?;
    if !matches!(
        enrolment.status(),
        crate::auth::policy::EnrolmentStatus::Active
            | crate::auth::policy::EnrolmentStatus::Submitted
    ) {
        return Err(crate::action::ActionError::Conflict(format!(
            "the portfolio is {}: it is locked until the assessor reopens it",
            enrolment.status
        )));
    }
    let json = serde_json::json!({ "not_applicable": marks.not_applicable, "confirmations": marks.confirmations });
    diesel::update(enrolments::table.find(&enrolment.id))
        .set((
            enrolments::assessor_marks.eq(json.to_string()),
            enrolments::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    crate::audit::append(
        conn,
        crate::audit::Change {
            actor_id: Some(actor_id),
            action: "enrolment.marks",
            entity: "enrolment",
            entity_id: &enrolment.id,
            before: serde_json::from_str(&enrolment.assessor_marks).ok(),
            after: Some(json),
        },
    )?;
    Ok(marks)
}
