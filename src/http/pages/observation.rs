//! The observation checklist, like the paper form: one observation covers the outcomes the assessor
//! chooses; for each, its criteria with their conditions and range items (shown / not shown / not
//! applicable, notes), "mark all shown", and the attributes that concern only that outcome; then
//! the start and end time, an overall narrative and feedback to the candidate. Outcomes not chosen
//! are on the page but hidden and disabled (the browser sends none of their fields; the server
//! reads none of them), so the script can show them as they are ticked.

use std::collections::{BTreeMap, BTreeSet};

use actix_web::{HttpResponse, web};
use chrono::NaiveTime;
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::evidence::{EvidenceForm, Opened, add_described, open, show};
use super::form::{Fields, field_id};
use super::record::{
    AttributeView, CriterionView, attributes_view, checklist_view, new_record_fields, notes_field,
    place_errors, read_activity, read_attributes, result_field, ticked_range,
};
use super::rows::standard_of;
use super::view::{Html, PageError, PageSession, check_csrf};
use crate::action::ActionError;
use crate::auth::policy::Action;
use crate::http::AppState;
use crate::http::session::Session;
use crate::standards::{Outcome, Standard};

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

/// The outcomes named by `outcome` fields, in the standard's order.
fn chosen_outcomes<'a>(standard: &'a Standard, fields: &Fields) -> Vec<&'a Outcome> {
    let asked = fields.all(OUTCOME);
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

/// `GET /enrolments/{id}/observations/new?outcome=1&outcome=3`: the checklist of the outcomes
/// named (repeat `outcome`). Without any, the first outcome is chosen, unless the chooser sent
/// `choose=1` with nothing ticked: then the page asks for one.
pub async fn observation_form(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    query: web::Query<Vec<(String, String)>>,
) -> Html {
    let asked = Fields::from_pairs(query.into_inner());
    Html(observation_form_page(&state, &session, &path, &asked).await)
}

async fn observation_form_page(
    state: &AppState,
    session: &Session,
    raw_id: &str,
    asked: &Fields,
) -> Result<HttpResponse, PageError> {
    let opened = open(state, session, raw_id, Action::RecordAssessorEvidence).await?;
    let standard = standard_of(&state.catalogue, &opened.enrolment)?;
    let Some(first) = standard.outcomes.first() else {
        return Err(ActionError::Conflict(format!(
            "standard {} has no outcomes to observe",
            standard.code
        ))
        .into());
    };
    let mut chosen = chosen_outcomes(standard, asked);
    let mut errors = BTreeMap::new();
    if chosen.is_empty() {
        if asked.filled("choose").is_some() {
            errors.insert(OUTCOME.to_owned(), no_outcome());
        } else {
            chosen.push(first);
        }
    }
    let mut fields = new_record_fields();
    for outcome in &chosen {
        fields.push(OUTCOME.to_owned(), outcome.id.clone());
    }
    // Asking for the page is never refused: "choose an outcome" is shown as the form's error.
    let view = observation_view(state, session, &opened, standard, &chosen, &fields, errors);
    show(state, session, TEMPLATE, &view, false)
}

fn no_outcome() -> String {
    "Choose at least one outcome you observed".to_owned()
}

/// The time typed in `name` (`HH:MM`), into `details`; a problem goes to `errors`.
fn read_time(
    fields: &Fields,
    name: &str,
    details: &mut Map<String, Value>,
    errors: &mut BTreeMap<String, String>,
) {
    let Some(time) = fields.filled(&format!("details.{name}")) else {
        return;
    };
    let parsed = NaiveTime::parse_from_str(&time, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(&time, "%H:%M:%S"));
    match parsed {
        Ok(time) => {
            details.insert(name.into(), json!(time));
        }
        Err(_) => {
            errors.insert(
                format!("details.{name}"),
                "Enter the time as hours and minutes, for example 14:30".into(),
            );
        }
    }
}

