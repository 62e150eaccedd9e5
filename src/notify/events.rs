//! The events people are told about, each written in the transaction of the change it reports.

use chrono::{DateTime, Utc};

use super::{Event, notify};
use crate::action::ActionError;
use crate::db::DbConnection;
use crate::db::ids::{QuestionRequestId, UserId};
use crate::portfolio::{Enrolment, EvidenceRecord};
use crate::rules::portfolio::Judgement;
use crate::signoff::plans::Sample;

fn what(record: &EvidenceRecord) -> String {
    let label = record.instance.method.label();
    match &record.instance.title {
        Some(title) if !title.trim().is_empty() => format!("{label} \u{201c}{title}\u{201d}"),
        _ => format!("{label} of {}", record.instance.date),
    }
}

/// The candidate added evidence: it waits for the assessor's judgement (testimony waits for its
/// witness first; the assessor is told when the witness confirms).
pub fn evidence_added(
    conn: &mut DbConnection,
    base: &str,
    enrolment: &Enrolment,
    record: &EvidenceRecord,
    actor: UserId,
    now: DateTime<Utc>,
) -> Result<(), ActionError> {
    let Some(assessor) = enrolment.assessor_id else {
        return Ok(());
    };
    if assessor == actor || record.awaiting_witness() {
        return Ok(());
    }
    notify(
        conn,
        base,
        enrolment.org_id,
        assessor,
        Event::EvidenceWaiting,
        &format!("New evidence waits for your judgement: {}", what(record)),
        &format!("/enrolments/{}/evidence/{}/judge", enrolment.id, record.id),
        now,
    )
}

/// The assessor judged evidence: the candidate hears of each rejection, with the feedback.
pub fn evidence_judged(
    conn: &mut DbConnection,
    base: &str,
    enrolment: &Enrolment,
    record: &EvidenceRecord,
    judged: &[String],
    now: DateTime<Utc>,
) -> Result<(), ActionError> {
    let rejected: Vec<String> = record
        .instance
        .criteria
        .iter()
        .filter(|c| c.judgement == Judgement::Rejected && judged.contains(&c.criterion))
        .map(|c| match &c.feedback {
            Some(feedback) => format!("{}: {feedback}", c.criterion),
            None => c.criterion.clone(),
        })
        .chain(
            record
                .instance
                .knowledge
                .iter()
                .filter(|k| k.judgement == Judgement::Rejected && judged.contains(&k.item))
                .map(|k| match &k.feedback {
                    Some(feedback) => format!("{}: {feedback}", k.item),
                    None => k.item.clone(),
                }),
        )
        .collect();
    if rejected.is_empty() {
        return Ok(());
    }
    notify(
        conn,
        base,
        enrolment.org_id,
        enrolment.candidate_id,
        Event::EvidenceRejected,
        &format!(
            "Your assessor did not accept {} for {}",
            what(record),
            rejected.join("; ")
        ),
        &format!("/enrolments/{}#evidence-{}", enrolment.id, record.id),
        now,
    )
}

/// The internal verifier disagreed with a decision: the assessor gets the feedback.
pub fn sample_recorded(
    conn: &mut DbConnection,
    base: &str,
    enrolment: &Enrolment,
    sample: &Sample,
    now: DateTime<Utc>,
) -> Result<(), ActionError> {
    let Some(assessor) = enrolment.assessor_id else {
        return Ok(());
    };
    if sample.decision != "disagree" {
        return Ok(());
    }
    notify(
        conn,
        base,
        enrolment.org_id,
        assessor,
        Event::IvFeedback,
        &format!(
            "The internal verifier disagreed with your decision: {} Action points: {}",
            sample.feedback.trim(),
            sample.action_points.trim()
        ),
        &format!("/enrolments/{}/decision", enrolment.id),
        now,
    )
}

/// A statement of competence was issued: the candidate can download it.
pub fn statement_issued(
    conn: &mut DbConnection,
    base: &str,
    enrolment: &Enrolment,
    code: &str,
    now: DateTime<Utc>,
) -> Result<(), ActionError> {
    notify(
        conn,
        base,
        enrolment.org_id,
        enrolment.candidate_id,
        Event::StatementIssued,
        &format!(
            "Your statement of competence for unit {} is issued. Its verification code is {code}.",
            enrolment.standard_code
        ),
        &format!("/enrolments/{}", enrolment.id),
        now,
    )
}

