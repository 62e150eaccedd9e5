//! Evidence records of every kind, their mapping to criteria and knowledge, and the assessor's
//! judgement of each mapping. The engine's view of a record (`rules::portfolio::Evidence`) is stored
//! as it is; what only one kind records (a witness's details, questions and answers) beside it.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::enrolment::{Enrolment, touch};
use crate::action::{ActionError, Problems};
use crate::audit::{self, Change};
use crate::auth::policy::EnrolmentStatus;
use crate::db::DbConnection;
use crate::db::schema::{evidence, files};
use crate::rules::portfolio::{
    AttributeValue, CriterionMapping, Evidence, Judgement, KnowledgeMapping, Link, Portfolio,
    Setting, StandardRef,
};
use crate::standards::{Channel, Method, Openness, Standard};

/// Words that name a relative: testimony from relatives is refused.
const RELATIVES: &[&str] = &[
    "mother",
    "father",
    "mum",
    "mom",
    "dad",
    "parent",
    "son",
    "daughter",
    "child",
    "brother",
    "sister",
    "sibling",
    "husband",
    "wife",
    "spouse",
    "partner",
    "fiancé",
    "fiance",
    "aunt",
    "uncle",
    "cousin",
    "niece",
    "nephew",
    "grandmother",
    "grandfather",
    "grandparent",
    "grandson",
    "granddaughter",
    "in-law",
    "relative",
    "family",
    "stepmother",
    "stepfather",
];

/// A criterion claimed by new evidence, with the range items shown for it.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MappingInput {
    /// The criterion id, e.g. `1.1`.
    pub criterion: String,
    /// Range items shown, by range list id.
    #[serde(default)]
    pub range: BTreeMap<String, Vec<String>>,
}

/// One line of an observation checklist.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChecklistLine {
    /// The criterion.
    pub criterion: String,
    /// shown, not_shown or not_applicable.
    pub result: ChecklistResult,
    /// Range items seen, by range list id.
    #[serde(default)]
    pub range: BTreeMap<String, Vec<String>>,
    /// The assessor's notes.
    #[serde(default)]
    pub notes: Option<String>,
}

/// What the assessor saw for one criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChecklistResult {
    /// Shown.
    Shown,
    /// Not shown.
    NotShown,
    /// The criterion's condition did not arise.
    NotApplicable,
}

/// A witness and their testimony.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Witness {
    /// Name.
    pub name: String,
    /// Job title.
    pub job_title: String,
    /// Relationship to the candidate (a relative is refused).
    pub relationship: String,
    /// How to contact them.
    pub contact: String,
    /// The testimony in their words.
    pub statement: String,
    /// The witness declares the statement true: set when the witness confirms through their own
    /// link (or by the assessor recording a signed paper testimony). Until then the testimony is
    /// awaiting the witness and does not count.
    #[serde(default)]
    pub declaration: bool,
    /// When the witness signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_on: Option<NaiveDate>,
}

/// A question and the candidate's answer.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionAnswer {
    /// The question.
    pub question: String,
    /// The answer.
    pub answer: String,
}

/// A moment in a recording where a criterion is shown.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Timestamp {
    /// The criterion.
    pub criterion: String,
    /// Position, e.g. `04:35`.
    pub at: String,
}

/// What only some kinds of evidence record.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceDetails {
    /// Observation checklist lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checklist: Vec<ChecklistLine>,
    /// Witness testimony.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub witness: Option<Witness>,
    /// Questioning record.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<QuestionAnswer>,
    /// Summary (professional discussion, electronic data record, product evidence).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Criteria shown at moments of a recording.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timestamps: Vec<Timestamp>,
    /// The outcomes an observation covers (its checklist holds their criteria only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outcomes: Vec<String>,
    /// When the observed activity started (`HH:MM`); given with `end` or not at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "09:30")]
    pub start: Option<NaiveTime>,
    /// When it ended: after `start`, the same day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "10:05")]
    pub end: Option<NaiveTime>,
    /// The assessor's overall narrative of what they observed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
    /// Feedback to the candidate (shown to them with the record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
}

