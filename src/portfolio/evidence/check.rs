//! Checking new evidence before it is written: the details its kind needs, an observation's
//! outcomes and times, and every reference against the standard. All problems are collected, field
//! by field, so a form shows them in one round.

use super::input::{EvidenceDetails, NewEvidence};
use super::store::{evidence_ids, to_instance};
use crate::action::{ActionError, Problems};
use crate::db::DbConnection;
use crate::db::ids::UserId;
use crate::portfolio::enrolment::Enrolment;
use crate::rules::portfolio::{Evidence, Portfolio, StandardRef};
use crate::standards::{Method, Openness, Standard};

/// Words that name a relative: testimony from relatives is refused.
const RELATIVES: &[&str] = &[
    "mother",
    "father",
    "mum",
    "mom",
    "dad",
    "parent",
    "son",
    "daughter",
    "child",
    "brother",
    "sister",
    "sibling",
    "husband",
    "wife",
    "spouse",
    "partner",
    "fiancé",
    "fiance",
    "aunt",
    "uncle",
    "cousin",
    "niece",
    "nephew",
    "grandmother",
    "grandfather",
    "grandparent",
    "grandson",
    "granddaughter",
    "in-law",
    "relative",
    "family",
    "stepmother",
    "stepfather",
];

/// Everything [`add_evidence`] would refuse in `new`, field by field, without writing anything:
/// a form that already found problems of its own shows these with them, all in one round.
pub fn evidence_problems(
    conn: &mut DbConnection,
    standard: &Standard,
    enrolment: &Enrolment,
    actor: UserId,
    new: &NewEvidence,
    has_file: bool,
) -> Result<Problems, ActionError> {
    let recorded_by_assessor = enrolment.assessor_id == Some(actor);
    let mut problems = Problems::default();
    if enrolment.candidate_id == actor && !new.declaration {
        problems.add("declaration", "confirm that this evidence is your own work");
    }
    check_details(
        new,
        has_file,
        enrolment.candidate_id == actor,
        &mut problems,
    );
    check_observed(standard, &new.details, &mut problems);
    let instance = to_instance("new", new, recorded_by_assessor);
    // Only links need the portfolio's other records (a portfolio can hold thousands).
    let existing = if instance.links.is_empty() {
        Vec::new()
    } else {
        evidence_ids(conn, enrolment.id)?
    };
    check_against_standard(standard, &instance, &existing, &mut problems);
    Ok(problems)
}

/// The observation's outcomes must be the standard's, its checklist lines their criteria, and its
/// times a start and an end after it (both or neither).
fn check_observed(standard: &Standard, details: &EvidenceDetails, problems: &mut Problems) {
    for (i, id) in details.outcomes.iter().enumerate() {
        if standard.outcome(id.trim()).is_none() {
            problems.add(
                &format!("details.outcomes[{i}]"),
                format!("{id} is not an outcome of this standard"),
            );
        }
    }
    let chosen: Vec<&crate::standards::Outcome> = details
        .outcomes
        .iter()
        .filter_map(|id| standard.outcome(id.trim()))
        .collect();
    if !chosen.is_empty() {
        for (i, line) in details.checklist.iter().enumerate() {
            let covered = chosen
                .iter()
                .any(|o| o.criteria.iter().any(|c| c.id == line.criterion.trim()));
            if !covered && standard.criterion(line.criterion.trim()).is_some() {
                problems.add(
                    &format!("details.checklist[{i}].criterion"),
                    format!(
                        "{} is not a criterion of the outcomes observed ({})",
                        line.criterion,
                        details.outcomes.join(", ")
                    ),
                );
            }
        }
    }
    match (details.start, details.end) {
        (Some(_), None) => problems.add("details.end", "give the end time with the start time"),
        (None, Some(_)) => problems.add("details.start", "give the start time with the end time"),
        (Some(start), Some(end)) if end <= start => {
            problems.add("details.end", "the end time must be after the start time")
        }
        _ => {}
    }
}

/// Whether a stated relationship names a relative (testimony from relatives is refused).
pub fn is_relative(relationship: &str) -> bool {
    let relationship = relationship.to_lowercase();
    relationship
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .any(|word| RELATIVES.contains(&word))
}

