//! The criteria part of an evidence form: outcomes, criteria and range statements to tick, results
//! and notes, read back into mappings.

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::*;
use crate::http::pages::form::{Fields, FormState, field_id, ticked};
use crate::standards::{Criterion, Outcome, RangeList, Standard};

/// A range list under a criterion, as checkboxes.
#[derive(Debug, Serialize)]
pub struct RangeView {
    id: String,
    name: String,
    field: String,
    open: bool,
    items: Vec<Choice>,
}

/// A criterion as a checkbox (or a checklist line), with its range lists.
#[derive(Debug, Serialize)]
pub struct CriterionView {
    /// The criterion id.
    pub id: String,
    /// Its number as printed, e.g. `(a)`.
    pub label: String,
    /// Its words.
    pub text: String,
    /// Its condition, for conditional criteria.
    pub condition: Option<String>,
    /// The checkbox's id; also the anchor errors about the criterion link to.
    pub dom: String,
    /// Ticked (claimed).
    pub checked: bool,
    /// What is wrong with its mapping.
    pub error: Option<String>,
    /// Its range lists (its own, then its outcome's).
    pub ranges: Vec<RangeView>,
    /// For checklists: shown / not shown / not applicable.
    pub results: Vec<Choice>,
    /// For checklists: the assessor's notes.
    pub notes: String,
}

/// An outcome's criteria, folded away unless something in it is ticked or at fault.
#[derive(Debug, Serialize)]
pub struct OutcomeView {
    id: String,
    label: String,
    title: String,
    open: bool,
    criteria: Vec<CriterionView>,
}

/// The range lists a criterion's mapping can show: its own, then its outcome's.
fn range_lists<'a>(outcome: &'a Outcome, criterion: &'a Criterion) -> Vec<&'a RangeList> {
    criterion.range.iter().chain(&outcome.range).collect()
}

/// The field carrying the range items ticked for one list of one criterion.
fn range_field(criterion: &str, list: &str) -> String {
    format!("range.{criterion}.{list}")
}

/// The anchor and error key of a criterion.
pub fn criterion_key(criterion: &str) -> String {
    format!("criteria.{criterion}")
}

fn criterion_view(
    outcome: &Outcome,
    criterion: &Criterion,
    fields: &Fields,
    form: &FormState,
) -> CriterionView {
    let key = criterion_key(&criterion.id);
    let ranges = range_lists(outcome, criterion)
        .into_iter()
        .map(|list| {
            let field = range_field(&criterion.id, &list.id);
            let ticked = fields.all(&field);
            RangeView {
                id: list.id.clone(),
                name: crate::http::pages::view::capitalise(
                    list.name.as_deref().unwrap_or(&list.id),
                ),
                items: list
                    .items
                    .iter()
                    .map(|item| {
                        let checked = ticked.contains(&item.id);
                        choice(&field, &item.id, &item.text, checked)
                    })
                    .collect(),
                open: list.openness == crate::standards::Openness::Open,
                field,
            }
        })
        .collect();
    CriterionView {
        id: criterion.id.clone(),
        label: criterion
            .label
            .clone()
            .unwrap_or_else(|| criterion.id.clone()),
        text: criterion.text.clone(),
        condition: criterion.condition.clone(),
        dom: field_id(&key),
        checked: fields.all("criteria").contains(&criterion.id),
        error: form.error(&key),
        ranges,
        results: Vec::new(),
        notes: String::new(),
    }
}

/// Every outcome's criteria as checkboxes (for mapping evidence).
pub fn criteria_view(standard: &Standard, fields: &Fields, form: &FormState) -> Vec<OutcomeView> {
    let only = standard.outcomes.len() == 1;
    standard
        .outcomes
        .iter()
        .map(|outcome| {
            let criteria: Vec<CriterionView> = outcome
                .criteria
                .iter()
                .map(|c| criterion_view(outcome, c, fields, form))
                .collect();
            let touched = criteria.iter().any(|c| {
                c.checked
                    || c.error.is_some()
                    || c.ranges.iter().any(|r| r.items.iter().any(|i| i.checked))
            });
            OutcomeView {
                id: outcome.id.clone(),
                label: outcome
                    .label
                    .clone()
                    .unwrap_or_else(|| format!("Outcome {}", outcome.id)),
                title: outcome.title.clone(),
                open: only || touched,
                criteria,
            }
        })
        .collect()
}

/// The criteria of one outcome as checklist lines: shown / not shown / not applicable, the range
/// items seen, notes.
pub fn checklist_view(outcome: &Outcome, fields: &Fields, form: &FormState) -> Vec<CriterionView> {
    outcome
        .criteria
        .iter()
        .map(|criterion| {
            let mut view = criterion_view(outcome, criterion, fields, form);
            let result_field = result_field(&criterion.id);
            let chosen = fields.text(&result_field).to_owned();
            view.results = [
                ("shown", "Shown"),
                ("not_shown", "Not shown"),
                ("not_applicable", "Not applicable"),
            ]
            .iter()
            .map(|(value, label)| choice(&result_field, value, label, chosen == *value))
            .collect();
            view.dom = field_id(&result_field);
            view.error = form.error(&result_field);
            view.notes = fields.text(&notes_field(&criterion.id)).to_owned();
            view
        })
        .collect()
}

/// The field of a checklist line's result.
pub fn result_field(criterion: &str) -> String {
    format!("result.{criterion}")
}

/// The field of a checklist line's notes.
pub fn notes_field(criterion: &str) -> String {
    format!("notes.{criterion}")
}

/// The range items ticked for a criterion, by list id (lists with none ticked left out).
pub fn ticked_range(
    outcome: &Outcome,
    criterion: &Criterion,
    form: &RecordForm,
) -> Map<String, Value> {
    range_lists(outcome, criterion)
        .into_iter()
        .filter_map(|list| {
            let key = format!("{}.{}", criterion.id, list.id);
            let items = form.range.get(&key).map(|v| ticked(v)).unwrap_or_default();
            (!items.is_empty()).then(|| (list.id.clone(), json!(items)))
        })
        .collect()
}

/// The criteria claimed on a mapping form, in the standard's order, with the range items ticked.
/// Ticking a range item claims its criterion too.
pub fn read_mappings(standard: &Standard, form: &RecordForm) -> Vec<(String, Value)> {
    let ticked = ticked(&form.criteria);
    let mut mappings = Vec::new();
    for outcome in &standard.outcomes {
        for criterion in &outcome.criteria {
            let range = ticked_range(outcome, criterion, form);
            if ticked.contains(&criterion.id) || !range.is_empty() {
                mappings.push((
                    criterion.id.clone(),
                    json!({ "criterion": criterion.id, "range": range }),
                ));
            }
        }
    }
    mappings
}

/// The standard's knowledge items as checkboxes.
pub fn knowledge_view(standard: &Standard, fields: &Fields) -> Vec<Choice> {
    let ticked = fields.all("knowledge");
    standard
        .knowledge
        .iter()
        .map(|item| {
            let label = format!(
                "{} {}",
                item.label.as_deref().unwrap_or(&item.id),
                item.text
            );
            choice("knowledge", &item.id, &label, ticked.contains(&item.id))
        })
        .collect()
}
