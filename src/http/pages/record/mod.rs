//! What every evidence form shares, generated from the standard: when and where (setting, channel,
//! date, time, site), the criteria with their range items as checkboxes, the attributes the
//! standard declares, the knowledge items. Each part has a view-model (with what was typed and the
//! errors) and a reader that turns the fields into the API's evidence record, so a page adds
//! evidence exactly as the API does.

mod activity;
mod attributes;
mod criteria;

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::standards::Standard;

pub use activity::*;
pub use attributes::*;
pub use criteria::*;

/// What every evidence form sends about the record itself: when and where, the criteria and
/// range items ticked, the knowledge items, the attributes. Each page reads its own fields
/// (method, details …) into a type of its own, from the same fields.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct RecordForm {
    /// `workplace` or `simulation`.
    pub setting: String,
    /// The channels ticked.
    pub channel: Vec<String>,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `HH:MM`.
    pub time: String,
    /// Where.
    pub site: String,
    /// What the record is called.
    pub title: String,
    /// What kind of product.
    pub kind: String,
    /// The criteria ticked (claimed).
    pub criteria: Vec<String>,
    /// The range items ticked, by `CRITERION.LIST` (`range.1.1.greeting_requirements`).
    pub range: BTreeMap<String, Vec<String>>,
    /// The knowledge items ticked.
    pub knowledge: Vec<String>,
    /// What was set per attribute (`attributes.ID`; several values for a choice of many).
    pub attributes: BTreeMap<String, Vec<String>>,
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
    use serde_json::{Map, json};

    use super::*;
    use crate::http::pages::form::Fields;
    use crate::standards::Channel;

    fn standard() -> Standard {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/standards/nzqa-28268-v2.yaml");
        crate::standards::load_file(std::path::Path::new(path))
            .expect("the seed standard loads")
            .standard
    }

    fn fields(pairs: &[(&str, &str)]) -> RecordForm {
        Fields::from_pairs(
            pairs
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
        )
        .read()
        .unwrap()
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