/// A new evidence record.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEvidence {
    /// observation_checklist, witness_testimony, electronic_data_record, oral_questioning,
    /// written_questioning, product_evidence or professional_discussion.
    #[schema(value_type = String)]
    pub method: Method,
    /// A noun for sentences ("enquiry", "complaint").
    #[serde(default)]
    pub kind: Option<String>,
    /// A short description.
    #[serde(default)]
    pub title: Option<String>,
    /// workplace or simulation.
    #[schema(value_type = String)]
    pub setting: Setting,
    /// phone, email, webchat, letter, face_to_face, video, social_media.
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub channel: Vec<Channel>,
    /// The day of the activity.
    pub date: NaiveDate,
    /// The time of the activity.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub time: Option<NaiveTime>,
    /// Assessment site.
    #[serde(default)]
    pub site: Option<String>,
    /// Attribute values by attribute id.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub attributes: BTreeMap<String, AttributeValue>,
    /// Criteria claimed, with range items.
    #[serde(default)]
    pub criteria: Vec<MappingInput>,
    /// Knowledge item ids covered.
    #[serde(default)]
    pub knowledge: Vec<String>,
    /// Links to other evidence of this enrolment.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub links: Vec<Link>,
    /// Kind-specific details.
    #[serde(default)]
    pub details: EvidenceDetails,
    /// The candidate's declaration that this evidence is their own work (required from candidates).
    #[serde(default)]
    pub declaration: bool,
}

/// A stored evidence file.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StoredFile {
    /// SHA-256 of the content.
    pub sha256: String,
    /// The original name, sanitised.
    pub name: String,
    /// Size in bytes.
    pub size: i64,
    /// Type detected from the content.
    pub content_type: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = evidence)]
struct EvidenceRow {
    id: String,
    enrolment_id: String,
    kind: String,
    instance: String,
    details: String,
    file_sha256: Option<String>,
    file_name: Option<String>,
    recorded_by: String,
    recorded_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    declared_at: Option<NaiveDateTime>,
}

/// An evidence record as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EvidenceRecord {
    /// Its id.
    pub id: String,
    /// The enrolment.
    pub enrolment_id: String,
    /// The method.
    pub method: String,
    /// The record as the engine reads it, with judgements.
    #[schema(value_type = Object)]
    pub instance: Evidence,
    /// Kind-specific details.
    pub details: EvidenceDetails,
    /// The file, for uploaded evidence.
    pub file: Option<StoredFile>,
    /// Who recorded it.
    pub recorded_by: String,
    /// When.
    #[serde(serialize_with = "crate::db::utc::serialize")]
    pub recorded_at: NaiveDateTime,
    /// When the candidate declared it their own work.
    #[serde(serialize_with = "crate::db::utc::serialize_option")]
    pub declared_at: Option<NaiveDateTime>,
}

impl EvidenceRecord {
    /// Witness testimony the witness has not yet confirmed: shown as "awaiting witness", and left
    /// out of what the engine counts.
    pub fn awaiting_witness(&self) -> bool {
        self.details
            .witness
            .as_ref()
            .is_some_and(|w| !w.declaration)
    }

    /// Mappings waiting for the assessor's judgement: those still pending, unless the record is
    /// testimony still awaiting its witness (nothing to judge until the witness confirms).
    pub fn waiting_mappings(&self) -> usize {
        if self.awaiting_witness() {
            return 0;
        }
        self.instance
            .criteria
            .iter()
            .filter(|c| c.judgement == Judgement::Pending)
            .count()
            + self
                .instance
                .knowledge
                .iter()
                .filter(|k| k.judgement == Judgement::Pending)
                .count()
    }
}

