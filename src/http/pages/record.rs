//! What every evidence form shares, generated from the standard: when and where (setting, channel,
//! date, time, site), the criteria with their range items as checkboxes, the attributes the standard
//! declares, the knowledge items. Each part has a view-model (with what was typed and the errors)
//! and a reader that turns the fields into the API's evidence record, so a page adds evidence
//! exactly as the API does.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::form::{Fields, FormState, dom_id, field_id};
use crate::standards::{AttributeKind, Channel, Criterion, Outcome, RangeList, Standard};

/// Every channel, in the order forms list them.
pub const CHANNELS: [Channel; 7] = [
    Channel::Phone,
    Channel::Email,
    Channel::Webchat,
    Channel::Letter,
    Channel::FaceToFace,
    Channel::Video,
    Channel::SocialMedia,
];

/// The channel's id as the API writes it (`face_to_face`).
pub fn channel_id(channel: Channel) -> String {
    serde_json::to_value(channel)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// One checkbox or radio button.
#[derive(Debug, Clone, Serialize)]
pub struct Choice {
    /// The value sent.
    pub value: String,
    /// The words shown.
    pub label: String,
    /// Whether it is ticked.
    pub checked: bool,
    /// The control's HTML id.
    pub dom: String,
}

fn choice(name: &str, value: &str, label: &str, checked: bool) -> Choice {
    Choice {
        value: value.to_owned(),
        label: label.to_owned(),
        checked,
        dom: format!("f-{}", dom_id(&[name, value])),
    }
}

/// When and where the activity happened.
#[derive(Debug, Serialize)]
pub struct ActivityView {
    settings: Vec<Choice>,
    channels: Vec<Choice>,
}

/// The activity part of a form, ticked as `fields` says.
pub fn activity_view(fields: &Fields) -> ActivityView {
    let setting = fields.text("setting");
    let channels = fields.all("channel");
    ActivityView {
        settings: [
            ("workplace", "Real work in the workplace"),
            ("simulation", "A simulation"),
        ]
        .iter()
        .map(|(value, label)| choice("setting", value, label, setting == *value))
        .collect(),
        channels: CHANNELS
            .iter()
            .map(|c| {
                let id = channel_id(*c);
                let checked = channels.contains(&id);
                choice("channel", &id, &super::view::capitalise(c.label()), checked)
            })
            .collect(),
    }
}

/// The starting values of a new evidence form: today, in the workplace.
pub fn new_record_fields() -> Fields {
    Fields::from_pairs(vec![
        ("setting".into(), "workplace".into()),
        ("date".into(), Utc::now().date_naive().to_string()),
    ])
}

/// Reads when and where into `record`; problems go to `errors` by field name.
pub fn read_activity(
    fields: &Fields,
    record: &mut Map<String, Value>,
    errors: &mut BTreeMap<String, String>,
) {
    match fields.text("setting") {
        "workplace" | "simulation" => {
            record.insert("setting".into(), json!(fields.text("setting")));
        }
        _ => {
            errors.insert(
                "setting".into(),
                "Choose whether this was real work or a simulation".into(),
            );
        }
    }
    let channels: Vec<String> = fields
        .all("channel")
        .into_iter()
        .filter(|c| CHANNELS.iter().any(|known| channel_id(*known) == *c))
        .collect();
    record.insert("channel".into(), json!(channels));
    match fields.filled("date") {
        None => {
            errors.insert("date".into(), "Enter the date of the activity".into());
        }
        Some(date) => match NaiveDate::parse_from_str(&date, "%Y-%m-%d") {
            Ok(date) if date <= Utc::now().date_naive() => {
                record.insert("date".into(), json!(date));
            }
            Ok(_) => {
                errors.insert("date".into(), "The date cannot be in the future".into());
            }
            Err(_) => {
                errors.insert(
                    "date".into(),
                    "Enter a real date, for example 2024-05-06".into(),
                );
            }
        },
    }
    if let Some(time) = fields.filled("time") {
        let parsed = NaiveTime::parse_from_str(&time, "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(&time, "%H:%M:%S"));
        match parsed {
            Ok(time) => {
                record.insert("time".into(), json!(time));
            }
            Err(_) => {
                errors.insert(
                    "time".into(),
                    "Enter the time as hours and minutes, for example 14:30".into(),
                );
            }
        }
    }
    for name in ["site", "title", "kind"] {
        if let Some(value) = fields.filled(name) {
            record.insert(name.into(), json!(value));
        }
    }
}

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
                name: super::view::capitalise(list.name.as_deref().unwrap_or(&list.id)),
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
    fields: &Fields,
) -> Map<String, Value> {
    range_lists(outcome, criterion)
        .into_iter()
        .filter_map(|list| {
            let items = fields.all(&range_field(&criterion.id, &list.id));
            (!items.is_empty()).then(|| (list.id.clone(), json!(items)))
        })
        .collect()
}

/// The criteria claimed on a mapping form, in the standard's order, with the range items ticked.
/// Ticking a range item claims its criterion too.
pub fn read_mappings(standard: &Standard, fields: &Fields) -> Vec<(String, Value)> {
    let ticked = fields.all("criteria");
    let mut mappings = Vec::new();
    for outcome in &standard.outcomes {
        for criterion in &outcome.criteria {
            let range = ticked_range(outcome, criterion, fields);
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

/// An attribute the standard declares, as a control.
#[derive(Debug, Serialize)]
pub struct AttributeView {
    id: String,
    field: String,
    dom: String,
    label: String,
    description: Option<String>,
    /// choice, choices, flag or text.
    kind: &'static str,
    value: String,
    options: Vec<Choice>,
    error: Option<String>,
}

/// The attribute's value labels: its declared values, then the items of the list it draws on.
fn attribute_options(standard: &Standard, id: &str) -> Vec<(String, String)> {
    let Some(attribute) = standard.attribute(id) else {
        return Vec::new();
    };
    let listed = attribute
        .values_from
        .as_deref()
        .and_then(|list| standard.range_list(list))
        .into_iter()
        .flat_map(|list| list.items.iter().map(|i| (i.id.clone(), i.text.clone())));
    attribute
        .values
        .iter()
        .map(|v| (v.id.clone(), v.label.clone()))
        .chain(listed)
        .collect()
}

/// Every attribute the standard declares, as controls.
pub fn attributes_view(
    standard: &Standard,
    fields: &Fields,
    form: &FormState,
) -> Vec<AttributeView> {
    standard
        .attributes
        .iter()
        .map(|attribute| {
            let field = format!("attributes.{}", attribute.id);
            let ticked = fields.all(&field);
            let kind = match attribute.kind {
                AttributeKind::Choice => "choice",
                AttributeKind::Choices => "choices",
                AttributeKind::Flag => "flag",
                AttributeKind::Text => "text",
            };
            let options = attribute_options(standard, &attribute.id)
                .iter()
                .map(|(value, label)| {
                    let label = super::view::capitalise(label);
                    choice(&field, value, &label, ticked.contains(value))
                })
                .collect();
            AttributeView {
                id: attribute.id.clone(),
                dom: field_id(&field),
                value: fields.text(&field).to_owned(),
                error: form.error(&field),
                label: attribute.label.clone(),
                description: attribute.description.clone(),
                kind,
                options,
                field,
            }
        })
        .collect()
}

/// Reads the attribute values set on the form (unset ones are left out).
pub fn read_attributes(standard: &Standard, fields: &Fields) -> Map<String, Value> {
    let mut values = Map::new();
    for attribute in &standard.attributes {
        let field = format!("attributes.{}", attribute.id);
        let value = match attribute.kind {
            AttributeKind::Choice | AttributeKind::Text => fields.filled(&field).map(Value::from),
            AttributeKind::Choices => {
                let ticked = fields.all(&field);
                (!ticked.is_empty()).then(|| json!(ticked))
            }
            AttributeKind::Flag => fields.ticked(&field).then_some(Value::Bool(true)),
        };
        if let Some(value) = value {
            values.insert(attribute.id.clone(), value);
        }
    }
    values
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

/// Moves the action layer's errors about mappings (`criteria[2].range.x[0]`, `knowledge[1].item`)
/// onto the controls the form has (`criteria.1.3`, `knowledge`). `criteria` lists the record's
/// criterion ids in the order the record holds them.
pub fn place_errors(
    errors: BTreeMap<String, String>,
    criteria: &[String],
    standard: &Standard,
) -> BTreeMap<String, String> {
    let mut placed = BTreeMap::new();
    // Without knowledge items the form has no knowledge list: such a problem sits by the criteria.
    let knowledge = if standard.knowledge.is_empty() {
        "criteria"
    } else {
        "knowledge"
    };
    for (key, reason) in errors {
        let target = if let Some(rest) = key.strip_prefix("criteria[") {
            rest.split(']')
                .next()
                .and_then(|i| i.parse::<usize>().ok())
                .and_then(|i| criteria.get(i))
                .map_or_else(|| "criteria".to_owned(), |id| criterion_key(id))
        } else if key == "knowledge" || key.starts_with("knowledge[") {
            knowledge.to_owned()
        } else {
            key.trim_start_matches("record.").to_owned()
        };
        placed.entry(target).or_insert(reason);
    }
    placed
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
    fn channel_ids_are_the_api_words() {
        assert_eq!(channel_id(Channel::FaceToFace), "face_to_face");
        assert_eq!(channel_id(Channel::Phone), "phone");
    }

    #[test]
    fn ticking_a_range_item_claims_its_criterion() {
        let f = fields(&[
            ("criteria", "1.7"),
            ("range.1.1.greeting_requirements", "courtesy"),
            ("range.1.1.greeting_requirements", "timeliness"),
        ]);
        let mappings = read_mappings(&standard(), &f);
        let ids: Vec<&str> = mappings.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, vec!["1.1", "1.7"]);
        assert_eq!(
            mappings[0].1["range"]["greeting_requirements"],
            json!(["courtesy", "timeliness"])
        );
    }

    #[test]
    fn attributes_follow_their_declared_kind() {
        let f = fields(&[
            ("attributes.enquiry_type", "complex"),
            ("attributes.escalated_enquiry", "yes"),
            ("attributes.challenging_customer_type", "angry"),
            ("attributes.challenging_customer_type", "sad"),
            ("attributes.complaint_outcome", ""),
        ]);
        let values = read_attributes(&standard(), &f);
        assert_eq!(values["enquiry_type"], json!("complex"));
        assert_eq!(values["escalated_enquiry"], json!(true));
        assert_eq!(values["challenging_customer_type"], json!(["angry", "sad"]));
        assert!(!values.contains_key("complaint_outcome"));
    }

    #[test]
    fn activity_problems_are_named_by_field() {
        let mut record = Map::new();
        let mut errors = BTreeMap::new();
        read_activity(
            &fields(&[
                ("date", "2024-02-31"),
                ("time", "25:00"),
                ("channel", "pigeon"),
            ]),
            &mut record,
            &mut errors,
        );
        assert_eq!(
            errors.keys().collect::<Vec<_>>(),
            vec!["date", "setting", "time"]
        );
        assert_eq!(record["channel"], json!([]));
    }

    #[test]
    fn mapping_errors_land_on_their_criterion() {
        let errors = BTreeMap::from([
            (
                "criteria[1].range.x[0]".to_owned(),
                "no such list".to_owned(),
            ),
            ("knowledge[0].item".to_owned(), "no such item".to_owned()),
            ("declaration".to_owned(), "confirm".to_owned()),
        ]);
        let placed = place_errors(errors.clone(), &["1.1".into(), "1.7".into()], &svq());
        assert_eq!(placed["criteria.1.7"], "no such list");
        assert_eq!(placed["knowledge"], "no such item");
        assert_eq!(placed["declaration"], "confirm");
        // 28268 lists no knowledge items, so the form has no knowledge list: by the criteria.
        let placed = place_errors(errors, &["1.1".into(), "1.7".into()], &standard());
        assert_eq!(placed["criteria"], "no such item");
        assert!(!placed.contains_key("knowledge"));
    }

    fn svq() -> Standard {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/standards/svq-h12h-04.yaml");
        crate::standards::load_file(std::path::Path::new(path))
            .expect("the seed standard loads")
            .standard
    }
}
