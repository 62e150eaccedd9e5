//! The assessor's unit decision (`/enrolments/{id}/decision`): the confirmed view in brief — how
//! much is met, per outcome, and what is still missing — and the decision form. The decision is the
//! API's action (`signoff::chain::decide_unit`); when it is refused because the confirmed view is
//! incomplete, the page comes back with the engine's gaps next to the form and the comments kept.

mod decide;
mod marks;

use std::collections::BTreeMap;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::form::{Fields, FormState, field_id};
use super::portfolio::{SentBackView, ToDoView, to_do};
use super::rows::{Names, unit_name};
use super::view::{PageError, page_with_status};
use crate::action::ActionError;
use crate::auth::policy::{Action, EnrolmentStatus};
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::EnrolmentId;
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::session::Session;
use crate::http::shared::enrolments::authorize;
use crate::portfolio;
use crate::portfolio::AssessorMarks;
use crate::rules::portfolio::{Confirmation, Judgement, NotApplicable};
use crate::rules::{Progress, View};
use crate::signoff::chain;
use crate::signoff::feedback::{self};

pub use decide::*;
pub use marks::*;

#[derive(Debug, Serialize)]
struct OutcomeLine {
    label: String,
    title: String,
    progress: Progress,
}

#[derive(Debug, Serialize)]
struct DecisionView {
    title: String,
    id: String,
    candidate: String,
    unit: String,
    unit_title: String,
    status: String,
    /// The candidate has submitted: the decision can be made now.
    open: bool,
    /// Every requirement is met in the confirmed view.
    complete: bool,
    overall: Progress,
    outcomes: Vec<OutcomeLine>,
    /// What the engine says is missing in the confirmed view, in plain words.
    gaps: Vec<String>,
    /// The gaps the refused decision came back with (shown next to the form).
    refused: Vec<String>,
    /// Who signed the decision, when one has been made.
    decided: Option<String>,
    /// The assessor's marks can be changed (the portfolio is active or submitted).
    can_mark: bool,
    /// Rules only the assessor can confirm.
    confirmations: Vec<ConfirmLine>,
    /// Conditional criteria the assessor may mark not applicable.
    conditions: Vec<ConditionLine>,
    /// The internal verifier's disagreement waiting for the assessor's answer.
    sent_back: Option<SentBackView>,
    /// One answer field per action point of `sent_back`.
    responses: Vec<ResponseLine>,
    /// The last "not yet competent" decision, while the candidate acts on it.
    to_do: Option<ToDoView>,
    /// Just decided: competent or not_yet_competent.
    decided_now: Option<String>,
    csrf: String,
    form: FormState,
}

/// An action point with its answer field.
#[derive(Debug, Serialize)]
struct ResponseLine {
    point: String,
    field: String,
    id: String,
}

/// A rule no evidence can show, as the marks form offers it.
#[derive(Debug, Serialize)]
struct ConfirmLine {
    rule: String,
    statement: String,
    confirmed: bool,
    note: String,
    /// The note field's name and id.
    note_field: String,
    note_id: String,
}

/// A conditional criterion, as the marks form offers it.
#[derive(Debug, Serialize)]
struct ConditionLine {
    criterion: String,
    text: String,
    condition: String,
    not_applicable: bool,
    reason: String,
    /// The reason field's name and id.
    reason_field: String,
    reason_id: String,
}

/// The marks form's lines from the standard, the confirmed report and the marks recorded.
fn mark_lines(
    standard: &crate::standards::Standard,
    report: &crate::rules::Report<'_>,
    marks: &AssessorMarks,
) -> (Vec<ConfirmLine>, Vec<ConditionLine>) {
    let rules = report
        .unit_rules
        .iter()
        .chain(report.outcomes.iter().flat_map(|o| &o.rules));
    let mut confirmations: Vec<ConfirmLine> = Vec::new();
    for rule in rules {
        for check in rule.checks.iter().filter(|c| c.kind == "assessor_confirms") {
            if confirmations.iter().any(|c| c.rule == rule.id) {
                continue;
            }
            let recorded = marks.confirmations.iter().find(|c| c.rule == rule.id);
            let note_field = format!("note-{}", rule.id);
            confirmations.push(ConfirmLine {
                rule: rule.id.to_owned(),
                statement: check.requirement.to_string(),
                confirmed: recorded.is_some_and(|c| c.judgement == Judgement::Accepted),
                note: recorded.and_then(|c| c.note.clone()).unwrap_or_default(),
                note_id: field_id(&note_field),
                note_field,
            });
        }
    }
    let conditions = standard
        .outcomes
        .iter()
        .flat_map(|o| &o.criteria)
        .filter_map(|c| {
            let condition = c.condition.as_ref()?;
            let recorded = marks.not_applicable.iter().find(|n| n.criterion == c.id);
            let reason_field = format!("reason-{}", c.id);
            Some(ConditionLine {
                criterion: c.id.clone(),
                text: c.text.clone(),
                condition: condition.clone(),
                not_applicable: recorded.is_some_and(|n| n.judgement != Judgement::Rejected),
                reason: recorded.map(|n| n.reason.clone()).unwrap_or_default(),
                reason_id: field_id(&reason_field),
                reason_field,
            })
        })
        .collect();
    (confirmations, conditions)
}

