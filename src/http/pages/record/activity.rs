//! The activity part of an evidence form: channel, date, setting and what was done.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::RecordForm;
use crate::http::pages::form::{Fields, dom_id, filled, ticked};
use crate::standards::Channel;

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

pub(super) fn choice(name: &str, value: &str, label: &str, checked: bool) -> Choice {
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
                choice(
                    "channel",
                    &id,
                    &crate::http::pages::view::capitalise(c.label()),
                    checked,
                )
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
    form: &RecordForm,
    record: &mut Map<String, Value>,
    errors: &mut BTreeMap<String, String>,
) {
    match form.setting.as_str() {
        setting @ ("workplace" | "simulation") => {
            record.insert("setting".into(), json!(setting));
        }
        _ => {
            errors.insert(
                "setting".into(),
                "Choose whether this was real work or a simulation".into(),
            );
        }
    }
    let channels: Vec<String> = ticked(&form.channel)
        .into_iter()
        .filter(|c| CHANNELS.iter().any(|known| channel_id(*known) == *c))
        .collect();
    record.insert("channel".into(), json!(channels));
    match filled(&form.date) {
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
    if let Some(time) = filled(&form.time) {
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
    for (name, value) in [
        ("site", &form.site),
        ("title", &form.title),
        ("kind", &form.kind),
    ] {
        if let Some(value) = filled(value) {
            record.insert(name.into(), json!(value));
        }
    }
}
