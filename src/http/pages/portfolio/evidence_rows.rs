//! Each evidence record as the portfolio lists it: its mappings, files, attributes and
//! acknowledgements.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::db::ids::EnrolmentId;
use crate::portfolio::EvidenceRecord;
use crate::portfolio::time_points;
use crate::standards::Standard;

#[derive(Debug, Serialize)]
struct MappingView {
    id: String,
    text: String,
    range: Vec<String>,
    judgement: &'static str,
    feedback: Option<String>,
}

#[derive(Debug, Serialize)]
struct FileView {
    name: String,
    size: String,
    url: String,
    /// The same file shown in the browser (for the types that may be).
    inline_url: String,
    /// image, audio, video, pdf or file (a download only).
    shown: &'static str,
}

/// One piece of evidence as the pages show it.
#[derive(Debug, Serialize)]
pub(in crate::http::pages) struct EvidenceView {
    pub(super) id: String,
    heading: String,
    method: &'static str,
    date: NaiveDate,
    time: Option<String>,
    setting: &'static str,
    channels: Vec<&'static str>,
    site: Option<String>,
    attributes: Vec<(String, String)>,
    recorded_by: String,
    recorded_at: NaiveDateTime,
    declared_at: Option<NaiveDateTime>,
    file: Option<FileView>,
    criteria: Vec<MappingView>,
    knowledge: Vec<MappingView>,
    details: crate::portfolio::EvidenceDetails,
    not_counted: Vec<String>,
    waiting: bool,
    /// An observation or questioning record the assessor made: the candidate acknowledges it.
    pub(in crate::http::pages) ack_needed: bool,
    /// The candidate's acknowledgement, when made.
    pub(in crate::http::pages) acknowledged: Option<AckLine>,
    /// Some mapping was rejected (the candidate has something to do).
    rejected: bool,
    /// Witness testimony the witness has not confirmed yet (it does not count).
    awaiting_witness: bool,
    /// The testimony's witness page (links sent, confirmation).
    witness_url: Option<String>,
    /// A recording's page: its player and time points.
    recording_url: Option<String>,
    /// A recording's time points, in playing order.
    pub(in crate::http::pages) time_points: Vec<crate::http::pages::recording::TimePointView>,
}

/// A candidate's acknowledgement as the pages show it.
#[derive(Debug, Serialize)]
pub(in crate::http::pages) struct AckLine {
    pub(in crate::http::pages) on: NaiveDate,
    pub(in crate::http::pages) comment: String,
}

fn judgement_word(judgement: crate::rules::portfolio::Judgement) -> &'static str {
    use crate::rules::portfolio::Judgement;
    match judgement {
        Judgement::Pending => "pending",
        Judgement::Accepted => "accepted",
        Judgement::Rejected => "rejected",
    }
}

/// A range item by its words in the standard (an item an open list does not name, as written).
fn range_item_text(standard: &Standard, list: &str, item: &str) -> String {
    standard
        .range_list(list)
        .and_then(|l| l.items.iter().find(|i| i.id == item))
        .map_or_else(|| item.to_owned(), |i| i.text.clone())
}

/// An attribute value in words: the declared labels, "yes" for a flag.
fn attribute_words(
    standard: &Standard,
    id: &str,
    value: &crate::rules::portfolio::AttributeValue,
) -> (String, String) {
    use crate::rules::portfolio::AttributeValue;
    let attribute = standard.attribute(id);
    let label = attribute.map_or_else(|| id.to_owned(), |a| a.label.clone());
    let word = |w: &String| {
        attribute
            .and_then(|a| {
                a.values
                    .iter()
                    .find(|v| &v.id == w)
                    .map(|v| v.label.clone())
            })
            .or_else(|| {
                attribute
                    .and_then(|a| a.values_from.as_deref())
                    .and_then(|list| standard.range_list(list))
                    .and_then(|l| l.items.iter().find(|i| &i.id == w).map(|i| i.text.clone()))
            })
            .unwrap_or_else(|| w.clone())
    };
    let words = match value {
        AttributeValue::Flag(true) => "yes".to_owned(),
        AttributeValue::Flag(false) => "no".to_owned(),
        other => other
            .words()
            .iter()
            .map(word)
            .collect::<Vec<_>>()
            .join(", "),
    };
    (label, words)
}