/// Adds an evidence record (audited). The file, when there is one, is staged: the caller stores it
/// once this transaction commits. What the enrolment's assessor records counts as judged by them.
pub fn add_evidence(
    conn: &mut DbConnection,
    standard: &Standard,
    enrolment: &Enrolment,
    actor_id: &str,
    new: NewEvidence,
    file: Option<StoredFile>,
    now: DateTime<Utc>,
) -> Result<EvidenceRecord, ActionError> {
    let recorded_by_assessor = enrolment.assessor_id.as_deref() == Some(actor_id);
    ensure_open(enrolment, recorded_by_assessor)?;
    let by_candidate = actor_id == enrolment.candidate_id;
    let id = Uuid::new_v4().to_string();
    let instance = to_instance(&id, &new, recorded_by_assessor);
    evidence_problems(conn, standard, enrolment, actor_id, &new, file.is_some())?.finish()?;

    let timestamp = now.naive_utc();
    let row = EvidenceRow {
        id: id.clone(),
        enrolment_id: enrolment.id.clone(),
        kind: method_name(new.method),
        instance: crate::db::json::to_text(&instance)?,
        details: crate::db::json::to_text(&new.details)?,
        file_sha256: file.as_ref().map(|f| f.sha256.clone()),
        file_name: file.as_ref().map(|f| f.name.clone()),
        recorded_by: actor_id.to_owned(),
        recorded_at: timestamp,
        updated_at: timestamp,
        declared_at: (by_candidate && new.declaration).then_some(timestamp),
    };
    if let Some(file) = &file {
        record_file(conn, file, timestamp)?;
    }
    diesel::insert_into(evidence::table)
        .values(&row)
        .execute(conn)?;
    touch(conn, &enrolment.id, timestamp)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(actor_id),
            action: "evidence.add",
            entity: "enrolment",
            entity_id: &enrolment.id,
            before: None,
            after: Some(serde_json::json!({
                "evidence_id": id,
                "instance": instance,
                "file_sha256": row.file_sha256,
            })),
        },
    )?;
    let files = file_meta(conn, Some(&enrolment.id))?;
    to_record(row, files)
}

/// Everything [`add_evidence`] would refuse in `new`, field by field, without writing anything:
/// a form that already found problems of its own shows these with them, all in one round.
pub fn evidence_problems(
    conn: &mut DbConnection,
    standard: &Standard,
    enrolment: &Enrolment,
    actor_id: &str,
    new: &NewEvidence,
    has_file: bool,
) -> Result<Problems, ActionError> {
    let recorded_by_assessor = enrolment.assessor_id.as_deref() == Some(actor_id);
    let existing = evidence_ids(conn, &enrolment.id)?;
    let mut problems = Problems::default();
    if actor_id == enrolment.candidate_id && !new.declaration {
        problems.add("declaration", "confirm that this evidence is your own work");
    }
    check_details(
        new,
        has_file,
        actor_id == enrolment.candidate_id,
        &mut problems,
    );
    check_observed(standard, &new.details, &mut problems);
    let instance = to_instance("new", new, recorded_by_assessor);
    check_against_standard(standard, &instance, &existing, &mut problems);
    Ok(problems)
}

/// The observation's outcomes must be the standard's, its checklist lines their criteria, and its
/// times a start and an end after it (both or neither).
fn check_observed(standard: &Standard, details: &EvidenceDetails, problems: &mut Problems) {
    for (i, id) in details.outcomes.iter().enumerate() {
        if standard.outcome(id.trim()).is_none() {
            problems.add(
                &format!("details.outcomes[{i}]"),
                format!("{id} is not an outcome of this standard"),
            );
        }
    }
    let chosen: Vec<&crate::standards::Outcome> = details
        .outcomes
        .iter()
        .filter_map(|id| standard.outcome(id.trim()))
        .collect();
    if !chosen.is_empty() {
        for (i, line) in details.checklist.iter().enumerate() {
            let covered = chosen
                .iter()
                .any(|o| o.criteria.iter().any(|c| c.id == line.criterion.trim()));
            if !covered && standard.criterion(line.criterion.trim()).is_some() {
                problems.add(
                    &format!("details.checklist[{i}].criterion"),
                    format!(
                        "{} is not a criterion of the outcomes observed ({})",
                        line.criterion,
                        details.outcomes.join(", ")
                    ),
                );
            }
        }
    }
    match (details.start, details.end) {
        (Some(_), None) => problems.add("details.end", "give the end time with the start time"),
        (None, Some(_)) => problems.add("details.start", "give the start time with the end time"),
        (Some(start), Some(end)) if end <= start => {
            problems.add("details.end", "the end time must be after the start time")
        }
        _ => {}
    }
}

