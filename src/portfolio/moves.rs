//! Moving an enrolment to the next version of its standard (issue 22 item 4).
//!
//! A standards editor uploads a mapping file for one code, from one version to the next: which
//! criteria and knowledge items of the old version each becomes in the new one, with notes
//! (format in `docs/standards.md`). For an enrolment, [`preview`] runs the engine on the
//! portfolio as it is and on the mapped portfolio against the new version, so the admin sees what
//! still holds and what is newly missing before confirming. [`confirm`] pins the enrolment to the
//! new version's hash and gives every evidence record its mapped criteria; each record's original
//! mapping is kept in the move (`enrolment_moves.evidence_before`) for the archive and for
//! [`undo`], which is possible until the next unit decision or change of evidence.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{AssessorMarks, Enrolment, EvidenceRecord, build_portfolio, list_evidence};
use crate::action::{ActionError, Problems};
use crate::audit::{self, Change};
use crate::auth::policy::EnrolmentStatus;
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::schema::{enrolment_moves, enrolments, evidence, sign_offs, standard_mappings};
use crate::rules::portfolio::{CriterionMapping, Evidence, KnowledgeMapping};
use crate::rules::{Report, View};
use crate::standards::{LoadedStandard, Standard};

/// A mapping file: for one code, from one version to the next.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MappingFile {
    /// The standard's code (or an alias).
    pub code: String,
    /// The version candidates move from.
    pub from_version: u32,
    /// The version they move to (higher).
    pub to_version: u32,
    /// Criteria: each old criterion and the new criteria it becomes. A criterion not listed
    /// becomes the criterion with the same id, where the new version has one.
    #[serde(default)]
    pub criteria: Vec<ItemMap>,
    /// Knowledge items, likewise.
    #[serde(default)]
    pub knowledge: Vec<ItemMap>,
}

/// One old item and what it becomes.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemMap {
    /// The id in the old version.
    pub from: String,
    /// The ids in the new version; empty when it has no counterpart (its evidence no longer
    /// counts for anything).
    #[serde(default)]
    pub to: Vec<String>,
    /// Why, in words (shown in the preview).
    #[serde(default)]
    pub note: Option<String>,
}

/// A stored mapping file.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema, PartialEq, Eq)]
pub struct StoredMapping {
    /// Its id.
    pub id: String,
    /// The organisation it belongs to.
    pub org_id: String,
    /// The standard's code.
    pub code: String,
    /// From this version…
    pub from_version: u32,
    /// …to this one.
    pub to_version: u32,
    /// SHA-256 of the file.
    pub content_hash: String,
    /// Who uploaded it.
    pub uploaded_by: String,
    /// When.
    #[schema(value_type = String)]
    pub uploaded_at: NaiveDateTime,
}

fn item_ids(standard: &Standard) -> (BTreeSet<&str>, BTreeSet<&str>) {
    let criteria = standard
        .outcomes
        .iter()
        .flat_map(|o| &o.criteria)
        .map(|c| c.id.as_str())
        .collect();
    let knowledge = standard.knowledge.iter().map(|k| k.id.as_str()).collect();
    (criteria, knowledge)
}

/// Reads and checks a mapping file against the two versions: every id it names exists in its
/// version, and no old id is listed twice. Problems are named `criteria[i].from` and so on.
fn check(file: &MappingFile, old: &Standard, new: &Standard) -> Result<(), ActionError> {
    let mut problems = Problems::default();
    let (old_criteria, old_knowledge) = item_ids(old);
    let (new_criteria, new_knowledge) = item_ids(new);
    for (list, items, olds, news) in [
        ("criteria", &file.criteria, &old_criteria, &new_criteria),
        ("knowledge", &file.knowledge, &old_knowledge, &new_knowledge),
    ] {
        let mut seen = BTreeSet::new();
        for (i, item) in items.iter().enumerate() {
            if !olds.contains(item.from.as_str()) {
                problems.add(
                    &format!("{list}[{i}].from"),
                    format!(
                        "{} version {} has no {} {}",
                        old.code,
                        old.version,
                        if list == "criteria" {
                            "criterion"
                        } else {
                            "knowledge item"
                        },
                        item.from
                    ),
                );
            }
            if !seen.insert(item.from.as_str()) {
                problems.add(
                    &format!("{list}[{i}].from"),
                    format!("{} is mapped twice", item.from),
                );
            }
            for (j, to) in item.to.iter().enumerate() {
                if !news.contains(to.as_str()) {
                    problems.add(
                        &format!("{list}[{i}].to[{j}]"),
                        format!("{} version {} has no {to}", new.code, new.version),
                    );
                }
            }
        }
    }
    problems.finish()
}

