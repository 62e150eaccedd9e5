//! Translating one evidence record's mappings and marks from the old version's ids to the new one's.

use super::*;
use crate::db::FirstRow;

/// A mapping file with its versions, ready to apply to `enrolment`.
pub(super) struct Ready<'c> {
    pub(super) id: MappingId,
    pub(super) file: MappingFile,
    pub(super) old: &'c LoadedStandard,
    pub(super) new: &'c LoadedStandard,
}

pub(super) fn ready<'c>(
    conn: &mut DbConnection,
    catalogue: &'c Catalogue,
    enrolment: &Enrolment,
    mapping_id: MappingId,
) -> Result<Ready<'c>, ActionError> {
    let found: Option<(MappingId, String)> = standard_mappings::table
        .filter(standard_mappings::id.eq(mapping_id))
        .filter(standard_mappings::org_id.eq(enrolment.org_id))
        .select((standard_mappings::id, standard_mappings::yaml))
        .first_row(conn)
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
    let org_id = enrolment.org_id.uuid();
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
pub(super) fn targets<'m>(
    items: &'m [ItemMap],
    new_ids: &BTreeSet<&str>,
    id: &'m str,
) -> Vec<&'m str> {
    match items.iter().find(|m| m.from == id) {
        Some(map) => map.to.iter().map(String::as_str).collect(),
        None if new_ids.contains(id) => vec![id],
        None => Vec::new(),
    }
}

pub(super) fn range_lists(standard: &Standard) -> BTreeSet<&str> {
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
pub(super) fn map_instance(file: &MappingFile, new: &Standard, instance: &Evidence) -> Evidence {
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
pub(super) fn map_marks(file: &MappingFile, new: &Standard, marks: AssessorMarks) -> AssessorMarks {
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
