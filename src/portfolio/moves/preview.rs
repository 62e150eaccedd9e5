//! What a move would do: the engine on the portfolio as it is and as it would be after the move.

use super::*;

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

pub(super) fn side(version: u32, report: &Report<'_>) -> Side {
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
    #[schema(value_type = String)]
    pub id: EvidenceId,
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
    #[schema(value_type = String)]
    pub mapping_id: MappingId,
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

pub(super) fn labels(instance: &Evidence) -> Vec<String> {
    instance
        .criteria
        .iter()
        .map(|c| c.criterion.clone())
        .chain(instance.knowledge.iter().map(|k| k.item.clone()))
        .collect()
}

/// The move worked out: the mapped records and marks, and what the engine says of both sides.
pub(super) struct Plan {
    pub(super) preview: MovePreview,
    pub(super) mapped: Vec<(crate::db::ids::EvidenceId, Evidence)>,
    pub(super) marks: AssessorMarks,
}

pub(super) fn plan(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    enrolment: &Enrolment,
    ready: &Ready<'_>,
    records: &[EvidenceRecord],
) -> Result<Plan, ActionError> {
    let (old, new) = (&ready.old.standard, &ready.new.standard);
    let chosen_old = crate::settings::interpretations(conn, enrolment.org_id, old)?;
    let chosen_new = crate::settings::interpretations(conn, enrolment.org_id, new)?;
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
            id: record.id,
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
        mapped.push((record.id, instance.clone()));
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
            mapping_id: ready.id,
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

pub(super) fn check_movable(enrolment: &Enrolment) -> Result<(), ActionError> {
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
    mapping_id: MappingId,
) -> Result<MovePreview, ActionError> {
    check_movable(enrolment)?;
    let ready = ready(conn, catalogue, enrolment, mapping_id)?;
    let records = list_evidence(conn, enrolment.id)?;
    Ok(plan(conn, catalogue, enrolment, &ready, &records)?.preview)
}
