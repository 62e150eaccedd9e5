//! `manifest.json`: what the archive holds and the SHA-256 and size of every file in it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{ArchiveInput, ArchiveOutcome, ArchiveStandard};

/// The `format` value of every manifest.
pub const MANIFEST_FORMAT: &str = "attest-portfolio-archive";
/// The manifest layout this code writes and reads.
pub const MANIFEST_VERSION: u32 = 1;

/// The manifest as written (borrowing the input).
#[derive(Serialize)]
pub(super) struct ManifestOut<'a> {
    pub format: &'static str,
    pub format_version: u32,
    pub generated_at: DateTime<Utc>,
    pub candidate: CandidateOut<'a>,
    pub standard: &'a ArchiveStandard,
    pub outcomes: &'a [ArchiveOutcome],
    /// The evidence records with their mapping to criteria, as given.
    pub evidence: &'a [Value],
    pub judgements: &'a [Judgement],
    pub sign_offs: &'a [Value],
    /// The questions sent to the candidate with their answers and marks (absent when none were).
    #[serde(skip_serializing_if = "none")]
    pub questions: &'a [Value],
    /// The human index, so it is checked too.
    pub index: FileEntry,
    pub files: Vec<FileEntry>,
    /// The signed audit checkpoint latest when the archive was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_checkpoint: Option<&'a str>,
}

/// Whether a list is empty (`skip_serializing_if` on a borrowed slice).
fn none(list: &&[Value]) -> bool {
    list.is_empty()
}

/// The candidate as written in the manifest.
#[derive(Serialize)]
pub(super) struct CandidateOut<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub learner_number_type: Option<&'static str>,
    pub learner_number: Option<&'a str>,
}

impl<'a> CandidateOut<'a> {
    pub fn of(input: &'a ArchiveInput) -> Self {
        let number = input.candidate.learner_number.as_ref();
        Self {
            id: &input.candidate.id,
            name: &input.candidate.name,
            learner_number_type: number.map(|n| n.scheme.as_str()),
            learner_number: number.map(|n| n.value.as_str()),
        }
    }
}

/// One file in the archive: where it is, what it was called, and what it must hash to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// The path inside the zip, e.g. `files/<sha256>-call.pdf`.
    pub path: String,
    /// The original file name (empty for the index).
    #[serde(default)]
    pub name: String,
    /// The evidence records the file belongs to.
    #[serde(default)]
    pub evidence: Vec<String>,
    /// The media type, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// SHA-256 of the content, lowercase hex.
    pub sha256: String,
    /// Size of the content in bytes.
    pub size: u64,
}

/// The manifest as read back by the verifier: only what checking needs.
#[derive(Deserialize)]
pub(super) struct ManifestIn {
    pub format: String,
    pub format_version: u32,
    pub index: Option<FileEntry>,
    pub files: Vec<FileEntry>,
}

/// One assessor judgement of one mapping, taken from the evidence records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Judgement {
    /// The evidence record's id.
    pub evidence: String,
    /// The criterion judged, for a criterion mapping.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub criterion: Option<String>,
    /// The knowledge item judged, for a knowledge mapping.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub knowledge: Option<String>,
    /// `pending`, `accepted` or `rejected`.
    pub judgement: String,
    /// The assessor's feedback.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
}

/// Every judgement in the evidence records (fields `id`, `criteria[].criterion`,
/// `knowledge[].item`, `…judgement`, `…feedback` of `rules::portfolio::Evidence`); an unjudged
/// mapping reads as `pending`.
pub(super) fn judgements(evidence: &[Value]) -> Vec<Judgement> {
    let mut out = Vec::new();
    for record in evidence {
        let id = word(&record["id"]).unwrap_or_default();
        for (list, key) in [("criteria", "criterion"), ("knowledge", "item")] {
            for mapping in record[list].as_array().into_iter().flatten() {
                let target = word(&mapping[key]);
                out.push(Judgement {
                    evidence: id.clone(),
                    criterion: if list == "criteria" {
                        target.clone()
                    } else {
                        None
                    },
                    knowledge: if list == "knowledge" { target } else { None },
                    judgement: word(&mapping["judgement"]).unwrap_or_else(|| "pending".into()),
                    feedback: word(&mapping["feedback"]),
                });
            }
        }
    }
    out
}

/// A string or number as text (criterion ids are sometimes written as numbers).
pub(super) fn word(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
