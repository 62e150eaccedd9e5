//! Tests of the form reader: flat and grouped names, maps, rows, checkboxes, and errors that
//! name the field.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::*;

fn sent(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
enum Verdict {
    Accepted,
    Rejected,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Row {
    id: String,
    verdict: Verdict,
    #[serde(default)]
    feedback: Option<String>,
}

#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
struct Witness {
    name: String,
    job_title: String,
}

#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
struct Details {
    summary: String,
    witness: Witness,
}

#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
struct Judged {
    criteria: Vec<Row>,
    result: BTreeMap<String, String>,
    question: BTreeMap<usize, String>,
    details: Details,
    ticked: Vec<String>,
    #[serde(rename = "vacs.valid")]
    valid: String,
    #[serde(rename = "vacs.valid.note")]
    valid_note: String,
    count: Option<u32>,
}

#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
struct Marked {
    confirm: Vec<String>,
    note: String,
    #[serde(rename = "note-")]
    notes: BTreeMap<String, String>,
}

#[test]
fn a_prefix_ending_in_a_dash_keys_a_map() {
    let marked: Marked = read(&sent(&[
        ("confirm", "N3"),
        ("note", "all"),
        ("note-N3", "seen"),
        ("note-1.2", "also"),
    ]))
    .unwrap();
    assert_eq!(marked.confirm, ["N3"]);
    assert_eq!(marked.note, "all");
    assert_eq!(
        marked.notes,
        BTreeMap::from([
            ("1.2".to_owned(), "also".to_owned()),
            ("N3".to_owned(), "seen".to_owned())
        ])
    );
    let twice = read::<Marked>(&sent(&[("note-N3", "a"), ("note-N3", "b")]));
    assert_eq!(
        twice.unwrap_err().to_string(),
        "note-N3: is sent more than once"
    );
}

fn read_judged(pairs: &[(&str, &str)]) -> Result<Judged, FormError> {
    read(&sent(pairs))
}

fn fault(pairs: &[(&str, &str)]) -> String {
    match read_judged(pairs) {
        Ok(read) => panic!("read {read:?}"),
        Err(err) => err.to_string(),
    }
}

#[test]
fn names_group_into_rows_maps_and_structs() {
    let judged = read_judged(&[
        ("csrf", "t"),
        ("criteria[1].id", "2.1"),
        ("criteria[0].id", "1.1"),
        ("criteria[1].verdict", "rejected"),
        ("criteria[1].feedback", "Say more"),
        ("criteria[0].verdict", "accepted"),
        ("criteria[0].feedback", ""),
        ("result.1.1", "shown"),
        ("result.2.10", "not_shown"),
        ("question.1", "Why?"),
        ("question.0", "How?"),
        ("details.summary", "A call"),
        ("details.witness.job_title", "Lead"),
        ("ticked", "a"),
        ("ticked", "b"),
        ("vacs.valid", "yes"),
        ("vacs.valid.note", "fine"),
        ("count", " 3 "),
    ])
    .unwrap();
    assert_eq!(
        judged.criteria,
        vec![
            Row {
                id: "1.1".into(),
                verdict: Verdict::Accepted,
                feedback: None,
            },
            Row {
                id: "2.1".into(),
                verdict: Verdict::Rejected,
                feedback: Some("Say more".into()),
            },
        ]
    );
    assert_eq!(
        judged.result,
        BTreeMap::from([
            ("1.1".to_owned(), "shown".to_owned()),
            ("2.10".to_owned(), "not_shown".to_owned())
        ])
    );
    assert_eq!(
        judged.question,
        BTreeMap::from([(0, "How?".to_owned()), (1, "Why?".to_owned())])
    );
    assert_eq!(judged.details.summary, "A call");
    assert_eq!(judged.details.witness.job_title, "Lead");
    assert_eq!(judged.ticked, ["a", "b"]);
    assert_eq!(
        (judged.valid.as_str(), judged.valid_note.as_str()),
        ("yes", "fine")
    );
    assert_eq!(judged.count, Some(3));
    assert_eq!(read_judged(&[]).unwrap(), Judged::default());
    assert_eq!(read_judged(&[("count", "")]).unwrap().count, None);
}

#[test]
fn a_missing_field_is_named() {
    assert_eq!(
        fault(&[
            ("criteria[0].id", "1.1"),
            ("criteria[1].id", "1.2"),
            ("criteria[0].verdict", "accepted")
        ]),
        "criteria[1].verdict: is required"
    );
}

#[test]
fn a_repeated_field_is_named() {
    assert_eq!(
        fault(&[
            ("criteria[0].id", "1.1"),
            ("criteria[0].verdict", "accepted"),
            ("criteria[0].verdict", "rejected"),
        ]),
        "criteria[0].verdict: is sent more than once"
    );
    assert_eq!(
        fault(&[("result.1.1", "shown"), ("result.1.1", "not_shown")]),
        "result.1.1: is sent more than once"
    );
    assert_eq!(
        fault(&[("vacs.valid", "yes"), ("vacs.valid", "no")]),
        "vacs.valid: is sent more than once"
    );
}

#[test]
fn a_malformed_index_is_named() {
    assert_eq!(
        fault(&[("criteria[x].id", "1.1")]),
        "criteria[x]: is not a row of `criteria` (rows are `criteria[0]`, `criteria[1]`, …)"
    );
    assert_eq!(
        fault(&[("criteria[01].id", "1.1")]),
        "criteria[01]: is not a row of `criteria` (rows are `criteria[0]`, `criteria[1]`, …)"
    );
    assert_eq!(
        fault(&[("criteria.0.id", "1.1")]),
        "criteria.0.id: is not a row of `criteria` (rows are `criteria[0]`, `criteria[1]`, …)"
    );
    assert_eq!(
        fault(&[("criteria[0.id", "1.1")]),
        "criteria[0.id: has a `[` without its `]`"
    );
    assert_eq!(
        fault(&[("question.first", "Why?")]),
        "question.first: is not a whole number"
    );
}

#[test]
fn a_malformed_value_is_named() {
    assert_eq!(
        fault(&[("criteria[3].id", "1.1"), ("criteria[3].verdict", "maybe")]),
        "criteria[3].verdict: unknown value `maybe` (expected one of accepted, rejected)"
    );
    assert_eq!(fault(&[("count", "three")]), "count: is not a whole number");
    assert_eq!(
        fault(&[("details", "x")]),
        "details: is one value, not a group of fields"
    );
    assert_eq!(
        fault(&[("ticked", "a"), ("ticked[0]", "b")]),
        "ticked: is sent both as values and as rows"
    );
}