fn org_uuid(org_id: &str) -> Result<Uuid, ActionError> {
    Uuid::parse_str(org_id).map_err(|_| ActionError::NotFound)
}

/// Stores a mapping file for `org_id` (audited `standard.upload_mapping`). Refused (422) when it
/// is not a mapping file, names versions the organisation's catalogue does not hold, does not go
/// to a higher version, or names ids its versions do not have.
pub fn upload(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    org_id: Uuid,
    actor_id: &str,
    yaml: &str,
    now: DateTime<Utc>,
) -> Result<StoredMapping, ActionError> {
    let file: MappingFile = serde_yaml::from_str(yaml)
        .map_err(|e| ActionError::invalid("yaml", format!("not a mapping file: {e}")))?;
    if file.to_version <= file.from_version {
        return Err(ActionError::invalid(
            "yaml",
            "to_version must be higher than from_version",
        ));
    }
    let version = |v: u32| {
        catalogue.get_in(org_id, &file.code, v).ok_or_else(|| {
            ActionError::invalid(
                "yaml",
                format!(
                    "this organisation's catalogue has no {} version {v}",
                    file.code
                ),
            )
        })
    };
    let (old, new) = (version(file.from_version)?, version(file.to_version)?);
    check(&file, &old.standard, &new.standard)?;
    let stored = StoredMapping {
        id: Uuid::new_v4().to_string(),
        org_id: org_id.to_string(),
        code: new.standard.code.clone(),
        from_version: file.from_version,
        to_version: file.to_version,
        content_hash: hex::encode(<sha2::Sha256 as sha2::Digest>::digest(yaml.as_bytes())),
        uploaded_by: actor_id.to_owned(),
        uploaded_at: now.naive_utc(),
    };
    diesel::insert_into(standard_mappings::table)
        .values((
            standard_mappings::id.eq(&stored.id),
            standard_mappings::org_id.eq(&stored.org_id),
            standard_mappings::code.eq(&stored.code),
            standard_mappings::from_version.eq(i32::try_from(stored.from_version).unwrap_or(0)),
            standard_mappings::to_version.eq(i32::try_from(stored.to_version).unwrap_or(0)),
            standard_mappings::yaml.eq(yaml),
            standard_mappings::content_hash.eq(&stored.content_hash),
            standard_mappings::uploaded_by.eq(actor_id),
            standard_mappings::uploaded_at.eq(stored.uploaded_at),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(actor_id),
            action: "standard.upload_mapping",
            entity: "organisation",
            entity_id: &stored.org_id,
            before: None,
            after: Some(serde_json::json!({
                "id": stored.id, "code": stored.code, "from_version": stored.from_version,
                "to_version": stored.to_version, "content_hash": stored.content_hash,
            })),
        },
    )?;
    Ok(stored)
}

type MappingRow = (
    String,
    String,
    String,
    i32,
    i32,
    String,
    String,
    NaiveDateTime,
);

fn stored(
    (id, org_id, code, from, to, content_hash, uploaded_by, uploaded_at): MappingRow,
) -> StoredMapping {
    StoredMapping {
        id,
        org_id,
        code,
        from_version: u32::try_from(from).unwrap_or(0),
        to_version: u32::try_from(to).unwrap_or(0),
        content_hash,
        uploaded_by,
        uploaded_at,
    }
}

