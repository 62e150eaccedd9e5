//! Evidence as stored: writing a new record (with its file), and reading records back as the API
//! shows them.

use std::collections::BTreeMap;

use crate::db::FirstRow;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::check::evidence_problems;
use super::input::{ChecklistResult, EvidenceDetails, NewEvidence, StoredFile};
use crate::action::ActionError;
use crate::audit::{self, Change};
use crate::auth::policy::EnrolmentStatus;
use crate::db::DbConnection;
use crate::db::ids::{EnrolmentId, EvidenceId, UserId};
use crate::db::schema::{evidence, files};
use crate::portfolio::enrolment::{Enrolment, touch};
use crate::rules::portfolio::{CriterionMapping, Evidence, Judgement, KnowledgeMapping};
use crate::standards::{Method, Standard};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = evidence)]
struct EvidenceRow {
    id: EvidenceId,
    enrolment_id: EnrolmentId,
    kind: String,
    instance: String,
    details: String,
    file_sha256: Option<String>,
    file_name: Option<String>,
    recorded_by: UserId,
    recorded_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    declared_at: Option<NaiveDateTime>,
}

/// An evidence record as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EvidenceRecord {
    /// Its id.
    #[schema(value_type = String)]
    pub id: EvidenceId,
    /// The enrolment.
    #[schema(value_type = String)]
    pub enrolment_id: EnrolmentId,
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
    #[schema(value_type = String)]
    pub recorded_by: UserId,
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
    actor: UserId,
    new: NewEvidence,
    file: Option<StoredFile>,
    now: DateTime<Utc>,
) -> Result<EvidenceRecord, ActionError> {
    let recorded_by_assessor = enrolment.assessor_id == Some(actor);
    ensure_open(enrolment, recorded_by_assessor)?;
    let by_candidate = enrolment.candidate_id == actor;
    let id = EvidenceId::random();
    let instance = to_instance(&id.to_string(), &new, recorded_by_assessor);
    evidence_problems(conn, standard, enrolment, actor, &new, file.is_some())?.finish()?;

    let timestamp = now.naive_utc();
    let row = EvidenceRow {
        id,
        enrolment_id: enrolment.id,
        kind: method_name(new.method),
        instance: crate::db::json::to_text(&instance)?,
        details: crate::db::json::to_text(&new.details)?,
        file_sha256: file.as_ref().map(|f| f.sha256.clone()),
        file_name: file.as_ref().map(|f| f.name.clone()),
        recorded_by: actor,
        recorded_at: timestamp,
        updated_at: timestamp,
        declared_at: (by_candidate && new.declaration).then_some(timestamp),
    };
    if let Some(file) = &file {
        record_file(conn, file, timestamp)?;
    }
    crate::on_backend!(conn, |c| diesel::insert_into(evidence::table)
        .values(&row)
        .execute(c))?;
    touch(conn, enrolment.id, timestamp)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(&actor.to_string()),
            action: "evidence.add",
            entity: "enrolment",
            entity_id: &enrolment.id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "evidence_id": id,
                "instance": instance,
                "file_sha256": row.file_sha256,
            })),
        },
    )?;
    let files = file_of(conn, row.file_sha256.as_deref())?;
    to_record(row, &files)
}

/// The enrolment must still take evidence from this person.
pub(super) fn ensure_open(enrolment: &Enrolment, by_assessor: bool) -> Result<(), ActionError> {
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

fn method_name(method: Method) -> String {
    serde_json::to_value(method)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The engine's view of the new record. The assigned assessor's own records are their judgement.
pub(super) fn to_instance(id: &str, new: &NewEvidence, by_assessor: bool) -> Evidence {
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
            range: m.range.clone().into(),
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
                range: line.range.clone().into(),
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
        attributes: new.attributes.clone().into(),
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

pub(super) fn evidence_ids(
    conn: &mut DbConnection,
    enrolment_id: EnrolmentId,
) -> Result<Vec<String>, ActionError> {
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

fn file_meta(
    conn: &mut DbConnection,
    enrolment_id: Option<EnrolmentId>,
) -> Result<FileMeta, ActionError> {
    let mut query = files::table
        .inner_join(evidence::table.on(evidence::file_sha256.eq(files::sha256.nullable())))
        .select((files::sha256, files::size, files::content_type))
        .distinct()
        .into_boxed();
    if let Some(id) = enrolment_id {
        query = query.filter(evidence::enrolment_id.eq(id));
    }
    Ok(query
        .load::<(String, i64, String)>(conn)?
        .into_iter()
        .map(|(sha, size, kind)| (sha, (size, kind)))
        .collect())
}

/// What is known of one stored file (none when the record has no file): what [`to_record`] needs
/// for a single record, without reading every file of the enrolment.
fn file_of(conn: &mut DbConnection, sha256: Option<&str>) -> Result<FileMeta, ActionError> {
    let Some(sha256) = sha256 else {
        return Ok(FileMeta::new());
    };
    Ok(files::table
        .find(sha256)
        .select((files::sha256, files::size, files::content_type))
        .load::<(String, i64, String)>(conn)?
        .into_iter()
        .map(|(sha, size, kind)| (sha, (size, kind)))
        .collect())
}

fn to_record(row: EvidenceRow, files: &FileMeta) -> Result<EvidenceRecord, ActionError> {
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
    enrolment_id: EnrolmentId,
) -> Result<Vec<EvidenceRecord>, ActionError> {
    let rows: Vec<EvidenceRow> = evidence::table
        .filter(evidence::enrolment_id.eq(enrolment_id))
        .order((evidence::recorded_at.asc(), evidence::id.asc()))
        .select(EvidenceRow::as_select())
        .load(conn)?;
    let files = file_meta(conn, Some(enrolment_id))?;
    rows.into_iter().map(|row| to_record(row, &files)).collect()
}

/// One evidence record of an enrolment.
pub fn load_evidence(
    conn: &mut DbConnection,
    enrolment_id: EnrolmentId,
    evidence_id: EvidenceId,
) -> Result<EvidenceRecord, ActionError> {
    let row: EvidenceRow = evidence::table
        .filter(evidence::enrolment_id.eq(enrolment_id))
        .filter(evidence::id.eq(evidence_id))
        .select(EvidenceRow::as_select())
        .first_row(conn)?;
    let files = file_of(conn, row.file_sha256.as_deref())?;
    to_record(row, &files)
}
