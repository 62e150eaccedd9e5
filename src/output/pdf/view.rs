//! The statement's content as plain data, and the SHA-256 printed on it.
//!
//! The caller (the sign-off chain) fills a [`StatementView`] from the database; the renderer
//! only lays it out. Nothing here knows about enrolments, users or rules.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Everything a statement of competence shows, already worded for print.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct StatementView {
    /// The provider issuing the statement.
    pub organisation: OrganisationView,
    /// Whose competence the statement records.
    pub candidate: CandidateView,
    /// The unit standard the candidate met.
    pub unit: UnitView,
    /// Every outcome, with the criteria met and the evidence for each.
    pub outcomes: Vec<OutcomeView>,
    /// The evidence referred to by the criteria, in the order to print.
    pub evidence: Vec<EvidenceView>,
    /// Who signed, in which role, and when.
    pub sign_offs: Vec<SignOffView>,
    /// Further dated fields the standard asks for, e.g. "Date sampled (by IV)".
    pub dated_fields: Vec<DatedFieldView>,
    /// The standard's own statement wording, e.g. CFACC33's "I confirm that all evidence
    /// (including Knowledge and Understanding), for the entire Unit has been met:".
    pub statement_wording: String,
    /// Free-text comments; empty when there are none.
    pub comments: String,
    /// The code a reader types or scans to check the statement.
    pub verification_code: String,
    /// The public page that confirms the statement (also drawn as a QR code).
    pub verification_url: String,
    /// The day the statement was issued; also the PDF's creation date.
    pub issued: NaiveDate,
}

/// The issuing organisation.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct OrganisationView {
    /// Display name.
    pub name: String,
    /// Identifiers such as a centre number or NZQA provider code.
    pub ids: Vec<LabelledValue>,
}

/// A value with the label it is printed under, e.g. "Centre number" / "4231".
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct LabelledValue {
    /// What the value is, as printed.
    pub label: String,
    /// The value itself.
    pub value: String,
}

/// The candidate.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct CandidateView {
    /// The name exactly as it must appear.
    pub name: String,
    /// The national learner number under its scheme's name (NSN, SCN, ULN), if any.
    pub national_learner_number: Option<LabelledValue>,
}

/// The unit standard.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct UnitView {
    /// The framework or awarding body, e.g. "SVQ" or "NZQA unit standard".
    pub framework: String,
    /// The unit's code, e.g. "H12H 04 (CFACC33)".
    pub code: String,
    /// The unit's title.
    pub title: String,
    /// The version assessed.
    pub version: String,
    /// The level as printed, e.g. "SCQF 8"; `None` when the standard has none.
    pub level: Option<String>,
    /// The credit value as printed; `None` when the standard has none.
    pub credits: Option<String>,
}

/// One outcome (element, performance area) with the criteria met under it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct OutcomeView {
    /// The outcome's reference, e.g. "1" or "K".
    pub reference: String,
    /// The outcome's title.
    pub title: String,
    /// The criteria met.
    pub criteria: Vec<CriterionView>,
}

/// One criterion met, with the references of the evidence that shows it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct CriterionView {
    /// The criterion's reference, e.g. "1.2" or "(a)".
    pub reference: String,
    /// The criterion's wording.
    pub text: String,
    /// References into the evidence index, e.g. "E03".
    pub evidence: Vec<String>,
}

/// One row of the evidence index.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct EvidenceView {
    /// The reference the criteria cite.
    pub reference: String,
    /// When the evidence was produced or observed.
    pub date: NaiveDate,
    /// Assessment method, e.g. "Observation".
    pub method: String,
    /// Setting, e.g. "Workplace" or "Simulated".
    pub setting: String,
    /// Assessment site.
    pub site: String,
}

/// One completed sign-off.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SignOffView {
    /// The role as the standard words it, e.g. "Internal Verifier".
    pub role: String,
    /// Who signed.
    pub name: String,
    /// When they signed.
    pub date: NaiveDate,
}

/// A further dated field of the sign-off block.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct DatedFieldView {
    /// The field's label, e.g. "Date sampled (by IV)".
    pub label: String,
    /// Its date.
    pub date: NaiveDate,
}

