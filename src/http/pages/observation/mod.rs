//! The observation checklist, like the paper form: one observation covers the outcomes the assessor
//! chooses; for each, its criteria with their conditions and range items (shown / not shown / not
//! applicable, notes), "mark all shown", and the attributes that concern only that outcome; then
//! the start and end time, an overall narrative and feedback to the candidate. Outcomes not chosen
//! are on the page but hidden and disabled (the browser sends none of their fields; the server
//! reads none of them), so the script can show them as they are ticked.

mod form_page;
mod submit;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Value, json};

use super::evidence::{EvidenceForm, Opened};
use super::form::{Fields, field_id};
use super::record::{AttributeView, CriterionView, attributes_view, checklist_view};
use crate::http::AppState;
use crate::http::session::Session;
use crate::standards::{Outcome, Standard};

pub use form_page::*;
pub use submit::*;

/// The template of the page.
const TEMPLATE: &str = "pages/evidence_observation.html";

/// The field naming the outcomes observed (repeated: `outcome=1&outcome=3`).
const OUTCOME: &str = "outcome";

/// One outcome of the standard on the page: its checklist, shown when chosen.
#[derive(Serialize)]
struct OutcomeSection {
    id: String,
    label: String,
    title: String,
    chosen: bool,
    /// The chooser's checkbox id.
    dom: String,
    checklist: Vec<CriterionView>,
    /// Attributes that concern this outcome alone.
    attributes: Vec<AttributeView>,
}

#[derive(Serialize)]
struct ObservationView {
    #[serde(flatten)]
    common: EvidenceForm,
    sections: Vec<OutcomeSection>,
    /// The chosen outcomes' ids, for the chooser's link back.
    chosen: Vec<String>,
}

/// The outcomes each attribute concerns, read from the rules that use it: an attribute only the
/// rules of one outcome use is asked for with that outcome. Attributes used by no rule, or by a
/// rule of the whole unit, are left out (they concern every outcome).
fn attribute_outcomes(standard: &Standard) -> BTreeMap<String, BTreeSet<String>> {
    let mut concerns: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut everywhere = BTreeSet::new();
    for rule in &standard.rules {
        let checks = json!([rule.checks, rule.interpretations]);
        let mut used = BTreeSet::new();
        attributes_named(&checks, &mut used);
        if used.is_empty() {
            continue;
        }
        let mut outcomes: BTreeSet<String> = rule.scope.outcomes.iter().cloned().collect();
        for criterion in &rule.scope.criteria {
            if let Some(o) = standard
                .outcomes
                .iter()
                .find(|o| o.criteria.iter().any(|c| &c.id == criterion))
            {
                outcomes.insert(o.id.clone());
            }
        }
        for attribute in used {
            if outcomes.is_empty() {
                everywhere.insert(attribute);
            } else {
                concerns
                    .entry(attribute)
                    .or_default()
                    .extend(outcomes.clone());
            }
        }
    }
    concerns.retain(|id, _| !everywhere.contains(id));
    concerns
}

/// Every `"attribute": "id"` in a rule's checks.
fn attributes_named(value: &Value, found: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("attribute", Value::String(id)) => {
                        found.insert(id.clone());
                    }
                    _ => attributes_named(inner, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| attributes_named(v, found)),
        _ => {}
    }
}

/// The one outcome an attribute concerns, when it concerns exactly one.
fn sole_outcome(concerns: &BTreeMap<String, BTreeSet<String>>, attribute: &str) -> Option<String> {
    concerns
        .get(attribute)
        .filter(|o| o.len() == 1)
        .and_then(|o| o.iter().next().cloned())
}

/// The outcomes named (the `outcome` values), in the standard's order.
fn chosen_outcomes<'a>(standard: &'a Standard, named: &[String]) -> Vec<&'a Outcome> {
    let asked = crate::http::pages::form::ticked(named);
    standard
        .outcomes
        .iter()
        .filter(|o| asked.contains(&o.id))
        .collect()
}

