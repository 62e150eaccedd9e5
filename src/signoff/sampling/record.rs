//! A draw as it was made, in one JSON document an external verifier can keep and re-run: the plan,
//! every input of [`select`] (the population, the rates and risk ratings, the samples already
//! taken, the seed) and the selection it gave. [`recheck`] runs the draw again from the record
//! alone and names every part of the result that differs.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{Candidate, PlanInput, Selection, select};

/// The `format` every draw record carries.
pub const FORMAT: &str = "attest-sample-draw";
/// The version of the record's layout this code writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// One draw of a sampling plan, frozen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrawRecord {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`FORMAT_VERSION`].
    pub format_version: u32,
    /// The plan drawn for.
    pub plan: PlanHeader,
    /// When the population was read: the draw shows the data as at this instant.
    pub drawn_at: DateTime<Utc>,
    /// The IV, seed, kind, rates, risk ratings and samples taken.
    pub input: PlanInput,
    /// The population: every enrolment of the organisation with an assessor, as it stood.
    pub pool: Vec<Candidate>,
    /// What the draw selected (and excluded, and the coverage it gave).
    pub selection: Selection,
}

/// The plan a draw belongs to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanHeader {
    /// The plan's id.
    pub id: String,
    /// The organisation.
    pub org_id: String,
    /// The plan's name.
    pub name: String,
    /// First day of the plan's period.
    pub period_start: NaiveDate,
    /// Last day of the plan's period.
    pub period_end: NaiveDate,
}

impl DrawRecord {
    /// Draws from `input` and `pool` and records the result.
    pub fn make(
        plan: PlanHeader,
        drawn_at: DateTime<Utc>,
        input: PlanInput,
        pool: Vec<Candidate>,
    ) -> Self {
        let selection = select(&input, &pool);
        DrawRecord {
            format: FORMAT.to_owned(),
            format_version: FORMAT_VERSION,
            plan,
            drawn_at,
            input,
            pool,
            selection,
        }
    }
}

/// A draw record that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// Not JSON, or not a draw record's shape.
    #[error("{line}:{column}: {message}")]
    Json {
        /// The line of the problem (from 1).
        line: usize,
        /// The column of the problem (from 1).
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// Another kind of document, or a layout this version does not know.
    #[error(
        "not a draw record: format must be \"{FORMAT}\" version {FORMAT_VERSION}, not \"{format}\" version {version}"
    )]
    Format {
        /// The format the document names.
        format: String,
        /// Its version.
        version: u32,
    },
}

/// Reads a draw record.
pub fn parse(text: &str) -> Result<DrawRecord, RecordError> {
    let record: DrawRecord = serde_json::from_str(text).map_err(|e| RecordError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    if record.format != FORMAT || record.format_version != FORMAT_VERSION {
        return Err(RecordError::Format {
            format: record.format,
            version: record.format_version,
        });
    }
    Ok(record)
}

/// What re-running a recorded draw found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The same selection, exclusions, draw order and coverage.
    Identical,
    /// Each part that differs, in words.
    Different(Vec<String>),
}

/// Runs the draw again from the record's inputs and compares it with the recorded selection.
pub fn recheck(record: &DrawRecord) -> Verdict {
    let again = select(&record.input, &record.pool);
    let kept = &record.selection;
    let mut differences = Vec::new();
    if let Some(at) = first_difference(&kept.draw, &again.draw) {
        differences.push(format!(
            "draw order: position {} is {} in the record, {} when drawn again",
            at + 1,
            kept.draw.get(at).map_or("nothing", String::as_str),
            again.draw.get(at).map_or("nothing", String::as_str),
        ));
    }
    if kept.selected != again.selected {
        let (recorded, drawn) = (
            ids(kept.selected.iter().map(|s| &s.enrolment_id)),
            ids(again.selected.iter().map(|s| &s.enrolment_id)),
        );
        differences.push(if recorded == drawn {
            format!("selected: the same enrolments {recorded}, with other draw ranks or reasons")
        } else {
            format!("selected: the record has {recorded}, drawn again gives {drawn}")
        });
    }
    if kept.excluded != again.excluded {
        differences.push(format!(
            "excluded: the record has {}, drawn again gives {}",
            ids(kept.excluded.iter().map(|s| &s.enrolment_id)),
            ids(again.excluded.iter().map(|s| &s.enrolment_id)),
        ));
    }
    if kept.coverage != again.coverage {
        differences.push("coverage: the recorded counts differ from the draw's".to_owned());
    }
    if differences.is_empty() {
        Verdict::Identical
    } else {
        Verdict::Different(differences)
    }
}