/// The assessor answered the action points of an IV's disagreement: the IV can check the response
/// and the new decision.
pub fn iv_responded(
    conn: &mut DbConnection,
    base: &str,
    enrolment: &Enrolment,
    verifier_id: UserId,
    now: DateTime<Utc>,
) -> Result<(), ActionError> {
    notify(
        conn,
        base,
        enrolment.org_id,
        verifier_id,
        Event::IvResponded,
        &format!(
            "The assessor answered your action points on unit {}: check the response and the new decision",
            enrolment.standard_code
        ),
        &format!("/enrolments/{}/decision", enrolment.id),
        now,
    )
}

/// The assessor decided "not yet competent": the candidate gets the feedback as things to do.
pub fn not_yet_competent(
    conn: &mut DbConnection,
    base: &str,
    enrolment: &Enrolment,
    feedback: &str,
    now: DateTime<Utc>,
) -> Result<(), ActionError> {
    notify(
        conn,
        base,
        enrolment.org_id,
        enrolment.candidate_id,
        Event::NotYetCompetent,
        &format!(
            "Your assessor decided \u{201c}not yet competent\u{201d} for unit {}: {}",
            enrolment.standard_code,
            feedback.trim()
        ),
        &format!("/enrolments/{}", enrolment.id),
        now,
    )
}

/// The candidate acknowledged an observation or questioning record: its assessor is told.
pub fn record_acknowledged(
    conn: &mut DbConnection,
    base: &str,
    enrolment: &Enrolment,
    record: &EvidenceRecord,
    comment: &str,
    now: DateTime<Utc>,
) -> Result<(), ActionError> {
    let said = if comment.is_empty() {
        String::new()
    } else {
        format!(", commenting: {comment}")
    };
    notify(
        conn,
        base,
        enrolment.org_id,
        record.recorded_by,
        Event::RecordAcknowledged,
        &format!("The candidate acknowledged {}{said}", what(record)),
        &format!("/enrolments/{}#evidence-{}", enrolment.id, record.id),
        now,
    )
}

/// The assessor sent a set of questions: the candidate is told where to answer them.
pub fn questions_sent(
    conn: &mut DbConnection,
    base: &str,
    enrolment: &Enrolment,
    request_id: QuestionRequestId,
    title: &str,
    due_on: Option<chrono::NaiveDate>,
    now: DateTime<Utc>,
) -> Result<(), ActionError> {
    let due = due_on
        .map(|d| format!(" by {}", d.format("%-d %B %Y")))
        .unwrap_or_default();
    notify(
        conn,
        base,
        enrolment.org_id,
        enrolment.candidate_id,
        Event::QuestionsSent,
        &format!(
            "Your assessor sent you questions to answer{due}: \u{201c}{title}\u{201d} (unit {})",
            enrolment.standard_code
        ),
        &format!("/enrolments/{}/questions/{request_id}", enrolment.id),
        now,
    )
}

/// The candidate answered a set of questions: the assessor who sent it is told it waits for marking.
pub fn questions_answered(
    conn: &mut DbConnection,
    base: &str,
    enrolment: &Enrolment,
    assessor_id: UserId,
    request_id: QuestionRequestId,
    title: &str,
    now: DateTime<Utc>,
) -> Result<(), ActionError> {
    notify(
        conn,
        base,
        enrolment.org_id,
        assessor_id,
        Event::QuestionsAnswered,
        &format!("The candidate answered \u{201c}{title}\u{201d}: it waits for your marking"),
        &format!("/enrolments/{}/questions/{request_id}", enrolment.id),
        now,
    )
}

/// The assessor marked the candidate's answers: the candidate hears how many were satisfactory.
#[allow(clippy::too_many_arguments)]
pub fn questions_marked(
    conn: &mut DbConnection,
    base: &str,
    enrolment: &Enrolment,
    request_id: QuestionRequestId,
    title: &str,
    satisfactory: usize,
    total: usize,
    now: DateTime<Utc>,
) -> Result<(), ActionError> {
    notify(
        conn,
        base,
        enrolment.org_id,
        enrolment.candidate_id,
        Event::QuestionsMarked,
        &format!(
            "Your assessor marked your answers to \u{201c}{title}\u{201d}: {satisfactory} of {total} satisfactory"
        ),
        &format!("/enrolments/{}/questions/{request_id}", enrolment.id),
        now,
    )
}