fn observation_view(
    state: &AppState,
    session: &Session,
    opened: &Opened,
    standard: &Standard,
    chosen: &[&Outcome],
    fields: &Fields,
    errors: BTreeMap<String, String>,
) -> ObservationView {
    let mut common = EvidenceForm::new(
        state,
        session,
        opened,
        standard,
        "Record an observation",
        fields,
        errors,
    );
    let concerns = attribute_outcomes(standard);
    let mut by_outcome: BTreeMap<String, Vec<AttributeView>> = BTreeMap::new();
    let mut general = Vec::new();
    for (attribute, view) in
        standard
            .attributes
            .iter()
            .zip(attributes_view(standard, fields, &common.form))
    {
        match sole_outcome(&concerns, &attribute.id) {
            Some(outcome) => by_outcome.entry(outcome).or_default().push(view),
            None => general.push(view),
        }
    }
    common.attributes = general;
    let sections = standard
        .outcomes
        .iter()
        .map(|outcome| OutcomeSection {
            id: outcome.id.clone(),
            label: outcome
                .label
                .clone()
                .unwrap_or_else(|| format!("Outcome {}", outcome.id)),
            title: outcome.title.clone(),
            chosen: chosen.iter().any(|c| c.id == outcome.id),
            dom: field_id(&format!("{OUTCOME}.{}", outcome.id)),
            checklist: checklist_view(outcome, fields, &common.form),
            attributes: by_outcome.remove(&outcome.id).unwrap_or_default(),
        })
        .collect();
    ObservationView {
        common,
        sections,
        chosen: chosen.iter().map(|o| o.id.clone()).collect(),
    }
}

fn no_outcome() -> String {
    "Choose at least one outcome you observed".to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::pages::record::result_field;

    fn standard() -> Standard {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/standards/nzqa-28268-v2.yaml");
        crate::standards::load_file(std::path::Path::new(path))
            .expect("the seed standard loads")
            .standard
    }

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        Fields::from_pairs(
            pairs
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn attributes_go_with_the_outcome_whose_rules_use_them() {
        let concerns = attribute_outcomes(&standard());
        assert_eq!(
            sole_outcome(&concerns, "enquiry_type").as_deref(),
            Some("1")
        );
        assert_eq!(
            sole_outcome(&concerns, "escalated_enquiry").as_deref(),
            Some("1")
        );
        assert_eq!(
            sole_outcome(&concerns, "challenging_customer_type").as_deref(),
            Some("2")
        );
        assert_eq!(
            sole_outcome(&concerns, "complaint_outcome").as_deref(),
            Some("3")
        );
    }

    #[test]
    fn only_the_chosen_outcomes_are_read() {
        let standard = standard();
        let mut pairs = vec![
            ("setting", "workplace"),
            ("date", "2024-05-06"),
            ("outcome", "3"),
            ("outcome", "1"),
            ("outcome", "9"),
            ("attributes.enquiry_type", "complex"),
            ("attributes.challenging_customer_type", "angry"),
            ("details.start", "09:30"),
            ("details.end", "10:05"),
            ("details.feedback", "Well done"),
        ];
        let ids: Vec<String> = standard.outcomes[0]
            .criteria
            .iter()
            .chain(&standard.outcomes[2].criteria)
            .map(|c| result_field(&c.id))
            .collect();
        for id in &ids {
            pairs.push((id.as_str(), "shown"));
        }
        let f = fields(&pairs);
        let form: ObservationForm = f.read().unwrap();
        let chosen = chosen_outcomes(&standard, &form.outcome);
        assert_eq!(
            chosen.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(),
            vec!["1", "3"]
        );
        let (record, order, errors) =
            observation_record(&standard, &chosen, &f.read().unwrap(), &form);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(order.len(), 12);
        assert_eq!(record["details"]["outcomes"], json!(["1", "3"]));
        assert_eq!(record["details"]["start"], json!("09:30:00"));
        assert_eq!(record["details"]["feedback"], json!("Well done"));
        // Outcome 2's attribute is not read: outcome 2 was not observed.
        assert_eq!(record["attributes"], json!({ "enquiry_type": "complex" }));
    }

    #[test]
    fn mark_all_shown_keeps_what_was_typed() {
        let standard = standard();
        let f = fields(&[
            ("result.1.1", "not_shown"),
            ("notes.1.1", "kept"),
            ("mark_all", "1"),
            ("result.2.1", "not_shown"),
        ]);
        let marked = marked_all_shown(&f, &standard.outcomes[0]);
        assert_eq!(marked.text("result.1.1"), "shown");
        assert_eq!(marked.text("result.1.8"), "shown");
        assert_eq!(marked.text("notes.1.1"), "kept");
        assert_eq!(marked.text("result.2.1"), "not_shown");
        assert_eq!(marked.text("mark_all"), "");
    }
}