/// The enrolment must still take evidence from this person.
fn ensure_open(enrolment: &Enrolment, by_assessor: bool) -> Result<(), ActionError> {
    match enrolment.status() {
        EnrolmentStatus::Active => Ok(()),
        EnrolmentStatus::Submitted if by_assessor => Ok(()),
        EnrolmentStatus::Submitted => Err(ActionError::Conflict(
            "the portfolio has been submitted: ask your assessor to reopen it to change it".into(),
        )),
        other => Err(ActionError::Conflict(format!(
            "the portfolio is {}: it is locked until the assessor reopens it",
            other.as_str()
        ))),
    }
}

/// Whether a stated relationship names a relative (testimony from relatives is refused).
pub fn is_relative(relationship: &str) -> bool {
    let relationship = relationship.to_lowercase();
    relationship
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .any(|word| RELATIVES.contains(&word))
}

fn method_name(method: Method) -> String {
    serde_json::to_value(method)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn check_details(new: &NewEvidence, has_file: bool, by_candidate: bool, problems: &mut Problems) {
    let details = &new.details;
    // Feedback to the candidate is the assessor's word, never the candidate's own.
    if by_candidate && details.feedback.is_some() {
        problems.add(
            "details.feedback",
            "is the assessor's feedback to you: leave it out",
        );
    }
    match new.method {
        Method::ObservationChecklist => {
            if details.checklist.is_empty() && new.criteria.is_empty() {
                problems.add(
                    "details.checklist",
                    "record shown, not shown or not applicable for each criterion observed",
                );
            }
        }
        Method::WitnessTestimony => match &details.witness {
            None => problems.add("details.witness", "is required for witness testimony"),
            Some(w) => {
                for (field, value) in [
                    ("name", &w.name),
                    ("job_title", &w.job_title),
                    ("relationship", &w.relationship),
                    ("contact", &w.contact),
                    ("statement", &w.statement),
                ] {
                    if value.trim().is_empty() {
                        problems.add(&format!("details.witness.{field}"), "is required");
                    }
                }
                if is_relative(&w.relationship) {
                    problems.add(
                        "details.witness.relationship",
                        "testimony from a relative cannot be accepted",
                    );
                }
                if w.declaration && by_candidate {
                    problems.add(
                        "details.witness.declaration",
                        "the witness confirms their testimony themselves, through the link they are sent",
                    );
                } else if w.declaration && w.declared_on.is_none() {
                    problems.add(
                        "details.witness.declared_on",
                        "give the date the witness signed",
                    );
                }
            }
        },
        Method::OralQuestioning | Method::WrittenQuestioning => {
            if details.questions.is_empty() {
                problems.add(
                    "details.questions",
                    "record at least one question and answer",
                );
            }
            if new.knowledge.is_empty() && new.criteria.is_empty() {
                problems.add(
                    "knowledge",
                    "name the knowledge items or criteria the questions cover",
                );
            }
        }
        Method::ProfessionalDiscussion | Method::ElectronicDataRecord => {
            if details
                .summary
                .as_deref()
                .is_none_or(|s| s.trim().is_empty())
                && !has_file
            {
                problems.add(
                    "details.summary",
                    "summarise what was discussed or recorded",
                );
            }
        }
        Method::ProductEvidence => {
            if !has_file {
                problems.add("file", "upload the product evidence as a file");
            }
        }
    }
    for (i, stamp) in details.timestamps.iter().enumerate() {
        if !valid_position(&stamp.at) {
            problems.add(
                &format!("details.timestamps[{i}].at"),
                "write the position as mm:ss or hh:mm:ss",
            );
        }
    }
}

fn valid_position(at: &str) -> bool {
    let parts: Vec<&str> = at.split(':').collect();
    (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 2 && p.chars().all(|c| c.is_ascii_digit()))
        && parts[1..]
            .iter()
            .all(|p| p.parse::<u32>().is_ok_and(|n| n < 60))
}

/// The engine's view of the new record. The assigned assessor's own records are their judgement.
fn to_instance(id: &str, new: &NewEvidence, by_assessor: bool) -> Evidence {
    let judgement = if by_assessor {
        Judgement::Accepted
    } else {
        Judgement::Pending
    };
    let mut criteria: Vec<CriterionMapping> = new
        .criteria
        .iter()
        .map(|m| CriterionMapping {
            criterion: m.criterion.trim().to_owned(),
            range: m.range.clone(),
            judgement,
            feedback: None,
        })
        .collect();
    for line in new
        .details
        .checklist
        .iter()
        .filter(|l| l.result == ChecklistResult::Shown)
    {
        if !criteria.iter().any(|c| c.criterion == line.criterion) {
            criteria.push(CriterionMapping {
                criterion: line.criterion.trim().to_owned(),
                range: line.range.clone(),
                judgement,
                feedback: None,
            });
        }
    }
    Evidence {
        id: id.to_owned(),
        kind: new.kind.clone().filter(|k| !k.trim().is_empty()),
        title: new.title.clone().filter(|t| !t.trim().is_empty()),
        method: new.method,
        setting: new.setting,
        channel: new.channel.clone(),
        date: new.date,
        // An observation's start is the activity's time when no other is given.
        time: new.time.or(new.details.start),
        site: new.site.clone().filter(|s| !s.trim().is_empty()),
        attributes: new.attributes.clone(),
        criteria,
        knowledge: new
            .knowledge
            .iter()
            .map(|item| KnowledgeMapping {
                item: item.trim().to_owned(),
                judgement,
                feedback: None,
            })
            .collect(),
        links: new.links.clone(),
    }
}

/// Every reference must exist in the standard; values of closed attributes must be declared; links
/// must point at evidence of the same enrolment.
fn check_against_standard(
    standard: &Standard,
    instance: &Evidence,
    existing: &[String],
    problems: &mut Problems,
) {
    let portfolio = Portfolio {
        standard: StandardRef {
            code: standard.code.clone(),
            version: standard.version,
        },
        candidate: None,
        evidence: vec![instance.clone()],
        not_applicable: Vec::new(),
        confirmations: Vec::new(),
    };
    for problem in crate::rules::references::check(standard, &portfolio) {
        let field = problem
            .path
            .strip_prefix("evidence[0].")
            .unwrap_or(&problem.path);
        if field.starts_with("links") {
            continue;
        }
        problems.add(field, problem.message);
    }
    for (key, value) in &instance.attributes {
        let Some(attribute) = standard.attributes.iter().find(|a| &a.id == key) else {
            problems.add(
                &format!("attributes.{key}"),
                "is not an attribute this standard declares",
            );
            continue;
        };
        if attribute.openness == Openness::Closed {
            for word in value.words() {
                if !attribute.values.iter().any(|v| &v.id == word) {
                    let allowed: Vec<&str> =
                        attribute.values.iter().map(|v| v.id.as_str()).collect();
                    problems.add(
                        &format!("attributes.{key}"),
                        format!("{word} is not one of {}", allowed.join(", ")),
                    );
                }
            }
        }
    }
    for (i, link) in instance.links.iter().enumerate() {
        if !existing.contains(&link.to) {
            problems.add(
                &format!("links[{i}].to"),
                "is not evidence of this portfolio",
            );
        }
    }
}

fn evidence_ids(conn: &mut DbConnection, enrolment_id: &str) -> Result<Vec<String>, ActionError> {
    Ok(evidence::table
        .filter(evidence::enrolment_id.eq(enrolment_id))
        .select(evidence::id)
        .load(conn)?)
}

pub(crate) fn record_file(
    conn: &mut DbConnection,
    file: &StoredFile,
    now: NaiveDateTime,
) -> Result<(), ActionError> {
    let known: i64 = files::table.find(&file.sha256).count().get_result(conn)?;
    if known == 0 {
        diesel::insert_into(files::table)
            .values((
                files::sha256.eq(&file.sha256),
                files::size.eq(file.size),
                files::content_type.eq(&file.content_type),
                files::stored_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

type FileMeta = BTreeMap<String, (i64, String)>;

fn file_meta(conn: &mut DbConnection, enrolment_id: Option<&str>) -> Result<FileMeta, ActionError> {
    let mut query = files::table
        .inner_join(evidence::table.on(evidence::file_sha256.eq(files::sha256.nullable())))
        .select((files::sha256, files::size, files::content_type))
        .distinct()
        .into_boxed();
    if let Some(id) = enrolment_id {
        query = query.filter(evidence::enrolment_id.eq(id.to_owned()));
    }
    Ok(query
        .load::<(String, i64, String)>(conn)?
        .into_iter()
        .map(|(sha, size, kind)| (sha, (size, kind)))
        .collect())
}

fn to_record(row: EvidenceRow, files: FileMeta) -> Result<EvidenceRecord, ActionError> {
    let instance: Evidence = crate::db::json::from_text(&row.instance)?;
    // Details erased under the retention rules are a marker, not details; anything else that does
    // not read is a corrupt row.
    let details: EvidenceDetails = if row.details == crate::privacy::CLEARED {
        EvidenceDetails::default()
    } else {
        crate::db::json::from_text(&row.details)?
    };
    let file = row.file_sha256.map(|sha| {
        let (size, content_type) = files.get(&sha).cloned().unwrap_or((0, String::new()));
        StoredFile {
            sha256: sha,
            name: row.file_name.unwrap_or_default(),
            size,
            content_type,
        }
    });
    Ok(EvidenceRecord {
        id: row.id,
        enrolment_id: row.enrolment_id,
        method: row.kind,
        instance,
        details,
        file,
        recorded_by: row.recorded_by,
        recorded_at: row.recorded_at,
        declared_at: row.declared_at,
    })
}

/// Every evidence record of an enrolment, oldest first.
pub fn list_evidence(
    conn: &mut DbConnection,
    enrolment_id: &str,
) -> Result<Vec<EvidenceRecord>, ActionError> {
    let rows: Vec<EvidenceRow> = evidence::table
        .filter(evidence::enrolment_id.eq(enrolment_id))
        .order((evidence::recorded_at.asc(), evidence::id.asc()))
        .select(EvidenceRow::as_select())
        .load(conn)?;
    let files = file_meta(conn, Some(enrolment_id))?;
    rows.into_iter()
        .map(|row| to_record(row, files.clone()))
        .collect()
}

/// One evidence record of an enrolment.
pub fn load_evidence(
    conn: &mut DbConnection,
    enrolment_id: &str,
    evidence_id: &str,
) -> Result<EvidenceRecord, ActionError> {
    let row: EvidenceRow = evidence::table
        .filter(evidence::enrolment_id.eq(enrolment_id))
        .filter(evidence::id.eq(evidence_id))
        .select(EvidenceRow::as_select())
        .first(conn)?;
    let files = file_meta(conn, Some(enrolment_id))?;
    to_record(row, files)
}

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
    evidence_id: &str,
    actor_id: &str,
    mut judgements: Judgements,
    now: DateTime<Utc>,
) -> Result<(EvidenceRecord, Vec<String>), ActionError> {
    ensure_open(enrolment, true)?;
    let mut record = load_evidence(conn, &enrolment.id, evidence_id)?;
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
    touch(conn, &enrolment.id, timestamp)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(actor_id),
            action: "evidence.judge",
            entity: "enrolment",
            entity_id: &enrolment.id,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_in_recordings() {
        for good in ["04:35", "1:02:59", "00:00"] {
            assert!(valid_position(good), "{good}");
        }
        for bad in ["4", "04:60", "aa:bb", "1:2:3:4", ""] {
            assert!(!valid_position(bad), "{bad}");
        }
    }
}
