//! Questions the candidate answers (issue 16 item 4). An assessor builds a question set from the
//! standard's knowledge items (each item's text is the prompt; the assessor words the question),
//! sends it to a candidate, the candidate answers in their own words (typed, or an uploaded
//! recording), and the assessor marks each answer satisfactory or not yet. Marking writes one
//! questioning evidence record (oral when answers were recordings, written when typed, or as the
//! assessor chooses) mapped to what the satisfactory answers cover, accepted by the assessor, so
//! the rules engine counts it. A set belongs to the organisation and is reused for any candidate on
//! its unit.
//!
//! Every step here (`sets`, `send`, `answers`, `mark`, `read`) checks the policy and writes its
//! audit entry itself; [`actions`] loads by typed id and calls them, and the API and the pages call
//! only [`actions`].

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::enrolment::Enrolment;
use super::evidence::{EvidenceDetails, MappingInput, NewEvidence, QuestionAnswer, StoredFile};
use crate::action::{ActionError, Problems};
use crate::audit::{self, Change};
use crate::auth::policy::{self, Action, Actor, EnrolmentStatus, Resource};
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::{
    EnrolmentId, EvidenceId, Id, OrgId, QuestionAnswerId, QuestionItemId, QuestionRequestId,
    QuestionSetId, UserId,
};
use crate::db::schema::{question_answers, question_requests, question_set_items, question_sets};
use crate::rules::portfolio::Setting;
use crate::standards::{Method, Standard};

pub mod actions;
mod answers;
mod mark;
mod read;
mod send;
mod sets;
#[cfg(test)]
mod tests;

use read::{read_request, read_set, to_set};

pub use answers::is_recording;
pub use read::{requests_of, waiting_marking};
pub use sets::prompts;

// The steps, each asking the policy and auditing; only this folder's actions call them.
use answers::{answer, attach_recording, may_attach_recording};
use mark::mark;
use read::{list_requests, load_request, recording_of};
use send::send;
use sets::{create_set, list_sets, load_set, update_set};

/// A question is a paragraph at most.
const LONGEST_QUESTION: usize = 2000;
/// A typed answer may be long, but bounded.
const LONGEST_ANSWER: usize = 20_000;
/// Enough for a whole unit's knowledge, one question each, with room to spare.
const MOST_QUESTIONS: usize = 60;
/// A marking comment.
const LONGEST_COMMENT: usize = 2000;

crate::text_enum! {
    /// Where a sent set stands, as stored in `question_requests.status`.
    pub enum QuestionRequestStatus: "question request status" {
        /// Sent; the candidate has not submitted their answers yet (drafts may be saved).
        Sent = "sent",
        /// The candidate submitted an answer to every question; it waits for marking.
        Answered = "answered",
        /// The assessor marked every answer.
        Marked = "marked",
    }
}

/// A mark given to one answer.
pub mod result {
    /// The answer shows the knowledge.
    pub const SATISFACTORY: &str = "satisfactory";
    /// It does not yet.
    pub const NOT_YET: &str = "not_yet";
}

/// A question set with its questions.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuestionSet {
    /// Its id.
    #[schema(value_type = String)]
    pub id: QuestionSetId,
    /// The organisation it belongs to.
    #[schema(value_type = String)]
    pub org_id: OrgId,
    /// The unit's code.
    pub standard_code: String,
    /// The version it was written against.
    pub standard_version: i32,
    /// Its title.
    pub title: String,
    /// Who wrote it.
    #[schema(value_type = String)]
    pub created_by: UserId,
    /// When.
    #[serde(serialize_with = "crate::db::utc::serialize")]
    pub created_at: NaiveDateTime,
    /// Last changed.
    #[serde(serialize_with = "crate::db::utc::serialize")]
    pub updated_at: NaiveDateTime,
    /// The questions, in order.
    pub items: Vec<QuestionItem>,
}

/// One question of a set.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuestionItem {
    /// Its id.
    #[schema(value_type = String)]
    pub id: QuestionItemId,
    /// Its place in the set, from 1.
    pub position: i32,
    /// The knowledge item or criterion ids it covers.
    pub covers: Vec<String>,
    /// The question as the assessor worded it.
    pub question: String,
}

/// A question set to create, or the new content of one.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewQuestionSet {
    /// The unit: `CODE` (newest version) or `CODE@VERSION`. Ignored when a set is changed (a set
    /// stays on its unit).
    #[serde(default)]
    pub standard: String,
    /// A title people recognise it by.
    pub title: String,
    /// The questions, in order.
    pub items: Vec<NewQuestion>,
}

/// A question to include.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewQuestion {
    /// The knowledge item (or criterion) ids it covers, e.g. `["K3"]`.
    pub covers: Vec<String>,
    /// The question.
    pub question: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = question_sets)]
struct SetRow {
    id: QuestionSetId,
    org_id: OrgId,
    standard_code: String,
    standard_version: i32,
    title: String,
    created_by: UserId,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = question_set_items)]
struct ItemRow {
    id: QuestionItemId,
    set_id: QuestionSetId,
    position: i32,
    covers: String,
    question: String,
}

