//! One result row and its wire shape: the same flat column names in CSV headers and JSON keys.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::ExportError;
use crate::standards::LevelScheme;

/// The columns of a results file, in order; also the keys of each JSON object.
pub const RESULT_COLUMNS: [&str; 18] = [
    "candidate_id",
    "candidate_name",
    "learner_number_type",
    "learner_number",
    "framework",
    "standard_code",
    "standard_version",
    "standard_title",
    "level",
    "level_scheme",
    "credits",
    "result",
    "date_achieved",
    "assessor_name",
    "iv_name",
    "date_sampled",
    "verification_code",
    "correction_of",
];

/// One candidate's result in one unit, as a provider reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct ResultRow {
    /// Attest's id for the candidate.
    pub candidate_id: String,
    /// The candidate's name as recorded.
    pub candidate_name: String,
    /// The national learner number (NZ NSN, Scottish SCN) where one is recorded.
    pub learner_number: Option<LearnerNumber>,
    /// The awarding framework, e.g. `NZQA`, `SQA`.
    pub framework: String,
    /// The standard's code, e.g. `28268`, `DN8J 11`.
    pub standard_code: String,
    /// The standard's version.
    pub standard_version: u32,
    /// The standard's title.
    pub standard_title: String,
    /// The level and its framework, where the standard has one.
    pub level: Option<UnitLevel>,
    /// The credit value, where the standard has one (SQA units may carry half credits).
    pub credits: Option<f64>,
    /// Achieved or not yet achieved.
    pub result: UnitResult,
    /// The day the candidate met the requirements; present exactly when achieved.
    pub date_achieved: Option<NaiveDate>,
    /// The assessor who made the decision.
    pub assessor_name: String,
    /// The internal verifier who sampled the decision, if it was sampled.
    pub iv_name: Option<String>,
    /// The day the decision was sampled, if it was.
    pub date_sampled: Option<NaiveDate>,
    /// The code of the statement of achievement, where one was issued.
    pub verification_code: Option<String>,
    /// When this row corrects a result reported before (a statement revoked, an enrolment
    /// withdrawn): the id of the batch that reported it.
    pub correction_of: Option<String>,
}

/// A national learner number and the scheme that issued it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LearnerNumber {
    /// NSN or SCN.
    pub scheme: LearnerNumberScheme,
    /// The number as the scheme writes it.
    pub value: String,
}

/// Schemes of national learner numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LearnerNumberScheme {
    /// New Zealand National Student Number.
    Nsn,
    /// Scottish Candidate Number.
    Scn,
}

/// A level in a named qualifications framework.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct UnitLevel {
    /// The framework, e.g. NZQF.
    pub scheme: LevelScheme,
    /// The level number in it.
    pub value: u8,
}

/// The result of a unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitResult {
    /// Every requirement of the unit was met.
    Achieved,
    /// Not yet: some requirement is still unmet.
    NotYetAchieved,
}

impl UnitResult {
    /// The word written in results files.
    pub fn as_str(self) -> &'static str {
        match self {
            UnitResult::Achieved => "achieved",
            UnitResult::NotYetAchieved => "not_yet_achieved",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Self> {
        match text {
            "achieved" => Some(UnitResult::Achieved),
            "not_yet_achieved" => Some(UnitResult::NotYetAchieved),
            _ => None,
        }
    }
}

impl LearnerNumberScheme {
    /// The abbreviation written in results files: `NSN` or `SCN`.
    pub fn as_str(self) -> &'static str {
        match self {
            LearnerNumberScheme::Nsn => "NSN",
            LearnerNumberScheme::Scn => "SCN",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_uppercase().as_str() {
            "NSN" => Some(LearnerNumberScheme::Nsn),
            "SCN" => Some(LearnerNumberScheme::Scn),
            _ => None,
        }
    }
}

/// The framework's abbreviation as written in results files, e.g. `NZQF`.
pub fn level_scheme_name(scheme: LevelScheme) -> &'static str {
    match scheme {
        LevelScheme::Nzqf => "NZQF",
        LevelScheme::Scqf => "SCQF",
        LevelScheme::Rqf => "RQF",
        LevelScheme::Cqfw => "CQFW",
        LevelScheme::Eqf => "EQF",
        LevelScheme::Aqf => "AQF",
    }
}

pub(crate) fn parse_level_scheme(text: &str) -> Option<LevelScheme> {
    [
        LevelScheme::Nzqf,
        LevelScheme::Scqf,
        LevelScheme::Rqf,
        LevelScheme::Cqfw,
        LevelScheme::Eqf,
        LevelScheme::Aqf,
    ]
    .into_iter()
    .find(|scheme| level_scheme_name(*scheme).eq_ignore_ascii_case(text))
}

