//! What one candidate's archive holds, as plain data: the candidate, the standard version, the
//! evidence records, sign-offs and questions, and the files and documents to include.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::output::formats::results::{LearnerNumber, UnitLevel};

/// Everything one candidate's archive holds, as plain data.
#[derive(Clone, Debug)]
pub struct ArchiveInput {
    /// When the archive is made (shown in the index, used as the zip entries' time).
    pub generated_at: DateTime<Utc>,
    /// Whose portfolio it is.
    pub candidate: ArchiveCandidate,
    /// The standard version the portfolio is assessed against.
    pub standard: ArchiveStandard,
    /// The standard's outcomes and criteria, for the index.
    pub outcomes: Vec<ArchiveOutcome>,
    /// The evidence records as stored (`rules::portfolio::Evidence` as JSON): the mapping to
    /// criteria and knowledge with each judgement and its feedback.
    pub evidence: Vec<Value>,
    /// The sign-offs as stored (assessor, candidate, IV declarations), each a JSON object.
    pub sign_offs: Vec<Value>,
    /// The questions sent to the candidate (`portfolio::question_sets::QuestionRequest` as JSON):
    /// each question as sent, the answer (typed text, or a recording listed in `files`), its mark
    /// and the assessor's comment.
    pub questions: Vec<Value>,
    /// The evidence files (and the recordings given as answers).
    pub files: Vec<ArchiveFile>,
    /// Small documents made for the archive (the statement PDF, its signed badge, the issuer's
    /// public keys), kept whole: each is listed and checked like an evidence file.
    pub documents: Vec<ArchiveDocument>,
    /// The signed audit checkpoint latest when the archive was made, written into the manifest.
    pub audit_checkpoint: Option<String>,
}

/// A document the archive holds besides the evidence files.
#[derive(Clone, Debug)]
pub struct ArchiveDocument {
    /// Its path in the zip, e.g. `credentials/statement-ABCD-EFGH-JKMN.pdf`.
    pub path: String,
    /// Its media type.
    pub media_type: String,
    /// Its content.
    pub bytes: Vec<u8>,
}

/// The candidate.
#[derive(Clone, Debug)]
pub struct ArchiveCandidate {
    /// Attest's id for the candidate.
    pub id: String,
    /// The candidate's name.
    pub name: String,
    /// The national learner number, where recorded.
    pub learner_number: Option<LearnerNumber>,
}

/// The standard version.
#[derive(Clone, Debug, Serialize)]
pub struct ArchiveStandard {
    /// e.g. `NZQA`.
    pub framework: String,
    /// e.g. `28268`.
    pub code: String,
    /// The version assessed against.
    pub version: u32,
    /// The title.
    pub title: String,
    /// The level, where the standard has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<UnitLevel>,
    /// The credit value, where the standard has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credits: Option<f64>,
    /// The hash of the standard version's content, as the catalogue records it.
    pub content_hash: String,
}

/// One outcome of the standard.
#[derive(Clone, Debug, Serialize)]
pub struct ArchiveOutcome {
    /// e.g. `1`.
    pub reference: String,
    /// The outcome's text.
    pub title: String,
    /// Its performance criteria.
    pub criteria: Vec<ArchiveCriterion>,
}

/// One performance criterion.
#[derive(Clone, Debug, Serialize)]
pub struct ArchiveCriterion {
    /// e.g. `1.2`, as evidence records name it.
    pub reference: String,
    /// The criterion's text.
    pub text: String,
}

/// One evidence file: what it was called and what its content must hash to.
#[derive(Clone, Debug)]
pub struct ArchiveFile {
    /// The name it was uploaded with.
    pub name: String,
    /// SHA-256 of its content, 64 lowercase hex digits (the content-addressed store's key).
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// The evidence record it belongs to.
    pub evidence_id: Option<String>,
    /// Its media type, where known.
    pub media_type: Option<String>,
}