/// The page; with `sent`, the marks form shows what was sent rather than what is recorded.
async fn render_marks(
    state: &AppState,
    session: Session,
    raw_id: String,
    form: FormState,
    refused: Vec<String>,
    sent: Option<AssessorMarks>,
    decided_now: Option<String>,
) -> Result<HttpResponse, PageError> {
    let id: EnrolmentId = typed_path_id(&raw_id)?;
    let catalogue = state.catalogue.clone();
    let for_tx = session.clone();
    let mut view = state
        .db
        .read(move |conn| decision_view(conn, &catalogue, &for_tx, id, sent.as_ref()))
        .await?;
    let status = if refused.is_empty() && !form.has_errors() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    view.form = form;
    view.refused = refused;
    view.decided_now = decided_now;
    page_with_status(state, Some(&session), "pages/decision.html", &view, status)
}

fn decision_view(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    session: &Session,
    id: EnrolmentId,
    sent: Option<&AssessorMarks>,
) -> Result<DecisionView, ActionError> {
    let enrolment = authorize(conn, session, id, Action::DecideUnit)?;
    let mut names = Names::default();
    let candidate = names.of(conn, enrolment.candidate_id)?;
    let evaluation =
        portfolio::Evaluation::load(conn, catalogue, &enrolment, Some(candidate.clone()))?;
    let standard = evaluation.standard;
    let confirmed = &evaluation.report(View::Confirmed);
    // The latest assessor signature is the decision in force (a reopened one is superseded).
    let decided = match enrolment.decided_by {
        Some(_) => chain::sign_offs_of(conn, enrolment.id)?
            .into_iter()
            .rev()
            .find(|s| s.role == "assessor")
            .map(|s| format!("{} on {}", s.user_name, s.signed_on)),
        None => None,
    };
    let recorded = AssessorMarks::recorded(&enrolment)?;
    let (confirmations, conditions) = mark_lines(standard, confirmed, sent.unwrap_or(&recorded));
    let sent_back = feedback::pending(conn, enrolment.id)?;
    let responses = sent_back
        .as_ref()
        .map(|s| {
            let points = if s.action_points.is_empty() {
                vec![s.feedback.clone()]
            } else {
                s.action_points.clone()
            };
            points
                .into_iter()
                .enumerate()
                .map(|(i, point)| {
                    let field = format!("responses.{i}");
                    ResponseLine {
                        point,
                        id: field_id(&field),
                        field,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let to_do = to_do(conn, &enrolment)?;
    Ok(DecisionView {
        title: format!("Unit decision — {candidate}"),
        id: enrolment.id.to_string(),
        candidate,
        unit: unit_name(standard),
        unit_title: standard.title.clone(),
        status: enrolment.status.to_string(),
        open: enrolment.status() == EnrolmentStatus::Submitted,
        complete: confirmed.complete,
        overall: confirmed.progress,
        outcomes: confirmed
            .outcomes
            .iter()
            .map(|o| OutcomeLine {
                label: format!("Outcome {}", o.id),
                title: o.title.to_string(),
                progress: o.progress,
            })
            .collect(),
        gaps: confirmed.gaps.iter().map(|g| g.message.clone()).collect(),
        refused: Vec::new(),
        decided,
        can_mark: matches!(
            enrolment.status(),
            EnrolmentStatus::Active | EnrolmentStatus::Submitted
        ),
        confirmations,
        conditions,
        sent_back: sent_back.map(SentBackView::from),
        responses,
        to_do,
        decided_now: None,
        csrf: session.csrf.clone(),
        form: FormState::default(),
    })
}

/// The marks as the decision and marks forms post them: the `confirm` rules ticked (with
/// `note-RULE`) and the `na` criteria ticked (with the required `reason-CRITERION`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MarksForm {
    confirm: Vec<String>,
    #[serde(rename = "note-")]
    notes: BTreeMap<String, String>,
    na: Vec<String>,
    #[serde(rename = "reason-")]
    reasons: BTreeMap<String, String>,
}

/// The non-blank values, trimmed (ticked boxes).
fn ticked(values: &[String]) -> impl Iterator<Item = String> + '_ {
    values
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// The text typed under `key`, trimmed, when not blank.
fn filled(typed: &BTreeMap<String, String>, key: &str) -> Option<String> {
    typed
        .get(key)
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// The marks the form ticks. A tick without its reason is an error by that reason's field; a
/// form of the wrong shape (a note sent twice) is refused naming the field.
fn marks_from(fields: &Fields) -> Result<(AssessorMarks, BTreeMap<String, String>), PageError> {
    let form: MarksForm = fields.read()?;
    let mut errors = BTreeMap::new();
    let confirmations = ticked(&form.confirm)
        .map(|rule| Confirmation {
            note: filled(&form.notes, &rule),
            rule,
            judgement: Judgement::Accepted,
        })
        .collect();
    let not_applicable = ticked(&form.na)
        .map(|criterion| {
            let reason = filled(&form.reasons, &criterion).unwrap_or_default();
            if reason.is_empty() {
                errors.insert(
                    format!("reason-{criterion}"),
                    format!("Say why the condition of {criterion} did not arise"),
                );
            }
            NotApplicable {
                criterion,
                reason,
                judgement: Judgement::Accepted,
                feedback: None,
            }
        })
        .collect();
    Ok((
        AssessorMarks {
            not_applicable,
            confirmations,
        },
        errors,
    ))
}