fn size_words(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} bytes"),
        b if b < 1024 * 1024 => format!("{} KB", b / 1024),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

/// The evidence as the portfolio and the judge page show it; `not_counted` says, in the report's
/// words, why it or one of its mappings does not count.
pub(in crate::http::pages) fn evidence_view(
    standard: &Standard,
    enrolment_id: EnrolmentId,
    record: &EvidenceRecord,
    recorded_by: String,
    not_counted: Vec<String>,
) -> EvidenceView {
    let e = &record.instance;
    let method = e.method.label();
    let criteria: Vec<MappingView> = e
        .criteria
        .iter()
        .map(|m| MappingView {
            id: m.criterion.clone(),
            text: standard
                .criterion(&m.criterion)
                .map(|c| c.text.clone())
                .unwrap_or_default(),
            range: m
                .range
                .iter()
                .flat_map(|(list, items)| items.iter().map(move |item| (list, item)))
                .map(|(list, item)| range_item_text(standard, list, item))
                .collect(),
            judgement: judgement_word(m.judgement),
            feedback: m.feedback.clone(),
        })
        .collect();
    let knowledge: Vec<MappingView> = e
        .knowledge
        .iter()
        .map(|k| MappingView {
            id: k.item.clone(),
            text: standard
                .knowledge_item(&k.item)
                .map(|i| i.text.clone())
                .unwrap_or_default(),
            range: Vec::new(),
            judgement: judgement_word(k.judgement),
            feedback: k.feedback.clone(),
        })
        .collect();
    let waiting = criteria
        .iter()
        .chain(&knowledge)
        .any(|m| m.judgement == "pending");
    let rejected = criteria
        .iter()
        .chain(&knowledge)
        .any(|m| m.judgement == "rejected");
    EvidenceView {
        id: record.id.to_string(),
        heading: e
            .title
            .clone()
            .unwrap_or_else(|| crate::http::pages::view::capitalise(method)),
        method,
        date: e.date,
        time: e.time.map(|t| t.format("%H:%M").to_string()),
        setting: match e.setting {
            crate::rules::portfolio::Setting::Workplace => "workplace",
            crate::rules::portfolio::Setting::Simulation => "simulation",
        },
        channels: e.channel.iter().map(|c| c.label()).collect(),
        site: e.site.clone(),
        attributes: e
            .attributes
            .iter()
            .map(|(id, value)| attribute_words(standard, id, value))
            .collect(),
        recorded_by,
        recorded_at: record.recorded_at,
        declared_at: record.declared_at,
        file: record.file.as_ref().map(|f| {
            let url = format!("/api/enrolments/{enrolment_id}/evidence/{}/file", record.id);
            FileView {
                name: f.name.clone(),
                size: size_words(f.size),
                inline_url: format!("{url}?inline=1"),
                url,
                shown: crate::http::inline::shown_as(&f.content_type),
            }
        }),
        criteria,
        knowledge,
        details: record.details.clone(),
        not_counted,
        waiting,
        ack_needed: false,
        acknowledged: None,
        rejected,
        awaiting_witness: record.awaiting_witness(),
        witness_url: record
            .details
            .witness
            .as_ref()
            .map(|_| format!("/enrolments/{enrolment_id}/evidence/{}/witness", record.id)),
        recording_url: time_points::is_recording(record).then(|| {
            format!(
                "/enrolments/{enrolment_id}/evidence/{}/recording",
                record.id
            )
        }),
        time_points: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(size_words(900), "900 bytes");
        assert_eq!(size_words(2048), "2 KB");
        assert_eq!(size_words(3 * 1024 * 1024 + 512 * 1024), "3.5 MB");
    }
}
