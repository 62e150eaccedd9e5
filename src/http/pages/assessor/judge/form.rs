//! The judge form as posted, and reading each mapping's judgement from it.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::portfolio::{JudgementInput, Judgements};
use crate::rules::portfolio::Judgement;

fn judgement_of(word: &str) -> Option<Judgement> {
    match word {
        "accepted" => Some(Judgement::Accepted),
        "rejected" => Some(Judgement::Rejected),
        "pending" => Some(Judgement::Pending),
        _ => None,
    }
}

/// The judge form as posted: a row per mapping listed (`criteria[0].id`, `criteria[0].judgement`,
/// `criteria[0].feedback`, likewise `knowledge[0]…`) and the "Accept all" button (`accept_rest`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct JudgeForm {
    pub(super) criteria: Vec<MappingRow>,
    pub(super) knowledge: Vec<MappingRow>,
    accept_rest: String,
}

/// One mapping's row of the judge form, as typed (the word is checked by [`read_judgements`],
/// which names the row in its error).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(super) struct MappingRow {
    id: String,
    pub(super) judgement: String,
    pub(super) feedback: String,
}

/// Reads the judgement of each mapping listed on the form (rows up to the first without its
/// `id`, the hidden field each row has). With the "Accept all" button (`accept_rest`), every
/// mapping not marked rejected is accepted.
pub(super) fn read_judgements(form: &JudgeForm) -> (Judgements, BTreeMap<String, String>) {
    let mut errors = BTreeMap::new();
    let accept_rest = !form.accept_rest.trim().is_empty();
    let mut read = |kind: &str, rows: &[MappingRow]| {
        let mut inputs = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            let key = format!("{kind}[{i}]");
            let id = row.id.trim();
            if id.is_empty() {
                break;
            }
            let word = row.judgement.as_str();
            let word = if accept_rest && word != "rejected" {
                "accepted"
            } else {
                word
            };
            match judgement_of(word) {
                Some(judgement) => inputs.push(JudgementInput {
                    id: id.to_owned(),
                    judgement,
                    feedback: Some(row.feedback.trim())
                        .filter(|f| !f.is_empty())
                        .map(str::to_owned),
                }),
                None => {
                    errors.insert(
                        format!("{key}.judgement"),
                        format!("Choose accept or reject for {id}"),
                    );
                }
            }
        }
        inputs
    };
    let judgements = Judgements {
        criteria: read("criteria", &form.criteria),
        knowledge: read("knowledge", &form.knowledge),
        accept_rest,
    };
    (judgements, errors)
}