const MAPPING_COLUMNS: (
    standard_mappings::id,
    standard_mappings::org_id,
    standard_mappings::code,
    standard_mappings::from_version,
    standard_mappings::to_version,
    standard_mappings::content_hash,
    standard_mappings::uploaded_by,
    standard_mappings::uploaded_at,
) = (
    standard_mappings::id,
    standard_mappings::org_id,
    standard_mappings::code,
    standard_mappings::from_version,
    standard_mappings::to_version,
    standard_mappings::content_hash,
    standard_mappings::uploaded_by,
    standard_mappings::uploaded_at,
);

/// The organisation's mapping files, newest first.
pub fn list(conn: &mut DbConnection, org_id: &str) -> QueryResult<Vec<StoredMapping>> {
    let rows: Vec<MappingRow> = standard_mappings::table
        .filter(standard_mappings::org_id.eq(org_id))
        .order((
            standard_mappings::uploaded_at.desc(),
            standard_mappings::id.desc(),
        ))
        .select(MAPPING_COLUMNS)
        .load(conn)?;
    Ok(rows.into_iter().map(stored).collect())
}

/// The mapping files that take `enrolment` from its version to a later one, newest first.
pub fn for_enrolment(
    conn: &mut DbConnection,
    enrolment: &Enrolment,
) -> QueryResult<Vec<StoredMapping>> {
    Ok(list(conn, &enrolment.org_id)?
        .into_iter()
        .filter(|m| {
            crate::standards::normalise_code(&m.code)
                == crate::standards::normalise_code(&enrolment.standard_code)
                && i64::from(m.from_version) == i64::from(enrolment.standard_version)
        })
        .collect())
}

/// A mapping file with its versions, ready to apply to `enrolment`.
struct Ready<'c> {
    id: String,
    file: MappingFile,
    old: &'c LoadedStandard,
    new: &'c LoadedStandard,
}

fn ready<'c>(
    conn: &mut DbConnection,
    catalogue: &'c Catalogue,
    enrolment: &Enrolment,
    mapping_id: &str,
) -> Result<Ready<'c>, ActionError> {
    let found: Option<(String, String)> = standard_mappings::table
        .filter(standard_mappings::id.eq(mapping_id))
        .filter(standard_mappings::org_id.eq(&enrolment.org_id))
        .select((standard_mappings::id, standard_mappings::yaml))
        .first(conn)
        .optional()?;
    let Some((id, yaml)) = found else {
        return Err(ActionError::invalid(
            "mapping_id",
            "no such mapping file in this organisation",
        ));
    };
    let file: MappingFile = serde_yaml::from_str(&yaml)
        .map_err(|e| ActionError::invalid("mapping_id", format!("unreadable mapping file: {e}")))?;
    let old = catalogue.pinned(enrolment)?;
    if !old.standard.answers_to(&file.code) || old.standard.version != file.from_version {
        return Err(ActionError::invalid(
            "mapping_id",
            format!(
                "the mapping file is for {} version {}, and the enrolment is on {} version {}",
                file.code, file.from_version, old.standard.code, old.standard.version
            ),
        ));
    }
    let org_id = org_uuid(&enrolment.org_id)?;
    let new = catalogue
        .get_in(org_id, &file.code, file.to_version)
        .ok_or_else(|| {
            ActionError::Conflict(format!(
                "{} version {} is no longer in the catalogue",
                file.code, file.to_version
            ))
        })?;
    Ok(Ready { id, file, old, new })
}

/// What one item becomes: the mapping file's targets, else the same id where the new version has
/// it, else nothing.
fn targets<'m>(items: &'m [ItemMap], new_ids: &BTreeSet<&str>, id: &'m str) -> Vec<&'m str> {
    match items.iter().find(|m| m.from == id) {
        Some(map) => map.to.iter().map(String::as_str).collect(),
        None if new_ids.contains(id) => vec![id],
        None => Vec::new(),
    }
}