/// The checklist record of the chosen outcomes; every criterion of each needs a result. Returns
/// the record, the criterion of each checklist line in order, and the form's own problems.
fn observation_record(
    standard: &Standard,
    chosen: &[&Outcome],
    fields: &Fields,
) -> (Map<String, Value>, Vec<String>, BTreeMap<String, String>) {
    let mut record = Map::new();
    let mut errors = BTreeMap::new();
    record.insert("method".into(), json!("observation_checklist"));
    read_activity(fields, &mut record, &mut errors);
    // Attributes of outcomes not observed are not asked for, whatever is sent.
    let concerns = attribute_outcomes(standard);
    let mut attributes = read_attributes(standard, fields);
    attributes.retain(|id, _| {
        sole_outcome(&concerns, id).is_none_or(|o| chosen.iter().any(|c| c.id == o))
    });
    record.insert("attributes".into(), Value::Object(attributes));
    if chosen.is_empty() {
        errors.insert(OUTCOME.to_owned(), no_outcome());
    }
    let mut lines = Vec::new();
    let mut order = Vec::new();
    for outcome in chosen {
        for criterion in &outcome.criteria {
            let field = result_field(&criterion.id);
            let result = fields.text(&field);
            if !matches!(result, "shown" | "not_shown" | "not_applicable") {
                errors.insert(
                    field,
                    format!(
                        "Choose shown, not shown or not applicable for {}",
                        criterion.id
                    ),
                );
                continue;
            }
            let mut line = json!({
                "criterion": criterion.id,
                "result": result,
                "range": ticked_range(outcome, criterion, fields),
            });
            if let Some(notes) = fields.filled(&notes_field(&criterion.id)) {
                line["notes"] = json!(notes);
            }
            lines.push(line);
            order.push(criterion.id.clone());
        }
    }
    let mut details = Map::new();
    details.insert("checklist".into(), json!(lines));
    details.insert(
        "outcomes".into(),
        json!(chosen.iter().map(|o| o.id.clone()).collect::<Vec<_>>()),
    );
    read_time(fields, "start", &mut details, &mut errors);
    read_time(fields, "end", &mut details, &mut errors);
    for name in ["narrative", "feedback"] {
        if let Some(text) = fields.filled(&format!("details.{name}")) {
            details.insert(name.into(), json!(text));
        }
    }
    record.insert("details".into(), Value::Object(details));
    (record, order, errors)
}

/// The fields with every criterion of `outcome` marked shown (the "mark all shown" button
/// without the script): everything else as typed.
fn marked_all_shown(fields: &Fields, outcome: &Outcome) -> Fields {
    let results: Vec<String> = outcome
        .criteria
        .iter()
        .map(|c| result_field(&c.id))
        .collect();
    let mut marked = Fields::from_pairs(
        fields
            .pairs()
            .iter()
            .filter(|(name, _)| !results.contains(name) && name != "mark_all")
            .cloned()
            .collect(),
    );
    for field in results {
        marked.push(field, "shown".to_owned());
    }
    marked
}

/// `POST /enrolments/{id}/observations/new`: saves the observation, or, with `mark_all=ID`
/// (the button without the script), shows the form again with outcome ID's criteria all shown.
pub async fn observation(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(observation_page(&state, &session, &path, fields).await)
}

async fn observation_page(
    state: &AppState,
    session: &Session,
    raw_id: &str,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let opened = open(state, session, raw_id, Action::RecordAssessorEvidence).await?;
    let standard = standard_of(&state.catalogue, &opened.enrolment)?;
    let chosen = chosen_outcomes(standard, &fields);
    if let Some(outcome) = fields
        .filled("mark_all")
        .and_then(|id| standard.outcome(&id))
    {
        let marked = marked_all_shown(&fields, outcome);
        let view = observation_view(
            state,
            session,
            &opened,
            standard,
            &chosen,
            &marked,
            BTreeMap::new(),
        );
        return show(state, session, TEMPLATE, &view, false);
    }
    let (record, order, errors) = observation_record(standard, &chosen, &fields);
    let action = Action::RecordAssessorEvidence;
    let errors = match add_described(state, session, &opened, action, record, errors).await? {
        Ok(done) => return Ok(done),
        Err(errors) => errors,
    };
    // Problems with a checklist line (a mapped criterion's range items, or the line itself) land
    // on that line's result.
    let shown: Vec<String> = order
        .iter()
        .filter(|id| fields.text(&result_field(id)) == "shown")
        .cloned()
        .collect();
    let errors = place_errors(errors, &shown, standard)
        .into_iter()
        .map(|(key, reason)| {
            if let Some(criterion) = key.strip_prefix("criteria.") {
                return (result_field(criterion), reason);
            }
            let line = key
                .strip_prefix("details.checklist[")
                .and_then(|rest| rest.split(']').next())
                .and_then(|i| i.parse::<usize>().ok())
                .and_then(|i| order.get(i));
            match line {
                Some(criterion) => (result_field(criterion), reason),
                None if key.starts_with("details.outcomes") => (OUTCOME.to_owned(), reason),
                None => (key, reason),
            }
        })
        .collect();
    let view = observation_view(state, session, &opened, standard, &chosen, &fields, errors);
    show(state, session, TEMPLATE, &view, true)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let chosen = chosen_outcomes(&standard, &f);
        assert_eq!(
            chosen.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(),
            vec!["1", "3"]
        );
        let (record, order, errors) = observation_record(&standard, &chosen, &f);
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