/// SHA-256 (lower-case hex) of the statement's content: every field of the view.
///
/// The input is a canonical encoding rather than JSON so that the value depends on the content
/// alone: a version tag, then every field in declaration order, each string as its UTF-8 length
/// (8 bytes, little-endian) followed by its bytes, each date as `YYYY-MM-DD`, each list as its
/// length followed by its items, and each optional value as a 0 or 1 byte followed by the value.
pub fn content_hash(view: &StatementView) -> String {
    let mut canon = Canon(Sha256::new());
    canon.bytes(b"attest-statement-v1");
    view.feed(&mut canon);
    hex::encode(canon.0.finalize())
}

struct Canon(Sha256);

impl Canon {
    fn bytes(&mut self, bytes: &[u8]) {
        self.len(bytes.len());
        self.0.update(bytes);
    }

    fn len(&mut self, len: usize) {
        self.0.update((len as u64).to_le_bytes());
    }

    fn str(&mut self, text: &str) {
        self.bytes(text.as_bytes());
    }

    fn date(&mut self, date: NaiveDate) {
        self.str(&date.format("%Y-%m-%d").to_string());
    }

    fn list<T: Feed>(&mut self, items: &[T]) {
        self.len(items.len());
        for item in items {
            item.feed(self);
        }
    }

    fn option<T: Feed>(&mut self, value: &Option<T>) {
        match value {
            None => self.0.update([0u8]),
            Some(inner) => {
                self.0.update([1u8]);
                inner.feed(self);
            }
        }
    }
}

trait Feed {
    fn feed(&self, canon: &mut Canon);
}

impl Feed for String {
    fn feed(&self, canon: &mut Canon) {
        canon.str(self);
    }
}

impl Feed for StatementView {
    fn feed(&self, canon: &mut Canon) {
        self.organisation.feed(canon);
        self.candidate.feed(canon);
        self.unit.feed(canon);
        canon.list(&self.outcomes);
        canon.list(&self.evidence);
        canon.list(&self.sign_offs);
        canon.list(&self.dated_fields);
        canon.str(&self.statement_wording);
        canon.str(&self.comments);
        canon.str(&self.verification_code);
        canon.str(&self.verification_url);
        canon.date(self.issued);
    }
}

impl Feed for OrganisationView {
    fn feed(&self, canon: &mut Canon) {
        canon.str(&self.name);
        canon.list(&self.ids);
    }
}

impl Feed for LabelledValue {
    fn feed(&self, canon: &mut Canon) {
        canon.str(&self.label);
        canon.str(&self.value);
    }
}

impl Feed for CandidateView {
    fn feed(&self, canon: &mut Canon) {
        canon.str(&self.name);
        canon.option(&self.national_learner_number);
    }
}

impl Feed for UnitView {
    fn feed(&self, canon: &mut Canon) {
        canon.str(&self.framework);
        canon.str(&self.code);
        canon.str(&self.title);
        canon.str(&self.version);
        canon.option(&self.level);
        canon.option(&self.credits);
    }
}

impl Feed for OutcomeView {
    fn feed(&self, canon: &mut Canon) {
        canon.str(&self.reference);
        canon.str(&self.title);
        canon.list(&self.criteria);
    }
}

impl Feed for CriterionView {
    fn feed(&self, canon: &mut Canon) {
        canon.str(&self.reference);
        canon.str(&self.text);
        canon.list(&self.evidence);
    }
}

impl Feed for EvidenceView {
    fn feed(&self, canon: &mut Canon) {
        canon.str(&self.reference);
        canon.date(self.date);
        canon.str(&self.method);
        canon.str(&self.setting);
        canon.str(&self.site);
    }
}

impl Feed for SignOffView {
    fn feed(&self, canon: &mut Canon) {
        canon.str(&self.role);
        canon.str(&self.name);
        canon.date(self.date);
    }
}

impl Feed for DatedFieldView {
    fn feed(&self, canon: &mut Canon) {
        canon.str(&self.label);
        canon.date(self.date);
    }
}