fn range_lists(standard: &Standard) -> BTreeSet<&str> {
    standard
        .ranges
        .iter()
        .chain(standard.outcomes.iter().flat_map(|o| &o.range))
        .chain(
            standard
                .outcomes
                .iter()
                .flat_map(|o| &o.criteria)
                .flat_map(|c| &c.range),
        )
        .map(|list| list.id.as_str())
        .collect()
}

/// The instance as the new version reads it: each criterion and knowledge mapping becomes its
/// targets (keeping the range items of lists the new version has, the judgement and the
/// feedback); attributes the new version does not declare are left out.
fn map_instance(file: &MappingFile, new: &Standard, instance: &Evidence) -> Evidence {
    let (new_criteria, new_knowledge) = item_ids(new);
    let lists = range_lists(new);
    let attributes: BTreeSet<&str> = new.attributes.iter().map(|a| a.id.as_str()).collect();
    let mut criteria: Vec<CriterionMapping> = Vec::new();
    for mapping in &instance.criteria {
        for target in targets(&file.criteria, &new_criteria, &mapping.criterion) {
            if criteria.iter().any(|c| c.criterion == target) {
                continue;
            }
            criteria.push(CriterionMapping {
                criterion: target.to_owned(),
                range: mapping
                    .range
                    .iter()
                    .filter(|(list, _)| lists.contains(list.as_str()))
                    .map(|(list, items)| (list.clone(), items.clone()))
                    .collect(),
                judgement: mapping.judgement,
                feedback: mapping.feedback.clone(),
            });
        }
    }
    let mut knowledge: Vec<KnowledgeMapping> = Vec::new();
    for mapping in &instance.knowledge {
        for target in targets(&file.knowledge, &new_knowledge, &mapping.item) {
            if knowledge.iter().any(|k| k.item == target) {
                continue;
            }
            knowledge.push(KnowledgeMapping {
                item: target.to_owned(),
                judgement: mapping.judgement,
                feedback: mapping.feedback.clone(),
            });
        }
    }
    Evidence {
        criteria,
        knowledge,
        attributes: instance
            .attributes
            .iter()
            .filter(|(id, _)| attributes.contains(id.as_str()))
            .map(|(id, value)| (id.clone(), value.clone()))
            .collect(),
        ..instance.clone()
    }
}

/// The assessor's marks as the new version reads them: not-applicable criteria through the
/// mapping, confirmations of rules the new version still has.
fn map_marks(file: &MappingFile, new: &Standard, marks: AssessorMarks) -> AssessorMarks {
    let (new_criteria, _) = item_ids(new);
    let rules: BTreeSet<&str> = new.rules.iter().map(|r| r.id.as_str()).collect();
    let mut not_applicable = Vec::new();
    for mark in marks.not_applicable {
        for target in targets(&file.criteria, &new_criteria, &mark.criterion) {
            let mut mapped = mark.clone();
            mapped.criterion = target.to_owned();
            not_applicable.push(mapped);
        }
    }
    AssessorMarks {
        not_applicable,
        confirmations: marks
            .confirmations
            .into_iter()
            .filter(|c| rules.contains(c.rule.as_str()))
            .collect(),
    }
}

/// One side of the preview: the portfolio against one version, in the confirmed view.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Side {
    /// The version.
    pub version: u32,
    /// Whether the unit is complete.
    pub complete: bool,
    /// Requirements met.
    pub met: u32,
    /// Requirements in all.
    pub total: u32,
    /// Each outcome: "ID title: met | partly met | not started".
    pub outcomes: Vec<String>,
    /// What is missing, in plain words.
    pub gaps: Vec<String>,
}

fn side(version: u32, report: &Report<'_>) -> Side {
    Side {
        version,
        complete: report.complete,
        met: report.progress.met,
        total: report.progress.total,
        outcomes: report
            .outcomes
            .iter()
            .map(|o| format!("{} {}: {}", o.id, o.title, o.status.as_words()))
            .collect(),
        gaps: report.gaps.iter().map(|g| g.message.clone()).collect(),
    }
}

