//! Questions the candidate answers (issue 16 item 4). An assessor builds a question set from the
//! standard's knowledge items (each item's text is the prompt; the assessor words the question),
//! sends it to a candidate, the candidate answers in their own words (typed, or an uploaded
//! recording), and the assessor marks each answer satisfactory or not yet. Marking writes one
//! questioning evidence record (oral when answers were recordings, written when typed, or as the
//! assessor chooses) mapped to what the satisfactory answers cover, accepted by the assessor, so
//! the rules engine counts it. A set belongs to the organisation and is reused for any candidate on
//! its unit.
//!
//! Every action here checks the policy and writes its audit entry itself; the API and the pages
//! only call them.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::enrolment::Enrolment;
use super::evidence::{EvidenceDetails, MappingInput, NewEvidence, QuestionAnswer, StoredFile};
use crate::action::{ActionError, Problems};
use crate::audit::{self, Change};
use crate::auth::policy::{self, Action, Actor, EnrolmentStatus, Resource};
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::schema::{question_answers, question_requests, question_set_items, question_sets};
use crate::rules::portfolio::Setting;
use crate::standards::{Method, Standard};

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
    pub id: String,
    /// The organisation it belongs to.
    pub org_id: String,
    /// The unit's code.
    pub standard_code: String,
    /// The version it was written against.
    pub standard_version: i32,
    /// Its title.
    pub title: String,
    /// Who wrote it.
    pub created_by: String,
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
    pub id: String,
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
    id: String,
    org_id: String,
    standard_code: String,
    standard_version: i32,
    title: String,
    created_by: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = question_set_items)]
struct ItemRow {
    id: String,
    set_id: String,
    position: i32,
    covers: String,
    question: String,
}

/// A set sent to a candidate, with their answers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuestionRequest {
    /// Its id.
    pub id: String,
    /// The set it was sent from.
    pub set_id: String,
    /// The enrolment.
    pub enrolment_id: String,
    /// The set's title when sent.
    pub title: String,
    /// Who sent it.
    pub sent_by: String,
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
    pub marked_by: Option<String>,
    /// When.
    #[serde(serialize_with = "crate::db::utc::serialize_option")]
    pub marked_at: Option<NaiveDateTime>,
    /// The questioning evidence record marking wrote (none when no answer was satisfactory).
    pub evidence_id: Option<String>,
    /// One per question, in order.
    pub answers: Vec<Answer>,
}

/// A question as sent and the candidate's answer to it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Answer {
    /// Its id.
    pub id: String,
    /// The set's question it answers.
    pub item_id: String,
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
    id: String,
    set_id: String,
    enrolment_id: String,
    title: String,
    sent_by: String,
    sent_at: NaiveDateTime,
    due_on: Option<NaiveDate>,
    status: QuestionRequestStatus,
    answered_at: Option<NaiveDateTime>,
    marked_by: Option<String>,
    marked_at: Option<NaiveDateTime>,
    evidence_id: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = question_answers)]
