//! The attributes a standard asks each record for: the fields and reading them back.

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::*;
use crate::http::pages::form::{Fields, FormState, field_id, filled, ticked};
use crate::standards::{AttributeKind, Standard};

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
                    let label = crate::http::pages::view::capitalise(label);
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
pub fn read_attributes(standard: &Standard, form: &RecordForm) -> Map<String, Value> {
    let mut values = Map::new();
    for attribute in &standard.attributes {
        let sent = form.attributes.get(&attribute.id);
        let value = match attribute.kind {
            // The first value, as a select or a text box sends one.
            AttributeKind::Choice | AttributeKind::Text => sent
                .and_then(|values| values.first())
                .and_then(|value| filled(value))
                .map(Value::from),
            AttributeKind::Choices => {
                let ticked = sent.map(|values| ticked(values)).unwrap_or_default();
                (!ticked.is_empty()).then(|| json!(ticked))
            }
            // A flag is ticked when sent at all.
            AttributeKind::Flag => sent.is_some().then_some(Value::Bool(true)),
        };
        if let Some(value) = value {
            values.insert(attribute.id.clone(), value);
        }
    }
    values
}