/// What one evidence record's mapping becomes.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EvidenceMove {
    /// The record.
    pub id: String,
    /// Its title or kind and date, for people.
    pub label: String,
    /// Its criteria and knowledge items now (kept in the move for the archive).
    pub original: Vec<String>,
    /// What they become in the new version.
    pub mapped: Vec<String>,
    /// Items with no counterpart in the new version.
    pub not_carried: Vec<String>,
}

/// What moving an enrolment would do.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MovePreview {
    /// The mapping file applied.
    pub mapping_id: String,
    /// The standard's code.
    pub code: String,
    /// The portfolio against its version now.
    pub before: Side,
    /// The mapped portfolio against the new version.
    pub after: Side,
    /// Outcomes met now that are met under the new version too.
    pub still_met: Vec<String>,
    /// Gaps under the new version the portfolio does not have now.
    pub newly_missing: Vec<String>,
    /// Each evidence record's mapping, before and after.
    pub evidence: Vec<EvidenceMove>,
    /// The mapping file's notes, "FROM → TO: note".
    pub notes: Vec<String>,
}

fn labels(instance: &Evidence) -> Vec<String> {
    instance
        .criteria
        .iter()
        .map(|c| c.criterion.clone())
        .chain(instance.knowledge.iter().map(|k| k.item.clone()))
        .collect()
}

/// The move worked out: the mapped records and marks, and what the engine says of both sides.
struct Plan {
    preview: MovePreview,
    mapped: Vec<(String, Evidence)>,
    marks: AssessorMarks,
}

fn plan(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    enrolment: &Enrolment,
    ready: &Ready<'_>,
    records: &[EvidenceRecord],
) -> Result<Plan, ActionError> {
    let (old, new) = (&ready.old.standard, &ready.new.standard);
    let chosen_old = crate::settings::interpretations(conn, &enrolment.org_id, old)?;
    let chosen_new = crate::settings::interpretations(conn, &enrolment.org_id, new)?;
    let before_portfolio = build_portfolio(enrolment, None, records)?;
    let engine_old = catalogue.engine(ready.old, &chosen_old);
    let before_report = engine_old.evaluate(&before_portfolio, View::Confirmed);
    let before = side(old.version, &before_report);

    let mut moved = enrolment.clone();
    moved.standard_version = i32::try_from(new.version).unwrap_or(i32::MAX);
    moved.standard_hash = ready.new.content_hash.clone();
    let marks = map_marks(&ready.file, new, AssessorMarks::recorded(enrolment)?);
    moved.assessor_marks = crate::db::json::to_text(&marks)?;
    let mut mapped_records = records.to_vec();
    let mut evidence = Vec::with_capacity(records.len());
    let mut mapped = Vec::with_capacity(records.len());
    for record in &mut mapped_records {
        let instance = map_instance(&ready.file, new, &record.instance);
        let original = labels(&record.instance);
        let after = labels(&instance);
        let (new_criteria, new_knowledge) = item_ids(new);
        let not_carried = record
            .instance
            .criteria
            .iter()
            .filter(|c| targets(&ready.file.criteria, &new_criteria, &c.criterion).is_empty())
            .map(|c| c.criterion.clone())
            .chain(
                record
                    .instance
                    .knowledge
                    .iter()
                    .filter(|k| targets(&ready.file.knowledge, &new_knowledge, &k.item).is_empty())
                    .map(|k| k.item.clone()),
            )
            .collect();
        evidence.push(EvidenceMove {
            id: record.id.clone(),
            label: format!(
                "{} of {}",
                record
                    .instance
                    .title
                    .clone()
                    .or_else(|| record.instance.kind.clone())
                    .unwrap_or_else(|| record.method.replace('_', " ")),
                record.instance.date
            ),
            original,
            mapped: after,
            not_carried,
        });
        mapped.push((record.id.clone(), instance.clone()));
        record.instance = instance;
    }
    let after_portfolio = build_portfolio(&moved, None, &mapped_records)?;
    let engine_new = catalogue.engine(ready.new, &chosen_new);
    let after_report = engine_new.evaluate(&after_portfolio, View::Confirmed);
    let after = side(new.version, &after_report);
    let met_before: BTreeSet<&str> = before_report
        .outcomes
        .iter()
        .filter(|o| o.status == crate::rules::report::Status::Met)
        .map(|o| o.id)
        .collect();
    let still_met = after_report
        .outcomes
        .iter()
        .filter(|o| o.status == crate::rules::report::Status::Met && met_before.contains(o.id))
        .map(|o| format!("{} {}", o.id, o.title))
        .collect();
    let newly_missing = after
        .gaps
        .iter()
        .filter(|g| !before.gaps.contains(g))
        .cloned()
        .collect();
    let notes = ready
        .file
        .criteria
        .iter()
        .chain(&ready.file.knowledge)
        .filter_map(|m| {
            m.note.as_ref().map(|note| {
                let to = if m.to.is_empty() {
                    "nothing".to_owned()
                } else {
                    m.to.join(", ")
                };
                format!("{} → {to}: {note}", m.from)
            })
        })
        .collect();
    Ok(Plan {
        preview: MovePreview {
            mapping_id: ready.id.clone(),
            code: new.code.clone(),
            before,
            after,
            still_met,
            newly_missing,
            evidence,
            notes,
        },
        mapped,
        marks,
    })
}