struct AnswerRow {
    id: String,
    request_id: String,
    item_id: String,
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
    pub set_id: String,
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
    pub id: String,
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
    pub id: String,
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

/// The standard's knowledge items as prompts, in the standard's order.
pub fn prompts(standard: &Standard) -> Vec<Prompt> {
    standard
        .knowledge
        .iter()
        .map(|k| Prompt {
            id: k.id.clone(),
            text: k.text.clone(),
            question: prefill(&k.text),
        })
        .collect()
}

/// A knowledge item's text turned into a first wording of the question.
fn prefill(text: &str) -> String {
    let text = text.trim().trim_end_matches(['.', ';', ',']);
    format!("Explain {text}.")
}

fn require(actor: &Actor, action: Action, resource: &Resource) -> Result<(), ActionError> {
    Ok(policy::can(actor, action, resource, Utc::now()).require()?)
}

fn org_resource(org_id: &str) -> Result<Resource, ActionError> {
    let org_id = Uuid::parse_str(org_id).map_err(|_| ActionError::NotFound)?;
    Ok(Resource::Organisation { org_id })
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

/// Checks a set's title and questions against its standard.
fn check_set(standard: &Standard, input: &NewQuestionSet, problems: &mut Problems) {
    let title = input.title.trim();
    if title.is_empty() {
        problems.add(
            "title",
            "give the set a title, e.g. \"Handling complaints\"",
        );
    } else if title.chars().count() > 200 {
        problems.add("title", "keep the title under 200 characters");
    }
    if input.items.is_empty() {
        problems.add("items", "include at least one question");
    } else if input.items.len() > MOST_QUESTIONS {
        problems.add(
            "items",
            format!("a set has at most {MOST_QUESTIONS} questions"),
        );
    }
    for (i, item) in input.items.iter().enumerate() {
        let question = item.question.trim();
        if question.is_empty() {
            problems.add(&format!("items[{i}].question"), "word the question");
        } else if question.chars().count() > LONGEST_QUESTION {
            problems.add(
                &format!("items[{i}].question"),
                "keep the question under 2000 characters",
            );
        }
        if item.covers.iter().all(|c| c.trim().is_empty()) {
            problems.add(
                &format!("items[{i}].covers"),
                "name the knowledge item the question covers",
            );
        }
        for id in &item.covers {
            if !id.trim().is_empty() && !known(standard, id.trim()) {
                problems.add(
                    &format!("items[{i}].covers"),
                    format!(
                        "{} is not a knowledge item or criterion of {}",
                        id.trim(),
                        standard.code
                    ),
                );
            }
        }
    }
}

fn write_items(
    conn: &mut DbConnection,
    set_id: &str,
    items: &[NewQuestion],
) -> Result<(), ActionError> {
    diesel::delete(question_set_items::table.filter(question_set_items::set_id.eq(set_id)))
        .execute(conn)?;
    let rows: Vec<ItemRow> = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            Ok(ItemRow {
                id: Uuid::new_v4().to_string(),
                set_id: set_id.to_owned(),
                position: i32::try_from(i + 1).unwrap_or(i32::MAX),
                covers: covers_text(
                    &item
                        .covers
                        .iter()
                        .map(|c| c.trim().to_owned())
                        .filter(|c| !c.is_empty())
                        .collect::<Vec<_>>(),
                )?,
                question: item.question.trim().to_owned(),
            })
        })
        .collect::<Result<_, crate::db::DbError>>()?;
    for row in &rows {
        diesel::insert_into(question_set_items::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

fn to_set(row: SetRow, items: Vec<ItemRow>) -> Result<QuestionSet, crate::db::DbError> {
    Ok(QuestionSet {
        id: row.id,
        org_id: row.org_id,
        standard_code: row.standard_code,
        standard_version: row.standard_version,
        title: row.title,
        created_by: row.created_by,
        created_at: row.created_at,
        updated_at: row.updated_at,
        items: items
            .into_iter()
            .map(|i| {
                Ok(QuestionItem {
                    id: i.id,
                    position: i.position,
                    covers: covers_of(&i.covers)?,
                    question: i.question,
                })
            })
            .collect::<Result<_, crate::db::DbError>>()?,
    })
}

fn read_set(conn: &mut DbConnection, set_id: &str) -> Result<QuestionSet, ActionError> {
    let row: SetRow = question_sets::table
        .find(set_id)
        .select(SetRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(ActionError::NotFound)?;
    let items: Vec<ItemRow> = question_set_items::table
        .filter(question_set_items::set_id.eq(set_id))
        .order(question_set_items::position.asc())
        .select(ItemRow::as_select())
        .load(conn)?;
    Ok(to_set(row, items)?)
}

/// Creates a question set in `org_id` (audited as `question_set.create`): an assessor or provider
/// admin of the organisation, on a unit of its catalogue.
pub fn create_set(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    actor: &Actor,
    org_id: &str,
    input: NewQuestionSet,
    now: DateTime<Utc>,
) -> Result<QuestionSet, ActionError> {
    require(actor, Action::ManageQuestionSets, &org_resource(org_id)?)?;
    let org_uuid = Uuid::parse_str(org_id).map_err(|_| ActionError::NotFound)?;
    let Some(loaded) = catalogue.find_in(org_uuid, input.standard.trim()) else {
        let mut problems = Problems::default();
        problems.add(
            "standard",
            if input.standard.trim().is_empty() {
                "choose the unit the questions are for".to_owned()
            } else {
                format!("no standard {} in the catalogue", input.standard.trim())
            },
        );
        check_title_only(&input, &mut problems);
        return Err(problems
            .finish()
            .err()
            .unwrap_or(ActionError::invalid("standard", "not found")));
    };
    let standard = &loaded.standard;
    let mut problems = Problems::default();
    check_set(standard, &input, &mut problems);
    problems.finish()?;
    let timestamp = now.naive_utc();
    let row = SetRow {
        id: Uuid::new_v4().to_string(),
        org_id: org_id.to_owned(),
        standard_code: standard.code.clone(),
        standard_version: i32::try_from(standard.version).unwrap_or(i32::MAX),
        title: input.title.trim().to_owned(),
        created_by: actor.user_id.to_string(),
        created_at: timestamp,
        updated_at: timestamp,
    };
    diesel::insert_into(question_sets::table)
        .values(&row)
        .execute(conn)?;
    write_items(conn, &row.id, &input.items)?;
    let set = read_set(conn, &row.id)?;
    let actor_id = actor.user_id.to_string();
    audit::append(
        conn,
        Change {
            actor_id: Some(&actor_id),
            action: "question_set.create",
            entity: "organisation",
            entity_id: org_id,
            before: None,
            after: Some(crate::db::json::to_value(&set)?),
        },
    )?;
    Ok(set)
}

fn check_title_only(input: &NewQuestionSet, problems: &mut Problems) {
    if input.title.trim().is_empty() {
        problems.add(
            "title",
            "give the set a title, e.g. \"Handling complaints\"",
        );
    }
    if input.items.is_empty() {
        problems.add("items", "include at least one question");
    }
}

/// Changes a set's title and questions (audited as `question_set.change`). Requests already sent
/// keep the questions they were sent with.
pub fn update_set(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    actor: &Actor,
    set_id: &str,
    input: NewQuestionSet,
    now: DateTime<Utc>,
) -> Result<QuestionSet, ActionError> {
    let before = load_set(conn, actor, set_id)?;
    require(
        actor,
        Action::ManageQuestionSets,
        &org_resource(&before.org_id)?,
    )?;
    let org_uuid = Uuid::parse_str(&before.org_id).map_err(|_| ActionError::NotFound)?;
    let standard = catalogue
        .get_in(
            org_uuid,
            &before.standard_code,
            u32::try_from(before.standard_version).unwrap_or_default(),
        )
        .map(|l| &l.standard)
        .ok_or_else(|| {
            ActionError::Conflict(format!(
                "{}@{} is no longer in the catalogue",
                before.standard_code, before.standard_version
            ))
        })?;
    let mut problems = Problems::default();
    check_set(standard, &input, &mut problems);
    problems.finish()?;
    diesel::update(question_sets::table.find(set_id))
        .set((
            question_sets::title.eq(input.title.trim()),
            question_sets::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    write_items(conn, set_id, &input.items)?;
    let after = read_set(conn, set_id)?;
    let actor_id = actor.user_id.to_string();
    audit::append(
        conn,
        Change {
            actor_id: Some(&actor_id),
            action: "question_set.change",
            entity: "organisation",
            entity_id: &after.org_id,
            before: Some(crate::db::json::to_value(&before)?),
            after: Some(crate::db::json::to_value(&after)?),
        },
    )?;
    Ok(after)
}

/// One set, for someone who may manage the organisation's sets (another organisation's set is not
/// found).
pub fn load_set(
    conn: &mut DbConnection,
    actor: &Actor,
    set_id: &str,
) -> Result<QuestionSet, ActionError> {
    let set = read_set(conn, set_id)?;
    match policy::can(
        actor,
        Action::ManageQuestionSets,
        &org_resource(&set.org_id)?,
        Utc::now(),
    ) {
        policy::Decision::Allow => Ok(set),
        policy::Decision::Forbidden => Err(ActionError::Forbidden(
            "only assessors and admins of the organisation see its question sets".into(),
        )),
        policy::Decision::NotFound => Err(ActionError::NotFound),
    }
}

/// The organisation's sets, newest first; `standard_code` keeps those of one unit.
pub fn list_sets(
    conn: &mut DbConnection,
    actor: &Actor,
    org_id: &str,
    standard_code: Option<&str>,
) -> Result<Vec<QuestionSet>, ActionError> {
    require(actor, Action::ManageQuestionSets, &org_resource(org_id)?)?;
    let mut query = question_sets::table
        .filter(question_sets::org_id.eq(org_id))
        .into_boxed();
    if let Some(code) = standard_code {
        query = query.filter(question_sets::standard_code.eq(code.to_owned()));
    }
    let rows: Vec<SetRow> = query
        .order((question_sets::updated_at.desc(), question_sets::id.asc()))
        .select(SetRow::as_select())
        .load(conn)?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let items: Vec<ItemRow> = question_set_items::table
        .filter(question_set_items::set_id.eq_any(&ids))
        .order((
            question_set_items::set_id.asc(),
            question_set_items::position.asc(),
        ))
        .select(ItemRow::as_select())
        .load(conn)?;
    let mut by_set: BTreeMap<String, Vec<ItemRow>> = BTreeMap::new();
    for item in items {
        by_set.entry(item.set_id.clone()).or_default().push(item);
    }
    rows.into_iter()
        .map(|row| {
            let items = by_set.remove(&row.id).unwrap_or_default();
            Ok(to_set(row, items)?)
        })
        .collect()
}

fn to_request(
    row: RequestRow,
    answers: Vec<AnswerRow>,
) -> Result<QuestionRequest, crate::db::DbError> {
    Ok(QuestionRequest {
        id: row.id,
        set_id: row.set_id,
        enrolment_id: row.enrolment_id,
        title: row.title,
        sent_by: row.sent_by,
        sent_at: row.sent_at,
        due_on: row.due_on,
        status: row.status,
        answered_at: row.answered_at,
        marked_by: row.marked_by,
        marked_at: row.marked_at,
        evidence_id: row.evidence_id,
        answers: answers
            .into_iter()
            .map(|a| {
                Ok(Answer {
                    id: a.id,
                    item_id: a.item_id,
                    position: a.position,
                    covers: covers_of(&a.covers)?,
                    question: a.question,
                    text: a.answer_text,
                    file: a.file_sha256.map(|sha256| AnswerFile {
                        sha256,
                        name: a.file_name.unwrap_or_default(),
                    }),
                    answered_at: a.answered_at,
                    result: a.result,
                    comment: a.comment,
                })
            })
            .collect::<Result<_, crate::db::DbError>>()?,
    })
}

fn read_request(
    conn: &mut DbConnection,
    enrolment_id: &str,
    request_id: &str,
) -> Result<QuestionRequest, ActionError> {
    let row: RequestRow = question_requests::table
        .find(request_id)
        .filter(question_requests::enrolment_id.eq(enrolment_id))
        .select(RequestRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(ActionError::NotFound)?;
    let answers: Vec<AnswerRow> = question_answers::table
        .filter(question_answers::request_id.eq(request_id))
        .order(question_answers::position.asc())
        .select(AnswerRow::as_select())
        .load(conn)?;
    Ok(to_request(row, answers)?)
}

/// Sends a set to an enrolment's candidate (audited as `questions.send`; the candidate is told):
/// the enrolment's assessor, with a set of the organisation on the enrolment's unit, while the
/// portfolio is open. The questions are copied into the request.
pub fn send(
    conn: &mut DbConnection,
    base: &str,
    standard: &Standard,
    actor: &Actor,
    enrolment: &Enrolment,
    input: SendQuestions,
    now: DateTime<Utc>,
) -> Result<QuestionRequest, ActionError> {
    require(
        actor,
        Action::RecordAssessorEvidence,
        &enrolment_resource(enrolment)?,
    )?;
    let set_id = input.set_id.trim();
    let set = match read_set(conn, set_id) {
        Ok(set) if set.org_id == enrolment.org_id => set,
        Ok(_) | Err(ActionError::NotFound) => {
            return Err(ActionError::invalid(
                "set_id",
                "is not a question set of this organisation",
            ));
        }
        Err(other) => return Err(other),
    };
    let mut problems = Problems::default();
    if set.standard_code != enrolment.standard_code {
        problems.add(
            "set_id",
            format!(
                "this set is for unit {}; the portfolio is on {}",
                set.standard_code, enrolment.standard_code
            ),
        );
    }
    for item in &set.items {
        for id in &item.covers {
            if !known(standard, id) {
                problems.add(
                    "set_id",
                    format!(
                        "question {} covers {id}, which version {} of the unit does not have",
                        item.position, enrolment.standard_version
                    ),
                );
            }
        }
    }
    if let Some(due) = input.due_on {
        if due < now.date_naive() {
            problems.add("due_on", "the due date must be today or later");
        }
    }
    problems.finish()?;
    if enrolment.status() != EnrolmentStatus::Active {
        return Err(ActionError::Conflict(format!(
            "the portfolio is {}: the candidate cannot answer questions until it is reopened",
            enrolment.status
        )));
    }
    let pending: i64 = question_requests::table
        .filter(question_requests::enrolment_id.eq(&enrolment.id))
        .filter(question_requests::set_id.eq(&set.id))
        .filter(question_requests::status.ne(QuestionRequestStatus::Marked))
        .count()
        .get_result(conn)?;
    if pending > 0 {
        return Err(ActionError::Conflict(
            "this set was already sent to the candidate and is not marked yet".into(),
        ));
    }
    let actor_id = actor.user_id.to_string();
    let row = RequestRow {
        id: Uuid::new_v4().to_string(),
        set_id: set.id.clone(),
        enrolment_id: enrolment.id.clone(),
        title: set.title.clone(),
        sent_by: actor_id.clone(),
        sent_at: now.naive_utc(),
        due_on: input.due_on,
        status: QuestionRequestStatus::Sent,
        answered_at: None,
        marked_by: None,
        marked_at: None,
        evidence_id: None,
    };
    diesel::insert_into(question_requests::table)
        .values(&row)
        .execute(conn)?;
    for item in &set.items {
        diesel::insert_into(question_answers::table)
            .values(&AnswerRow {
                id: Uuid::new_v4().to_string(),
                request_id: row.id.clone(),
                item_id: item.id.clone(),
                position: item.position,
                covers: covers_text(&item.covers)?,
                question: item.question.clone(),
                answer_text: None,
                file_sha256: None,
                file_name: None,
                answered_at: None,
                result: None,
                comment: None,
            })
            .execute(conn)?;
    }
    audit::append(
        conn,
        Change {
            actor_id: Some(&actor_id),
            action: "questions.send",
            entity: "enrolment",
            entity_id: &enrolment.id,
            before: None,
            after: Some(serde_json::json!({
                "request_id": row.id, "set_id": set.id, "title": set.title, "due_on": row.due_on,
            })),
        },
    )?;
    crate::notify::events::questions_sent(
        conn, base, enrolment, &row.id, &set.title, row.due_on, now,
    )?;
    read_request(conn, &enrolment.id, &row.id)
}

/// The candidate may answer: the policy's "add evidence" (their own portfolio, while active), as
/// the candidate themself, on a request still open.
fn answering(
    conn: &mut DbConnection,
    actor: &Actor,
    enrolment: &Enrolment,
    request_id: &str,
) -> Result<QuestionRequest, ActionError> {
    require(
        actor,
        Action::ReadEnrolment,
        &enrolment_resource(enrolment)?,
    )?;
    if actor.user_id.to_string() != enrolment.candidate_id {
        return Err(ActionError::Forbidden(
            "only the candidate answers the questions sent to them".into(),
        ));
    }
    require(actor, Action::AddEvidence, &enrolment_resource(enrolment)?)?;
    let request = read_request(conn, &enrolment.id, request_id)?;
    if request.status != QuestionRequestStatus::Sent {
        return Err(ActionError::Conflict(
            "these answers are already submitted".into(),
        ));
    }
    Ok(request)
}

/// The candidate saves typed answers, and submits them when `submit` is set (audited as
/// `questions.draft` or `questions.answer`; on submitting, the assessor who sent the set is told).
/// Submitting needs an answer to every question, typed or recorded.
pub fn answer(
    conn: &mut DbConnection,
    base: &str,
    actor: &Actor,
    enrolment: &Enrolment,
    request_id: &str,
    input: AnswersInput,
    now: DateTime<Utc>,
) -> Result<QuestionRequest, ActionError> {
    let request = answering(conn, actor, enrolment, request_id)?;
    let mut problems = Problems::default();
    let mut texts: BTreeMap<&str, String> = BTreeMap::new();
    for (i, given) in input.answers.iter().enumerate() {
        if !request.answers.iter().any(|a| a.id == given.id) {
            problems.add(&format!("answers[{i}].id"), "is not a question of this set");
            continue;
        }
        let text = given.text.trim();
        if text.chars().count() > LONGEST_ANSWER {
            problems.add(
                &format!("answers[{i}].text"),
                "keep the answer under 20,000 characters (or upload a recording)",
            );
        }
        texts.insert(given.id.as_str(), text.to_owned());
    }
    if input.submit {
        for (i, answer) in request.answers.iter().enumerate() {
            let typed = texts
                .get(answer.id.as_str())
                .map(|t| !t.is_empty())
                .unwrap_or_else(|| answer.text.as_deref().is_some_and(|t| !t.trim().is_empty()));
            if !typed && answer.file.is_none() {
                let at = input
                    .answers
                    .iter()
                    .position(|a| a.id == answer.id)
                    .unwrap_or(i);
                problems.add(
                    &format!("answers[{at}].text"),
                    format!(
                        "answer question {}: type your answer or upload a recording",
                        answer.position
                    ),
                );
            }
        }
    }
    problems.finish()?;
    for (id, text) in &texts {
        diesel::update(question_answers::table.find(*id))
            .set(question_answers::answer_text.eq((!text.is_empty()).then_some(text.as_str())))
            .execute(conn)?;
    }
    let actor_id = actor.user_id.to_string();
    if input.submit {
        let timestamp = now.naive_utc();
        diesel::update(question_answers::table.filter(question_answers::request_id.eq(request_id)))
            .set(question_answers::answered_at.eq(timestamp))
            .execute(conn)?;
        diesel::update(question_requests::table.find(request_id))
            .set((
                question_requests::status.eq(QuestionRequestStatus::Answered),
                question_requests::answered_at.eq(timestamp),
            ))
            .execute(conn)?;
    }
    let after = read_request(conn, &enrolment.id, request_id)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(&actor_id),
            action: if input.submit {
                "questions.answer"
            } else {
                "questions.draft"
            },
            entity: "enrolment",
            entity_id: &enrolment.id,
            before: None,
            after: Some(serde_json::json!({
                "request_id": request_id,
                "answers": after.answers.iter().map(|a| serde_json::json!({
                    "id": a.id, "text": a.text, "file_sha256": a.file.as_ref().map(|f| &f.sha256),
                })).collect::<Vec<_>>(),
            })),
        },
    )?;
    if input.submit {
        crate::notify::events::questions_answered(
            conn,
            base,
            enrolment,
            &after.sent_by,
            request_id,
            &after.title,
            now,
        )?;
    }
    Ok(after)
}

/// Whether a file is a recording an answer may be (audio or video, from the detected type).
pub fn is_recording(content_type: &str) -> bool {
    content_type.starts_with("audio/") || content_type.starts_with("video/")
}

/// Whether `actor` may give a recording as the answer `answer_id` of the request: the enrolment's
/// candidate, while the answers are not submitted. Upload handlers ask this before reading the
/// body, so a refused upload is refused without receiving the file; [`attach_recording`] asks it
/// again in its transaction.
pub fn may_attach_recording(
    conn: &mut DbConnection,
    actor: &Actor,
    enrolment: &Enrolment,
    request_id: &str,
    answer_id: &str,
) -> Result<(), ActionError> {
    let request = answering(conn, actor, enrolment, request_id)?;
    if !request.answers.iter().any(|a| a.id == answer_id) {
        return Err(ActionError::NotFound);
    }
    Ok(())
}

/// The candidate gives a recording as the answer to one question (audited as
/// `questions.recording`). The file is staged: the caller stores it once this transaction commits.
pub fn attach_recording(
    conn: &mut DbConnection,
    actor: &Actor,
    enrolment: &Enrolment,
    request_id: &str,
    answer_id: &str,
    file: StoredFile,
    now: DateTime<Utc>,
) -> Result<QuestionRequest, ActionError> {
    may_attach_recording(conn, actor, enrolment, request_id, answer_id)?;
    if !is_recording(&file.content_type) {
        return Err(ActionError::invalid(
            "file",
            format!(
                "upload an audio or video recording (this file is {})",
                file.content_type
            ),
        ));
    }
    super::evidence::record_file(conn, &file, now.naive_utc())?;
    diesel::update(question_answers::table.find(answer_id))
        .set((
            question_answers::file_sha256.eq(&file.sha256),
            question_answers::file_name.eq(&file.name),
        ))
        .execute(conn)?;
    let actor_id = actor.user_id.to_string();
    audit::append(
        conn,
        Change {
            actor_id: Some(&actor_id),
            action: "questions.recording",
            entity: "enrolment",
            entity_id: &enrolment.id,
            before: None,
            after: Some(serde_json::json!({
                "request_id": request_id, "answer_id": answer_id,
                "file_sha256": file.sha256, "file_name": file.name,
            })),
        },
    )?;
    read_request(conn, &enrolment.id, request_id)
}

/// The assessor marks every answer (audited as `questions.mark`; the candidate is told). The
/// satisfactory answers become one questioning evidence record, accepted by the assessor and
/// mapped to what they cover, so the engine counts it; the request keeps every mark and comment.
#[allow(clippy::too_many_arguments)]
pub fn mark(
    conn: &mut DbConnection,
    base: &str,
    catalogue: &Catalogue,
    standard: &Standard,
    actor: &Actor,
    enrolment: &Enrolment,
    request_id: &str,
    input: MarksInput,
    now: DateTime<Utc>,
) -> Result<QuestionRequest, ActionError> {
    require(
        actor,
        Action::JudgeEvidence,
        &enrolment_resource(enrolment)?,
    )?;
    let request = read_request(conn, &enrolment.id, request_id)?;
    match request.status {
        QuestionRequestStatus::Sent => {
            return Err(ActionError::Conflict(
                "the candidate has not submitted their answers yet".into(),
            ));
        }
        QuestionRequestStatus::Marked => {
            return Err(ActionError::Conflict(
                "these answers are already marked".into(),
            ));
        }
        QuestionRequestStatus::Answered => {}
    }
    let mut problems = Problems::default();
    let mut marks: BTreeMap<&str, (&str, Option<String>)> = BTreeMap::new();
    for (i, given) in input.answers.iter().enumerate() {
        if !request.answers.iter().any(|a| a.id == given.id) {
            problems.add(
                &format!("answers[{i}].id"),
                "is not an answer of this request",
            );
            continue;
        }
        let result = given.result.trim();
        if result != result::SATISFACTORY && result != result::NOT_YET {
            problems.add(
                &format!("answers[{i}].result"),
                "mark the answer satisfactory or not_yet",
            );
        }
        let comment = given
            .comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned);
        if result == result::NOT_YET && comment.is_none() {
            problems.add(
                &format!("answers[{i}].comment"),
                "say what is missing, so the candidate knows what to do next",
            );
        }
        if comment
            .as_deref()
            .is_some_and(|c| c.chars().count() > LONGEST_COMMENT)
        {
            problems.add(
                &format!("answers[{i}].comment"),
                "keep the comment under 2000 characters",
            );
        }
        if marks.insert(given.id.as_str(), (result, comment)).is_some() {
            problems.add(&format!("answers[{i}].id"), "is marked twice");
        }
    }
    for answer in &request.answers {
        if !marks.contains_key(answer.id.as_str()) {
            problems.add(
                &format!("answers[{}].result", answer.position - 1),
                format!("mark the answer to question {}", answer.position),
            );
        }
    }
    let recorded = request.answers.iter().any(|a| a.file.is_some());
    let method = match input.method.as_deref().map(str::trim) {
        None | Some("") if recorded => Method::OralQuestioning,
        None | Some("") => Method::WrittenQuestioning,
        Some("oral_questioning") => Method::OralQuestioning,
        Some("written_questioning") => Method::WrittenQuestioning,
        Some(_) => {
            problems.add("method", "choose oral_questioning or written_questioning");
            Method::WrittenQuestioning
        }
    };
    problems.finish()?;

    let satisfactory: Vec<&Answer> = request
        .answers
        .iter()
        .filter(|a| marks.get(a.id.as_str()).map(|m| m.0) == Some(result::SATISFACTORY))
        .collect();
    let evidence_id = if satisfactory.is_empty() {
        None
    } else {
        let new = evidence_of(standard, &request, &satisfactory, &marks, method, now);
        let actor_id = actor.user_id.to_string();
        let record =
            super::evidence::add_evidence(conn, standard, enrolment, &actor_id, new, None, now)?;
        Some(record.id)
    };
    for answer in &request.answers {
        if let Some((result, comment)) = marks.get(answer.id.as_str()) {
            diesel::update(question_answers::table.find(&answer.id))
                .set((
                    question_answers::result.eq(*result),
                    question_answers::comment.eq(comment.as_deref()),
                ))
                .execute(conn)?;
        }
    }
    let actor_id = actor.user_id.to_string();
    diesel::update(question_requests::table.find(request_id))
        .set((
            question_requests::status.eq(QuestionRequestStatus::Marked),
            question_requests::marked_by.eq(&actor_id),
            question_requests::marked_at.eq(now.naive_utc()),
            question_requests::evidence_id.eq(evidence_id.as_deref()),
        ))
        .execute(conn)?;
    let after = read_request(conn, &enrolment.id, request_id)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(&actor_id),
            action: "questions.mark",
            entity: "enrolment",
            entity_id: &enrolment.id,
            before: None,
            after: Some(serde_json::json!({
                "request_id": request_id,
                "evidence_id": after.evidence_id,
                "marks": after.answers.iter().map(|a| serde_json::json!({
                    "id": a.id, "result": a.result, "comment": a.comment,
                })).collect::<Vec<_>>(),
            })),
        },
    )?;
    crate::notify::events::questions_marked(
        conn,
        base,
        enrolment,
        request_id,
        &after.title,
        satisfactory.len(),
        after.answers.len(),
        now,
    )?;
    super::refresh_evaluation(conn, catalogue, &enrolment.id)?;
    Ok(after)
}

/// The questioning record the satisfactory answers make.
fn evidence_of(
    standard: &Standard,
    request: &QuestionRequest,
    satisfactory: &[&Answer],
    marks: &BTreeMap<&str, (&str, Option<String>)>,
    method: Method,
    now: DateTime<Utc>,
) -> NewEvidence {
    let covered: BTreeSet<&str> = satisfactory
        .iter()
        .flat_map(|a| a.covers.iter().map(String::as_str))
        .collect();
    let knowledge: Vec<String> = standard
        .knowledge
        .iter()
        .filter(|k| covered.contains(k.id.as_str()))
        .map(|k| k.id.clone())
        .collect();
    let criteria: Vec<MappingInput> = covered
        .iter()
        .filter(|id| standard.criterion(id).is_some())
        .map(|id| MappingInput {
            criterion: (*id).to_owned(),
            range: BTreeMap::new(),
        })
        .collect();
    let questions = satisfactory
        .iter()
        .map(|a| QuestionAnswer {
            question: a.question.clone(),
            answer: match (&a.text, &a.file) {
                (Some(text), Some(file)) if !text.trim().is_empty() => {
                    format!("{} (with the recording {})", text.trim(), file.name)
                }
                (Some(text), _) if !text.trim().is_empty() => text.trim().to_owned(),
                (_, Some(file)) => format!(
                    "Answered in the recording {} (SHA-256 {})",
                    file.name, file.sha256
                ),
                _ => String::new(),
            },
        })
        .collect();
    let comments: Vec<String> = satisfactory
        .iter()
        .filter_map(|a| {
            marks
                .get(a.id.as_str())
                .and_then(|m| m.1.as_ref())
                .map(|c| format!("Question {}: {c}", a.position))
        })
        .collect();
    let date = request
        .answered_at
        .map(|t| t.date())
        .unwrap_or_else(|| now.date_naive());
    NewEvidence {
        method,
        kind: None,
        title: Some(format!("Answers to \u{201c}{}\u{201d}", request.title)),
        setting: Setting::Workplace,
        channel: Vec::new(),
        date,
        time: None,
        site: None,
        attributes: BTreeMap::new(),
        criteria,
        knowledge,
        links: Vec::new(),
        details: EvidenceDetails {
            questions,
            summary: (!comments.is_empty()).then(|| comments.join("\n")),
            ..EvidenceDetails::default()
        },
        declaration: false,
    }
}

/// Every request sent to an enrolment, newest first, for whoever may read the enrolment.
pub fn list_requests(
    conn: &mut DbConnection,
    actor: &Actor,
    enrolment: &Enrolment,
) -> Result<Vec<QuestionRequest>, ActionError> {
    require(
        actor,
        Action::ReadEnrolment,
        &enrolment_resource(enrolment)?,
    )?;
    requests_of(conn, &enrolment.id)
}

/// Every request of an enrolment, newest first (no policy: for callers that checked it).
pub fn requests_of(
    conn: &mut DbConnection,
    enrolment_id: &str,
) -> Result<Vec<QuestionRequest>, ActionError> {
    let rows: Vec<RequestRow> = question_requests::table
        .filter(question_requests::enrolment_id.eq(enrolment_id))
        .order((
            question_requests::sent_at.desc(),
            question_requests::id.asc(),
        ))
        .select(RequestRow::as_select())
        .load(conn)?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let answers: Vec<AnswerRow> = question_answers::table
        .filter(question_answers::request_id.eq_any(&ids))
        .order((
            question_answers::request_id.asc(),
            question_answers::position.asc(),
        ))
        .select(AnswerRow::as_select())
        .load(conn)?;
    let mut by_request: BTreeMap<String, Vec<AnswerRow>> = BTreeMap::new();
    for answer in answers {
        by_request
            .entry(answer.request_id.clone())
            .or_default()
            .push(answer);
    }
    rows.into_iter()
        .map(|row| {
            let answers = by_request.remove(&row.id).unwrap_or_default();
            Ok(to_request(row, answers)?)
        })
        .collect()
}

/// One request with its answers, for whoever may read the enrolment.
pub fn load_request(
    conn: &mut DbConnection,
    actor: &Actor,
    enrolment: &Enrolment,
    request_id: &str,
) -> Result<QuestionRequest, ActionError> {
    require(
        actor,
        Action::ReadEnrolment,
        &enrolment_resource(enrolment)?,
    )?;
    read_request(conn, &enrolment.id, request_id)
}

/// The recording given as one answer, with its stored size and detected type, for whoever may read
/// the enrolment.
pub fn recording_of(
    conn: &mut DbConnection,
    actor: &Actor,
    enrolment: &Enrolment,
    request_id: &str,
    answer_id: &str,
) -> Result<StoredFile, ActionError> {
    let request = load_request(conn, actor, enrolment, request_id)?;
    let file = request
        .answers
        .into_iter()
        .find(|a| a.id == answer_id)
        .and_then(|a| a.file)
        .ok_or(ActionError::NotFound)?;
    let (size, content_type): (i64, String) = crate::db::schema::files::table
        .find(&file.sha256)
        .select((
            crate::db::schema::files::size,
            crate::db::schema::files::content_type,
        ))
        .first(conn)
        .optional()?
        .ok_or(ActionError::NotFound)?;
    Ok(StoredFile {
        sha256: file.sha256,
        name: file.name,
        size,
        content_type,
    })
}

/// Answered requests waiting for marking on the given enrolments: (enrolment id,
/// request id, title), oldest first.
pub fn waiting_marking(
    conn: &mut DbConnection,
    enrolment_ids: &[String],
) -> Result<Vec<(String, String, String)>, ActionError> {
    Ok(question_requests::table
        .filter(question_requests::enrolment_id.eq_any(enrolment_ids))
        .filter(question_requests::status.eq(QuestionRequestStatus::Answered))
        .order(question_requests::answered_at.asc())
        .select((
            question_requests::enrolment_id,
            question_requests::id,
            question_requests::title,
        ))
        .load(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_read_as_questions() {
        assert_eq!(
            prefill("the limits of your authority;"),
            "Explain the limits of your authority."
        );
        assert_eq!(
            covers_of(&covers_text(&["K1".into()]).unwrap()).unwrap(),
            vec!["K1"]
        );
        assert!(is_recording("audio/mpeg") && is_recording("video/mp4"));
        assert!(!is_recording("application/pdf"));
    }
}