fn check_details(new: &NewEvidence, has_file: bool, by_candidate: bool, problems: &mut Problems) {
    let details = &new.details;
    // Feedback to the candidate is the assessor's word, never the candidate's own.
    if by_candidate && details.feedback.is_some() {
        problems.add(
            "details.feedback",
            "is the assessor's feedback to you: leave it out",
        );
    }
    match new.method {
        Method::ObservationChecklist => {
            if details.checklist.is_empty() && new.criteria.is_empty() {
                problems.add(
                    "details.checklist",
                    "record shown, not shown or not applicable for each criterion observed",
                );
            }
        }
        Method::WitnessTestimony => match &details.witness {
            None => problems.add("details.witness", "is required for witness testimony"),
            Some(w) => {
                for (field, value) in [
                    ("name", &w.name),
                    ("job_title", &w.job_title),
                    ("relationship", &w.relationship),
                    ("contact", &w.contact),
                    ("statement", &w.statement),
                ] {
                    if value.trim().is_empty() {
                        problems.add(&format!("details.witness.{field}"), "is required");
                    }
                }
                if is_relative(&w.relationship) {
                    problems.add(
                        "details.witness.relationship",
                        "testimony from a relative cannot be accepted",
                    );
                }
                if w.declaration && by_candidate {
                    problems.add(
                        "details.witness.declaration",
                        "the witness confirms their testimony themselves, through the link they are sent",
                    );
                } else if w.declaration && w.declared_on.is_none() {
                    problems.add(
                        "details.witness.declared_on",
                        "give the date the witness signed",
                    );
                }
            }
        },
        Method::OralQuestioning | Method::WrittenQuestioning => {
            if details.questions.is_empty() {
                problems.add(
                    "details.questions",
                    "record at least one question and answer",
                );
            }
            if new.knowledge.is_empty() && new.criteria.is_empty() {
                problems.add(
                    "knowledge",
                    "name the knowledge items or criteria the questions cover",
                );
            }
        }
        Method::ProfessionalDiscussion | Method::ElectronicDataRecord => {
            if details
                .summary
                .as_deref()
                .is_none_or(|s| s.trim().is_empty())
                && !has_file
            {
                problems.add(
                    "details.summary",
                    "summarise what was discussed or recorded",
                );
            }
        }
        Method::ProductEvidence => {
            if !has_file {
                problems.add("file", "upload the product evidence as a file");
            }
        }
    }
    for (i, stamp) in details.timestamps.iter().enumerate() {
        if !valid_position(&stamp.at) {
            problems.add(
                &format!("details.timestamps[{i}].at"),
                "write the position as mm:ss or hh:mm:ss",
            );
        }
    }
}

fn valid_position(at: &str) -> bool {
    let parts: Vec<&str> = at.split(':').collect();
    (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 2 && p.chars().all(|c| c.is_ascii_digit()))
        && parts[1..]
            .iter()
            .all(|p| p.parse::<u32>().is_ok_and(|n| n < 60))
}

/// Every reference must exist in the standard; values of closed attributes must be declared; links
/// must point at evidence of the same enrolment.
fn check_against_standard(
    standard: &Standard,
    instance: &Evidence,
    existing: &[String],
    problems: &mut Problems,
) {
    let portfolio = Portfolio {
        standard: StandardRef {
            code: standard.code.clone(),
            version: standard.version,
        },
        candidate: None,
        evidence: vec![instance.clone()],
        not_applicable: Vec::new(),
        confirmations: Vec::new(),
    };
    for problem in crate::rules::references::check(standard, &portfolio) {
        let field = problem
            .path
            .strip_prefix("evidence[0].")
            .unwrap_or(&problem.path);
        if field.starts_with("links") {
            continue;
        }
        problems.add(field, problem.message);
    }
    for (key, value) in &instance.attributes {
        let Some(attribute) = standard.attributes.iter().find(|a| &a.id == key) else {
            problems.add(
                &format!("attributes.{key}"),
                "is not an attribute this standard declares",
            );
            continue;
        };
        if attribute.openness == Openness::Closed {
            for word in value.words() {
                if !attribute.values.iter().any(|v| &v.id == word) {
                    let allowed: Vec<&str> =
                        attribute.values.iter().map(|v| v.id.as_str()).collect();
                    problems.add(
                        &format!("attributes.{key}"),
                        format!("{word} is not one of {}", allowed.join(", ")),
                    );
                }
            }
        }
    }
    for (i, link) in instance.links.iter().enumerate() {
        if !existing.contains(&link.to) {
            problems.add(
                &format!("links[{i}].to"),
                "is not evidence of this portfolio",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_in_recordings() {
        for good in ["04:35", "1:02:59", "00:00"] {
            assert!(valid_position(good), "{good}");
        }
        for bad in ["4", "04:60", "aa:bb", "1:2:3:4", ""] {
            assert!(!valid_position(bad), "{bad}");
        }
    }
}