fn check_movable(enrolment: &Enrolment) -> Result<(), ActionError> {
    match enrolment.status {
        EnrolmentStatus::Active | EnrolmentStatus::Submitted => Ok(()),
        other => Err(ActionError::Conflict(format!(
            "the enrolment is {other}: only an active or submitted enrolment moves to a new version"
        ))),
    }
}

/// What moving `enrolment` with the mapping file would do; nothing changes.
pub fn preview(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    enrolment: &Enrolment,
    mapping_id: &str,
) -> Result<MovePreview, ActionError> {
    check_movable(enrolment)?;
    let ready = ready(conn, catalogue, enrolment, mapping_id)?;
    let records = list_evidence(conn, &enrolment.id)?;
    Ok(plan(conn, catalogue, enrolment, &ready, &records)?.preview)
}

/// A move made.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Move {
    /// Its id.
    pub id: String,
    /// The enrolment.
    pub enrolment_id: String,
    /// The mapping file applied.
    pub mapping_id: String,
    /// The version left.
    pub from_version: u32,
    /// The version reached.
    pub to_version: u32,
    /// The hash the enrolment is now pinned to.
    pub to_hash: String,
    /// When.
    #[schema(value_type = String)]
    pub moved_at: NaiveDateTime,
    /// When it was undone, if it was.
    #[schema(value_type = Option<String>)]
    pub undone_at: Option<NaiveDateTime>,
    /// What the engine said before confirming.
    pub preview: MovePreview,
}