/// Checks what a writer must not put in a file: a row that contradicts itself or lacks its keys.
/// `number` is the row's 1-based position, for the message.
pub(crate) fn check_row(row: &ResultRow, number: u64) -> Result<(), ExportError> {
    let invalid = |reason: &str| ExportError::InvalidRow {
        row: number,
        reason: reason.to_owned(),
    };
    if row.candidate_id.trim().is_empty() {
        return Err(invalid("candidate_id is empty"));
    }
    if row.standard_code.trim().is_empty() {
        return Err(invalid("standard_code is empty"));
    }
    if row
        .credits
        .is_some_and(|credits| !(credits.is_finite() && credits >= 0.0))
    {
        return Err(invalid("credits must be a finite number, not negative"));
    }
    if row
        .learner_number
        .as_ref()
        .is_some_and(|number| number.value.trim().is_empty())
    {
        return Err(invalid("learner_number is empty"));
    }
    match (row.result, row.date_achieved) {
        (UnitResult::Achieved, None) => Err(invalid("an achieved result needs date_achieved")),
        (UnitResult::NotYetAchieved, Some(_)) => Err(invalid(
            "a result not yet achieved cannot have date_achieved",
        )),
        _ => Ok(()),
    }
}

/// The row as written: flat, borrowed, so serialising a row copies nothing.
#[derive(Serialize)]
struct WireRef<'a> {
    candidate_id: &'a str,
    candidate_name: &'a str,
    learner_number_type: Option<&'static str>,
    learner_number: Option<&'a str>,
    framework: &'a str,
    standard_code: &'a str,
    standard_version: u32,
    standard_title: &'a str,
    level: Option<u8>,
    level_scheme: Option<&'static str>,
    credits: Option<f64>,
    result: UnitResult,
    date_achieved: Option<NaiveDate>,
    assessor_name: &'a str,
    iv_name: Option<&'a str>,
    date_sampled: Option<NaiveDate>,
    verification_code: Option<&'a str>,
    correction_of: Option<&'a str>,
}

/// The row as read back.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireOwned {
    candidate_id: String,
    candidate_name: String,
    learner_number_type: Option<String>,
    learner_number: Option<String>,
    framework: String,
    standard_code: String,
    standard_version: u32,
    standard_title: String,
    level: Option<u8>,
    level_scheme: Option<String>,
    credits: Option<f64>,
    result: UnitResult,
    date_achieved: Option<NaiveDate>,
    assessor_name: String,
    iv_name: Option<String>,
    date_sampled: Option<NaiveDate>,
    verification_code: Option<String>,
    // Files written before corrections were reported have no such key.
    #[serde(default)]
    correction_of: Option<String>,
}

impl Serialize for ResultRow {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        WireRef {
            candidate_id: &self.candidate_id,
            candidate_name: &self.candidate_name,
            learner_number_type: self.learner_number.as_ref().map(|n| n.scheme.as_str()),
            learner_number: self.learner_number.as_ref().map(|n| n.value.as_str()),
            framework: &self.framework,
            standard_code: &self.standard_code,
            standard_version: self.standard_version,
            standard_title: &self.standard_title,
            level: self.level.map(|l| l.value),
            level_scheme: self.level.map(|l| level_scheme_name(l.scheme)),
            credits: self.credits,
            result: self.result,
            date_achieved: self.date_achieved,
            assessor_name: &self.assessor_name,
            iv_name: self.iv_name.as_deref(),
            date_sampled: self.date_sampled,
            verification_code: self.verification_code.as_deref(),
            correction_of: self.correction_of.as_deref(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for ResultRow {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let wire = WireOwned::deserialize(deserializer)?;
        let learner_number = learner_number(wire.learner_number_type, wire.learner_number)
            .map_err(D::Error::custom)?;
        let level = unit_level(wire.level, wire.level_scheme).map_err(D::Error::custom)?;
        Ok(ResultRow {
            candidate_id: wire.candidate_id,
            candidate_name: wire.candidate_name,
            learner_number,
            framework: wire.framework,
            standard_code: wire.standard_code,
            standard_version: wire.standard_version,
            standard_title: wire.standard_title,
            level,
            credits: wire.credits,
            result: wire.result,
            date_achieved: wire.date_achieved,
            assessor_name: wire.assessor_name,
            iv_name: wire.iv_name,
            date_sampled: wire.date_sampled,
            verification_code: wire.verification_code,
            correction_of: wire.correction_of,
        })
    }
}

/// Joins the two learner-number columns; both or neither must be given.
pub(crate) fn learner_number(
    scheme: Option<String>,
    value: Option<String>,
) -> Result<Option<LearnerNumber>, String> {
    match (scheme, value) {
        (None, None) => Ok(None),
        (Some(scheme), Some(value)) => {
            let scheme = LearnerNumberScheme::parse(&scheme)
                .ok_or_else(|| format!("learner_number_type `{scheme}` is neither NSN nor SCN"))?;
            Ok(Some(LearnerNumber { scheme, value }))
        }
        (Some(_), None) => Err("learner_number_type is given without learner_number".into()),
        (None, Some(_)) => Err("learner_number is given without learner_number_type".into()),
    }
}

/// Joins the two level columns; both or neither must be given.
pub(crate) fn unit_level(
    value: Option<u8>,
    scheme: Option<String>,
) -> Result<Option<UnitLevel>, String> {
    match (value, scheme) {
        (None, None) => Ok(None),
        (Some(value), Some(scheme)) => {
            let scheme = parse_level_scheme(&scheme)
                .ok_or_else(|| format!("level_scheme `{scheme}` is not a known framework"))?;
            Ok(Some(UnitLevel { scheme, value }))
        }
        (Some(_), None) => Err("level is given without level_scheme".into()),
        (None, Some(_)) => Err("level_scheme is given without level".into()),
    }
}