/// A set sent to a candidate, with their answers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuestionRequest {
    /// Its id.
    #[schema(value_type = String)]
    pub id: QuestionRequestId,
    /// The set it was sent from.
    #[schema(value_type = String)]
    pub set_id: QuestionSetId,
    /// The enrolment.
    #[schema(value_type = String)]
    pub enrolment_id: EnrolmentId,
    /// The set's title when sent.
    pub title: String,
    /// Who sent it.
    #[schema(value_type = String)]
    pub sent_by: UserId,
    /// When.
    #[serde(serialize_with = "crate::db::utc::serialize")]
    pub sent_at: NaiveDateTime,
    /// The day the answers are due, if one was set.
    pub due_on: Option<NaiveDate>,
    /// sent, answered or marked.
    #[schema(value_type = String)]
    pub status: QuestionRequestStatus,
    /// When the candidate submitted their answers.
    #[serde(serialize_with = "crate::db::utc::serialize_option")]
    pub answered_at: Option<NaiveDateTime>,
    /// Who marked them.
    #[schema(value_type = Option<String>)]
    pub marked_by: Option<UserId>,
    /// When.
    #[serde(serialize_with = "crate::db::utc::serialize_option")]
    pub marked_at: Option<NaiveDateTime>,
    /// The questioning evidence record marking wrote (none when no answer was satisfactory).
    #[schema(value_type = Option<String>)]
    pub evidence_id: Option<EvidenceId>,
    /// One per question, in order.
    pub answers: Vec<Answer>,
}

/// A question as sent and the candidate's answer to it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Answer {
    /// Its id.
    #[schema(value_type = String)]
    pub id: QuestionAnswerId,
    /// The set's question it answers.
    #[schema(value_type = String)]
    pub item_id: QuestionItemId,
    /// Its place, from 1.
    pub position: i32,
    /// What the question covers.
    pub covers: Vec<String>,
    /// The question, as sent.
    pub question: String,
    /// The typed answer.
    pub text: Option<String>,
    /// The uploaded recording, when the candidate answered aloud.
    pub file: Option<AnswerFile>,
    /// When it was submitted.
    #[serde(serialize_with = "crate::db::utc::serialize_option")]
    pub answered_at: Option<NaiveDateTime>,
    /// satisfactory or not_yet, once marked.
    pub result: Option<String>,
    /// The assessor's comment.
    pub comment: Option<String>,
}

impl Answer {
    /// Whether there is anything to mark: typed words or a recording.
    pub fn is_given(&self) -> bool {
        self.text.as_deref().is_some_and(|t| !t.trim().is_empty()) || self.file.is_some()
    }
}

/// A recording given as an answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AnswerFile {
    /// SHA-256 of the content (the file store's key).
    pub sha256: String,
    /// The original name, sanitised.
    pub name: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = question_requests)]
struct RequestRow {
    id: QuestionRequestId,
    set_id: QuestionSetId,
    enrolment_id: EnrolmentId,
    title: String,
    sent_by: UserId,
    sent_at: NaiveDateTime,
    due_on: Option<NaiveDate>,
    status: QuestionRequestStatus,
    answered_at: Option<NaiveDateTime>,
    marked_by: Option<UserId>,
    marked_at: Option<NaiveDateTime>,
    evidence_id: Option<EvidenceId>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = question_answers)]
struct AnswerRow {
    id: QuestionAnswerId,
    request_id: QuestionRequestId,
    item_id: QuestionItemId,
    position: i32,
    covers: String,
    question: String,
    answer_text: Option<String>,
    file_sha256: Option<String>,
    file_name: Option<String>,
    answered_at: Option<NaiveDateTime>,
    result: Option<String>,
    comment: Option<String>,
}

/// What to send: a set, and optionally the day the answers are due.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendQuestions {
    /// The question set.
    #[schema(value_type = String)]
    pub set_id: QuestionSetId,
    /// The day the answers are due.
    #[serde(default)]
    pub due_on: Option<NaiveDate>,
}

/// The candidate's answers: saved as a draft, or submitted.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswersInput {
    /// Typed answers, by answer id (answers not listed keep what they have).
    #[serde(default)]
    pub answers: Vec<AnswerInput>,
    /// Submit for marking: then every question needs an answer (typed or a recording).
    #[serde(default)]
    pub submit: bool,
}

/// One typed answer.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    /// The answer's id.
    #[schema(value_type = String)]
    pub id: QuestionAnswerId,
    /// The answer in the candidate's words.
    pub text: String,
}

/// The assessor's marks.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarksInput {
    /// One per answer.
    pub answers: Vec<MarkInput>,
    /// oral_questioning or written_questioning: how the evidence record is kept. Without it, oral
    /// when any answer is a recording, written otherwise.
    #[serde(default)]
    pub method: Option<String>,
}

/// The mark of one answer.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkInput {
    /// The answer's id.
    #[schema(value_type = String)]
    pub id: QuestionAnswerId,
    /// satisfactory or not_yet.
    pub result: String,
    /// A comment for the candidate; required for not_yet.
    #[serde(default)]
    pub comment: Option<String>,
}

/// A knowledge item offered to the set builder: its id, and its text as the question's prompt.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Prompt {
    /// The knowledge item id, e.g. `K3`.
    pub id: String,
    /// The item's text, verbatim.
    pub text: String,
    /// The question pre-filled from it, for the assessor to reword.
    pub question: String,
}
fn require(actor: &Actor, action: Action, resource: &Resource) -> Result<(), ActionError> {
    Ok(policy::can(actor, action, resource, Utc::now()).require()?)
}

fn org_resource(org_id: OrgId) -> Resource {
    Resource::Organisation {
        org_id: org_id.uuid(),
    }
}

fn enrolment_resource(enrolment: &Enrolment) -> Result<Resource, ActionError> {
    Ok(Resource::Enrolment(enrolment.facts()?))
}

fn covers_text(covers: &[String]) -> Result<String, crate::db::DbError> {
    crate::db::json::to_text(covers)
}

fn covers_of(text: &str) -> Result<Vec<String>, crate::db::DbError> {
    crate::db::json::from_text(text)
}

/// Whether `id` names a knowledge item or a criterion of `standard`.
fn known(standard: &Standard, id: &str) -> bool {
    standard.knowledge.iter().any(|k| k.id == id) || standard.criterion(id).is_some()
}