fn first_difference(a: &[String], b: &[String]) -> Option<usize> {
    (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i))
}

fn ids<'a>(ids: impl Iterator<Item = &'a String>) -> String {
    let all: Vec<&str> = ids.map(String::as_str).collect();
    if all.is_empty() {
        "none".to_owned()
    } else {
        format!("[{}]", all.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signoff::sampling::{AssessorRisk, RiskRating, SamplingKind, SamplingRates};

    fn enrolment(id: &str, candidate: &str, assessor: &str) -> Candidate {
        Candidate {
            enrolment_id: id.into(),
            candidate_id: candidate.into(),
            assessor_id: assessor.into(),
            standard: "28268@2".into(),
            methods: vec!["observation".into()],
            sites: vec!["Auckland".into()],
            outcomes: vec![],
            status: "active".into(),
            decided_by: None,
        }
    }

    fn record() -> DrawRecord {
        let pool = (1..=8)
            .map(|i| {
                enrolment(
                    &format!("e{i}"),
                    &format!("c{i}"),
                    if i % 2 == 0 { "a1" } else { "a2" },
                )
            })
            .collect();
        DrawRecord::make(
            PlanHeader {
                id: "p1".into(),
                org_id: "o1".into(),
                name: "Term 1".into(),
                period_start: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                period_end: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
            },
            DateTime::from_timestamp(1_790_000_000, 0).unwrap(),
            PlanInput {
                iv_id: "iv".into(),
                seed: 42,
                kind: SamplingKind::Interim,
                rates: SamplingRates::default(),
                assessors: vec![
                    AssessorRisk {
                        assessor_id: "a1".into(),
                        risk: RiskRating::Low,
                    },
                    AssessorRisk {
                        assessor_id: "a2".into(),
                        risk: RiskRating::High,
                    },
                ],
                taken: vec![],
            },
            pool,
        )
    }

    fn through_json(record: &DrawRecord) -> DrawRecord {
        parse(&serde_json::to_string_pretty(record).unwrap()).unwrap()
    }

    #[test]
    fn a_record_read_back_draws_the_same_again() {
        let kept = through_json(&record());
        assert_eq!(kept, record());
        assert_eq!(recheck(&kept), Verdict::Identical);
    }

    #[test]
    fn a_changed_population_or_rating_or_selection_is_named() {
        let mut grown = through_json(&record());
        grown.pool.push(enrolment("e9", "c9", "a1"));
        let Verdict::Different(found) = recheck(&grown) else {
            panic!("an added enrolment must change the draw");
        };
        assert!(found[0].starts_with("draw order: position"), "{found:?}");

        let mut rerated = through_json(&record());
        rerated.input.assessors[0].risk = RiskRating::New;
        let Verdict::Different(found) = recheck(&rerated) else {
            panic!("a new rating must change the selection");
        };
        assert!(
            found
                .iter()
                .any(|d| d.starts_with("selected: the record has")),
            "{found:?}"
        );

        let mut edited = through_json(&record());
        edited.selection.selected.pop();
        assert!(matches!(recheck(&edited), Verdict::Different(_)));
    }

    #[test]
    fn another_document_is_refused_with_its_place() {
        match parse("{\n  \"format\": 3\n}") {
            Err(RecordError::Json { line, .. }) => assert_eq!(line, 2),
            other => panic!("{other:?}"),
        }
        let mut text = serde_json::to_value(record()).unwrap();
        text["format"] = "attest-portfolio-archive".into();
        assert!(matches!(
            parse(&text.to_string()),
            Err(RecordError::Format { .. })
        ));
    }
}