/// Moves `enrolment` to the mapping file's version (audited `enrolment.move_version`): pinned to
/// the new version's hash, each evidence record mapped, the originals kept in the move.
pub fn confirm(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    enrolment: &Enrolment,
    actor_id: &str,
    mapping_id: &str,
    now: DateTime<Utc>,
) -> Result<Move, ActionError> {
    check_movable(enrolment)?;
    let ready = ready(conn, catalogue, enrolment, mapping_id)?;
    let records = list_evidence(conn, &enrolment.id)?;
    let Plan {
        preview,
        mapped,
        marks,
    } = plan(conn, catalogue, enrolment, &ready, &records)?;
    let before: BTreeMap<&str, &Evidence> = records
        .iter()
        .map(|r| (r.id.as_str(), &r.instance))
        .collect();
    let timestamp = now.naive_utc();
    for (id, instance) in &mapped {
        diesel::update(evidence::table.find(id))
            .set(evidence::instance.eq(crate::db::json::to_text(instance)?))
            .execute(conn)?;
    }
    let new = &ready.new;
    let to_version = i32::try_from(new.standard.version).unwrap_or(i32::MAX);
    diesel::update(enrolments::table.find(&enrolment.id))
        .set((
            enrolments::standard_version.eq(to_version),
            enrolments::standard_hash.eq(&new.content_hash),
            enrolments::assessor_marks.eq(crate::db::json::to_text(&marks)?),
            enrolments::updated_at.eq(timestamp),
        ))
        .execute(conn)?;
    let made = Move {
        id: Uuid::new_v4().to_string(),
        enrolment_id: enrolment.id.clone(),
        mapping_id: ready.id.clone(),
        from_version: ready.old.standard.version,
        to_version: new.standard.version,
        to_hash: new.content_hash.clone(),
        moved_at: timestamp,
        undone_at: None,
        preview,
    };
    diesel::insert_into(enrolment_moves::table)
        .values((
            enrolment_moves::id.eq(&made.id),
            enrolment_moves::enrolment_id.eq(&enrolment.id),
            enrolment_moves::mapping_id.eq(&made.mapping_id),
            enrolment_moves::from_version.eq(enrolment.standard_version),
            enrolment_moves::from_hash.eq(&enrolment.standard_hash),
            enrolment_moves::to_version.eq(to_version),
            enrolment_moves::to_hash.eq(&made.to_hash),
            enrolment_moves::evidence_before.eq(crate::db::json::to_text(&before)?),
            enrolment_moves::marks_before.eq(&enrolment.assessor_marks),
            enrolment_moves::moved_by.eq(actor_id),
            enrolment_moves::moved_at.eq(timestamp),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(actor_id),
            action: "enrolment.move_version",
            entity: "enrolment",
            entity_id: &enrolment.id,
            before: Some(serde_json::json!({
                "standard_code": enrolment.standard_code,
                "standard_version": enrolment.standard_version,
                "standard_hash": enrolment.standard_hash,
                "evidence": before,
            })),
            after: Some(serde_json::json!({
                "move_id": made.id, "mapping_id": made.mapping_id,
                "standard_version": made.to_version, "standard_hash": made.to_hash,
                "evidence": mapped.iter().map(|(id, i)| (id.as_str(), i)).collect::<BTreeMap<_, _>>(),
            })),
        },
    )?;
    Ok(made)
}

type MoveRow = (
    String,
    String,
    i32,
    String,
    i32,
    String,
    String,
    String,
    NaiveDateTime,
    Option<NaiveDateTime>,
);

/// The enrolment's last move, if it has one: (id, mapping, from version, from hash, to version,
/// to hash, evidence before, marks before, moved at, undone at).
fn last_move(conn: &mut DbConnection, enrolment_id: &str) -> QueryResult<Option<MoveRow>> {
    enrolment_moves::table
        .filter(enrolment_moves::enrolment_id.eq(enrolment_id))
        .order((enrolment_moves::moved_at.desc(), enrolment_moves::id.desc()))
        .select((
            enrolment_moves::id,
            enrolment_moves::mapping_id,
            enrolment_moves::from_version,
            enrolment_moves::from_hash,
            enrolment_moves::to_version,
            enrolment_moves::to_hash,
            enrolment_moves::evidence_before,
            enrolment_moves::marks_before,
            enrolment_moves::moved_at,
            enrolment_moves::undone_at,
        ))
        .first(conn)
        .optional()
}

/// The enrolment's last move as the pages show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LastMove {
    /// Its id.
    pub id: String,
    /// The version left.
    pub from_version: u32,
    /// The version reached.
    pub to_version: u32,
    /// When.
    #[schema(value_type = String)]
    pub moved_at: NaiveDateTime,
    /// When it was undone.
    #[schema(value_type = Option<String>)]
    pub undone_at: Option<NaiveDateTime>,
    /// Why it can no longer be undone, when it cannot.
    pub undo_refused: Option<String>,
}

/// The enrolment's last move, and whether it can still be undone.
pub fn last(
    conn: &mut DbConnection,
    enrolment: &Enrolment,
) -> Result<Option<LastMove>, ActionError> {
    let Some(row) = last_move(conn, &enrolment.id)? else {
        return Ok(None);
    };
    let undo_refused = why_not_undo(conn, enrolment, &row)?;
    let (id, _, from, _, to, _, _, _, moved_at, undone_at) = row;
    Ok(Some(LastMove {
        id,
        from_version: u32::try_from(from).unwrap_or(0),
        to_version: u32::try_from(to).unwrap_or(0),
        moved_at,
        undone_at,
        undo_refused,
    }))
}

