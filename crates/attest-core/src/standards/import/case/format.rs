//! The serde shapes of a CASE 1.1 `CFPackage` as the import reads it (document, items,
//! associations), an item with its place in the file, and small helpers on them
//! (offsets, item kinds, dates).

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::standards::import::Problem;
use crate::standards::position::Position;

#[derive(Deserialize)]
pub(super) struct Package<'a> {
    #[serde(rename = "CFDocument", borrow)]
    pub(super) document: &'a RawValue,
    #[serde(rename = "CFItems", default, borrow)]
    pub(super) items: Vec<&'a RawValue>,
    #[serde(rename = "CFAssociations", default, borrow)]
    pub(super) associations: Vec<&'a RawValue>,
    #[serde(rename = "CFRubrics", default, borrow)]
    pub(super) rubrics: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Document {
    pub(super) identifier: String,
    pub(super) title: String,
    #[serde(default)]
    pub(super) uri: Option<String>,
    #[serde(default)]
    pub(super) creator: Option<String>,
    #[serde(default)]
    pub(super) publisher: Option<String>,
    #[serde(default)]
    pub(super) description: Option<String>,
    #[serde(default)]
    pub(super) version: Option<String>,
    #[serde(default)]
    pub(super) adoption_status: Option<String>,
    #[serde(default)]
    pub(super) status_start_date: Option<String>,
    #[serde(default)]
    pub(super) status_end_date: Option<String>,
    #[serde(default, rename = "officialSourceURL")]
    pub(super) official_source_url: Option<String>,
    #[serde(default)]
    pub(super) notes: Option<String>,
    #[serde(default)]
    pub(super) subject: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Item {
    pub(super) identifier: String,
    pub(super) full_statement: String,
    #[serde(default)]
    pub(super) human_coding_scheme: Option<String>,
    #[serde(default)]
    pub(super) list_enumeration: Option<String>,
    #[serde(default, rename = "CFItemType")]
    pub(super) item_type: Option<String>,
    #[serde(default)]
    pub(super) notes: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Association {
    pub(super) association_type: String,
    #[serde(rename = "originNodeURI")]
    pub(super) origin: NodeRef,
    #[serde(rename = "destinationNodeURI")]
    pub(super) destination: NodeRef,
    #[serde(default)]
    pub(super) sequence_number: Option<i64>,
}

#[derive(Deserialize)]
pub(super) struct NodeRef {
    pub(super) identifier: String,
}

pub(super) struct Placed {
    pub(super) item: Item,
    pub(super) position: Position,
    pub(super) element: String,
}

/// serde_json's message without the position it appends (relative to the element; the
/// problem carries the element's own position).
pub(super) fn json_reason(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    message.replacen(&suffix, "", 1)
}

pub(super) fn offset_of(text: &str, raw: &RawValue) -> usize {
    (raw.get().as_ptr() as usize).saturating_sub(text.as_ptr() as usize)
}

pub(super) fn item_type(item: &Item) -> String {
    item.item_type.clone().unwrap_or_default()
}

pub(super) fn is_knowledge(item: &Item) -> bool {
    item_type(item).to_ascii_lowercase().contains("knowledge")
}

/// The date at the start of `text` (a CASE date-time), or a problem naming `field`.
pub(super) fn date_prefix(
    text: &str,
    problems: &mut Vec<Problem>,
    position: Position,
    field: &str,
) -> Option<crate::standards::model::PartialDate> {
    let date = crate::standards::model::PartialDate(text.chars().take(10).collect());
    if date.earliest().is_some() {
        Some(date)
    } else {
        problems.push(Problem {
            position: Some(position),
            element: format!("CFDocument.{field}"),
            reason: format!("`{text}` is not a date; not imported"),
        });
        None
    }
}
