//! The VACS questions (valid, authentic, current, sufficient) a sample answers: shown, and read
//! back from the form.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::http::pages::form::FormState;
use crate::signoff::plans::{Sample, Vacs, VacsCheck};

/// One VACS answer as the history shows it.
#[derive(Debug, Clone, Serialize)]
pub(super) struct VacsAnswer {
    question: &'static str,
    met: bool,
    note: String,
}

/// The VACS questions: field name, question, and what it asks, in plain words.
const VACS: [(&str, &str, &str); 4] = [
    (
        "valid",
        "Valid",
        "The evidence shows what the criteria ask for.",
    ),
    ("authentic", "Authentic", "It is the candidate's own work."),
    (
        "current",
        "Current",
        "It is recent enough to show the candidate is competent now.",
    ),
    (
        "sufficient",
        "Sufficient",
        "There is enough of it, across the range, for the decision.",
    ),
];

pub(super) fn vacs_answers(sample: &Sample) -> Vec<VacsAnswer> {
    sample.vacs().map_or_else(Vec::new, |vacs| {
        vacs.checks()
            .iter()
            .zip(VACS)
            .map(|((_, check), (_, question, _))| VacsAnswer {
                question,
                met: check.met,
                note: check.note.clone(),
            })
            .collect()
    })
}

/// One VACS question on the sample form, with what was sent.
#[derive(Debug, Serialize)]
pub(super) struct VacsField {
    name: &'static str,
    question: &'static str,
    hint: &'static str,
    note_label: String,
    answer: String,
    note: String,
    error: Option<String>,
    note_error: Option<String>,
}

pub(super) fn vacs_fields(form: &FormState) -> Vec<VacsField> {
    let value = |key: String| form.values.get(&key).cloned().unwrap_or_default();
    VACS.iter()
        .map(|(name, question, hint)| VacsField {
            name,
            question,
            hint,
            note_label: format!("Note on {}", question.to_lowercase()),
            answer: value(format!("vacs.{name}")),
            note: value(format!("vacs.{name}.note")),
            error: form.errors.get(&format!("vacs.{name}")).cloned(),
            note_error: form.errors.get(&format!("vacs.{name}.note")).cloned(),
        })
        .collect()
}

/// The VACS checklist's fields as posted: `vacs.{question}` (yes or no) and its note.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(super) struct VacsForm {
    #[serde(rename = "vacs.valid")]
    valid: String,
    #[serde(rename = "vacs.valid.note")]
    valid_note: String,
    #[serde(rename = "vacs.authentic")]
    authentic: String,
    #[serde(rename = "vacs.authentic.note")]
    authentic_note: String,
    #[serde(rename = "vacs.current")]
    current: String,
    #[serde(rename = "vacs.current.note")]
    current_note: String,
    #[serde(rename = "vacs.sufficient")]
    sufficient: String,
    #[serde(rename = "vacs.sufficient.note")]
    sufficient_note: String,
}

impl VacsForm {
    /// The answer and the note given for one question, by its name.
    fn given(&self, name: &str) -> (&str, &str) {
        match name {
            "valid" => (&self.valid, &self.valid_note),
            "authentic" => (&self.authentic, &self.authentic_note),
            "current" => (&self.current, &self.current_note),
            _ => (&self.sufficient, &self.sufficient_note),
        }
    }
}

/// The VACS checklist as the form sent it: none when no question was answered and no note
/// written; every question needs its yes or no once one is.
pub(super) fn read_vacs(form: &VacsForm) -> Result<Option<Vacs>, BTreeMap<String, String>> {
    let touched = VACS.iter().any(|(name, _, _)| {
        let (answer, note) = form.given(name);
        !answer.trim().is_empty() || !note.trim().is_empty()
    });
    if !touched {
        return Ok(None);
    }
    let mut errors = BTreeMap::new();
    let mut read = |name: &str| {
        let (answer, note) = form.given(name);
        let met = match answer {
            "yes" => true,
            "no" => false,
            _ => {
                errors.insert(
                    format!("vacs.{name}"),
                    format!("Answer yes or no: is the evidence {name}?"),
                );
                false
            }
        };
        VacsCheck {
            met,
            note: note.to_owned(),
        }
    };
    let vacs = Vacs {
        valid: read("valid"),
        authentic: read("authentic"),
        current: read("current"),
        sufficient: read("sufficient"),
    };
    if errors.is_empty() {
        Ok(Some(vacs))
    } else {
        Err(errors)
    }
}