fn why_not_undo(
    conn: &mut DbConnection,
    enrolment: &Enrolment,
    row: &MoveRow,
) -> Result<Option<String>, ActionError> {
    let (_, _, _, _, _, to_hash, _, _, moved_at, undone_at) = row;
    if undone_at.is_some() {
        return Ok(Some("it has been undone".into()));
    }
    if &enrolment.standard_hash != to_hash {
        return Ok(Some("the enrolment has moved since".into()));
    }
    let decided: i64 = sign_offs::table
        .filter(sign_offs::enrolment_id.eq(&enrolment.id))
        .filter(sign_offs::signed_at.ge(*moved_at))
        .count()
        .get_result(conn)?;
    if decided > 0 {
        return Ok(Some("a decision has been signed since the move".into()));
    }
    let changed: i64 = evidence::table
        .filter(evidence::enrolment_id.eq(&enrolment.id))
        .filter(
            evidence::recorded_at
                .gt(*moved_at)
                .or(evidence::updated_at.gt(*moved_at)),
        )
        .count()
        .get_result(conn)?;
    if changed > 0 {
        return Ok(Some(
            "evidence has been added, changed or judged since the move".into(),
        ));
    }
    Ok(None)
}

/// Undoes the enrolment's last move (audited `enrolment.undo_move`): back to the version and hash
/// it left, each evidence record's original mapping and the marks as they were. Refused (409)
/// once a decision has been signed, or evidence added, changed or judged, since the move.
pub fn undo(
    conn: &mut DbConnection,
    enrolment: &Enrolment,
    actor_id: &str,
    now: DateTime<Utc>,
) -> Result<LastMove, ActionError> {
    let row = last_move(conn, &enrolment.id)?
        .ok_or_else(|| ActionError::Conflict("the enrolment has not been moved".into()))?;
    if let Some(why) = why_not_undo(conn, enrolment, &row)? {
        return Err(ActionError::Conflict(format!(
            "the move can no longer be undone: {why}"
        )));
    }
    let (id, _, from_version, from_hash, to_version, _, evidence_before, marks_before, moved_at, _) =
        row;
    let originals: BTreeMap<String, Evidence> = serde_json::from_str(&evidence_before)
        .map_err(|e| ActionError::Conflict(format!("the move's record is unreadable: {e}")))?;
    for (evidence_id, instance) in &originals {
        diesel::update(evidence::table.find(evidence_id))
            .set(evidence::instance.eq(crate::db::json::to_text(instance)?))
            .execute(conn)?;
    }
    let timestamp = now.naive_utc();
    diesel::update(enrolments::table.find(&enrolment.id))
        .set((
            enrolments::standard_version.eq(from_version),
            enrolments::standard_hash.eq(&from_hash),
            enrolments::assessor_marks.eq(&marks_before),
            enrolments::updated_at.eq(timestamp),
        ))
        .execute(conn)?;
    diesel::update(enrolment_moves::table.find(&id))
        .set((
            enrolment_moves::undone_by.eq(actor_id),
            enrolment_moves::undone_at.eq(timestamp),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(actor_id),
            action: "enrolment.undo_move",
            entity: "enrolment",
            entity_id: &enrolment.id,
            before: Some(serde_json::json!({
                "move_id": id, "standard_version": to_version,
                "standard_hash": enrolment.standard_hash,
            })),
            after: Some(serde_json::json!({
                "standard_version": from_version, "standard_hash": from_hash,
            })),
        },
    )?;
    Ok(LastMove {
        id,
        from_version: u32::try_from(from_version).unwrap_or(0),
        to_version: u32::try_from(to_version).unwrap_or(0),
        moved_at,
        undone_at: Some(timestamp),
        undo_refused: Some("it has been undone".into()),
    })
}
