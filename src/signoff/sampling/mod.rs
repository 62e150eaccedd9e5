//! Internal verification sampling: which enrolments an internal verifier (IV) samples, reproducibly.
//!
//! [`select`] takes plain data — the plan ([`PlanInput`]: the IV, a seed, assessors' risk ratings,
//! the rates, interim or summative, the samples already taken in the plan's period) and the pool of
//! enrolments ([`Candidate`]) — and returns a [`Selection`]: what to sample and why, what could not
//! be sampled and why, and the plan's CAMERA [`Coverage`] so far.
//!
//! ```text
//! pool ──► eligibility (independence, stage, already sampled) ──► eligible, sorted by enrolment id
//!      ──► seeded shuffle (SplitMix64, Fisher–Yates)          ──► the draw order
//!      ──► coverage picks (assessor, unit, method, site), then candidates (at least 3),
//!          then rates (⌈rate × pool⌉ per assessor), each taking the first fitting in draw order
//!      ──► Selection (sorted by enrolment id) + Coverage
//! ```
//!
//! `docs/sampling.md` describes the algorithm for an external verifier who wants to re-run it.

mod coverage;
pub mod draw;
mod pick;
mod pool;
mod rates;
pub mod record;
#[cfg(test)]
mod tests;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use coverage::{Coverage, Dimension, ValueCoverage};
pub use rates::{RatesError, RiskRating, SamplingRates};

/// When a sample is taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SamplingKind {
    /// During the programme: work in progress and the assessor's practice (status `active` or
    /// `submitted`).
    Interim,
    /// After the assessor's decision, before certification is claimed (status `assessed`).
    Summative,
}

impl SamplingKind {
    /// The stored name (`interim`, `summative`).
    pub fn as_str(self) -> &'static str {
        match self {
            SamplingKind::Interim => "interim",
            SamplingKind::Summative => "summative",
        }
    }

    /// The enrolment statuses this kind of sample draws from.
    pub fn statuses(self) -> &'static [&'static str] {
        match self {
            SamplingKind::Interim => &["active", "submitted"],
            SamplingKind::Summative => &["assessed"],
        }
    }
}

impl fmt::Display for SamplingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One enrolment as sampling sees it. Empty strings are ignored wherever values are counted.
///
/// Ordered field by field, enrolment id first: the order [`select`] sorts the pool in.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Candidate {
    /// The enrolment (the portfolio record).
    pub enrolment_id: String,
    /// The person enrolled.
    pub candidate_id: String,
    /// The assigned assessor; empty when none is assigned yet.
    pub assessor_id: String,
    /// The unit, as `code@version`.
    pub standard: String,
    /// The assessment methods its evidence uses (observation, witness testimony …).
    pub methods: Vec<String>,
    /// The sites where it was assessed.
    pub sites: Vec<String>,
    /// The ids of the standard's outcomes its evidence covers.
    pub outcomes: Vec<String>,
    /// The enrolment status (`active`, `submitted`, `assessed`, …).
    pub status: String,
    /// Who made the unit decision, if anyone has.
    pub decided_by: Option<String>,
}

/// An assessor's risk rating in the plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessorRisk {
    /// The assessor.
    pub assessor_id: String,
    /// Their rating.
    pub risk: RiskRating,
}

/// A sample already taken in the plan's period, with the enrolment as it was when sampled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TakenSample {
    /// Interim or summative.
    pub kind: SamplingKind,
    /// The enrolment sampled.
    pub enrolment: Candidate,
}

/// Everything a draw depends on besides the pool.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanInput {
    /// The internal verifier doing the sampling.
    pub iv_id: String,
    /// The seed of the random order; recorded with the plan so the draw can be re-run.
    pub seed: u64,
    /// Interim or summative.
    pub kind: SamplingKind,
    /// The organisation's rates.
    pub rates: SamplingRates,
    /// Assessors' ratings; an assessor missing here is sampled as [`RiskRating::New`]. Where an
    /// assessor is listed twice the first entry counts.
    pub assessors: Vec<AssessorRisk>,
    /// Samples already taken in the plan's period (interim and summative).
    pub taken: Vec<TakenSample>,
}

impl PlanInput {
    /// The rating that sets `assessor_id`'s rate, and whether the plan gives one.
    pub fn risk_of(&self, assessor_id: &str) -> (RiskRating, bool) {
        self.assessors
            .iter()
            .find(|rated| rated.assessor_id == assessor_id)
            .map_or((RiskRating::New, false), |rated| (rated.risk, true))
    }
}

/// The result of a draw.
/// Empty (nothing drawn) by default.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Selection {
    /// The enrolments to sample, sorted by enrolment id.
    pub selected: Vec<Selected>,
    /// The enrolments of the pool that could not be sampled, sorted by enrolment id.
    pub excluded: Vec<Excluded>,
    /// The eligible enrolment ids in draw order, so the draw can be checked step by step.
    pub draw: Vec<String>,
    /// The plan's coverage: samples taken plus this selection.
    pub coverage: Coverage,
}

impl Selection {
    /// The selected enrolment ids, sorted.
    pub fn enrolment_ids(&self) -> Vec<&str> {
        self.selected
            .iter()
            .map(|s| s.enrolment_id.as_str())
            .collect()
    }
}

/// One enrolment to sample.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selected {
    /// The enrolment.
    pub enrolment_id: String,
    /// Its candidate.
    pub candidate_id: String,
    /// Its assessor.
    pub assessor_id: String,
    /// Its place in the draw order (0 first).
    pub draw_rank: usize,
    /// Why it was picked: the rule that picked it first, then any coverage it also gives.
    pub reasons: Vec<Reason>,
}

impl Selected {
    /// The reasons in words, e.g. `coverage: site Auckland`.
    pub fn reason_texts(&self) -> Vec<String> {
        self.reasons.iter().map(ToString::to_string).collect()
    }
}

/// A CAMERA dimension a coverage rule applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Covers {
    /// Every assessor.
    Assessor,
    /// Every unit (standard at a version).
    Unit,
    /// Every assessment method.
    Method,
    /// Every assessment site.
    Site,
}

impl Covers {
    /// Every dimension, in the order coverage picks are made.
    pub const ALL: [Covers; 4] = [Covers::Assessor, Covers::Unit, Covers::Method, Covers::Site];

    /// The word used in reasons.
    pub fn as_str(self) -> &'static str {
        match self {
            Covers::Assessor => "assessor",
            Covers::Unit => "unit",
            Covers::Method => "method",
            Covers::Site => "site",
        }
    }
}

/// Why an enrolment was picked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Reason {
    /// It is the plan's first sample of this value.
    Coverage {
        /// The dimension.
        dimension: Covers,
        /// The value it covers.
        value: String,
    },
    /// Drawn so that the plan samples at least `minimum` different candidates.
    Candidates {
        /// The minimum for this plan: 3, or every candidate if fewer.
        minimum: usize,
    },
    /// Drawn to meet the assessor's sampling rate.
    Rate {
        /// The assessor.
        assessor_id: String,
        /// The rating applied.
        risk: RiskRating,
        /// Whether the plan rates this assessor (otherwise sampled as new).
        rated: bool,
        /// The rate, in percent.
        percent: u32,
        /// How many of the assessor's eligible enrolments the rate requires.
        required: usize,
        /// The assessor's eligible enrolments.
        pool: usize,
    },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Coverage { dimension, value } => {
                write!(f, "coverage: {} {value}", dimension.as_str())
            }
            Reason::Candidates { minimum } => {
                write!(f, "random draw: at least {minimum} candidates")
            }
            Reason::Rate {
                assessor_id,
                risk,
                rated,
                percent,
                required,
                pool,
            } => {
                let unrated = if *rated { "" } else { ", not rated" };
                write!(
                    f,
                    "rate: assessor {assessor_id} at {risk} risk{unrated} {percent}% \
                     ({required} of {pool})"
                )
            }
        }
    }
}

/// One enrolment of the pool that is not sampled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Excluded {
    /// The enrolment.
    pub enrolment_id: String,
    /// Why.
    pub reason: Exclusion,
}

/// Why an enrolment cannot be sampled in this draw.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum Exclusion {
    /// The IV is its assessor: an IV cannot verify their own decisions.
    OwnAssessment,
    /// The IV made its unit decision.
    OwnDecision,
    /// The IV is the candidate.
    OwnPortfolio,
    /// No assessor is assigned, so there is no assessment practice to verify.
    NoAssessor,
    /// It was already sampled with this kind in the plan's period.
    AlreadySampled {
        /// The kind of the earlier sample.
        kind: SamplingKind,
    },
    /// Its status is not one this kind of sample draws from.
    WrongStage {
        /// Its status.
        status: String,
        /// The kind of this draw.
        kind: SamplingKind,
    },
    /// The pool lists the same enrolment id again; the entry that sorts first counts.
    Duplicate,
}

impl fmt::Display for Exclusion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Exclusion::OwnAssessment => f.write_str(
                "the internal verifier is its assessor: an IV cannot verify their own decisions",
            ),
            Exclusion::OwnDecision => f.write_str(
                "the internal verifier made its decision: an IV cannot verify their own decisions",
            ),
            Exclusion::OwnPortfolio => f.write_str("the internal verifier is its candidate"),
            Exclusion::NoAssessor => {
                f.write_str("no assessor is assigned yet, so there is no decision to verify")
            }
            Exclusion::AlreadySampled { kind } => {
                write!(f, "already sampled ({kind}) in this plan's period")
            }
            Exclusion::WrongStage { status, kind } => write!(
                f,
                "its status is {status}; {kind} samples draw from {}",
                kind.statuses().join(" or ")
            ),
            Exclusion::Duplicate => f.write_str("listed more than once in the pool"),
        }
    }
}

/// Draws the sample: the same plan and pool (in any order) always give the same selection.
///
/// Every assessor, unit, method and site present among the eligible enrolments ends up covered
/// by the plan (samples taken or selected), at least 3 different candidates are sampled over the
/// plan (every one, if fewer are available), and each assessor has at least ⌈rate × their eligible
/// enrolments⌉ selected. Enrolments the IV assessed, decided or is the candidate of are never
/// selected.
pub fn select(plan: &PlanInput, pool: &[Candidate]) -> Selection {
    let mut sorted: Vec<&Candidate> = pool.iter().collect();
    sorted.sort();
    let (mut draw, excluded) = pool::partition(plan, &sorted);
    draw::shuffle(&mut draw, plan.seed);
    let picks = pick::pick(plan, &draw);
    let picked: Vec<&Candidate> = picks.iter().map(|(rank, _)| draw[*rank]).collect();
    let own: Vec<&Candidate> = sorted
        .iter()
        .copied()
        .filter(|c| {
            excluded.iter().any(|e| {
                e.enrolment_id == c.enrolment_id
                    && matches!(
                        e.reason,
                        Exclusion::OwnAssessment | Exclusion::OwnDecision | Exclusion::OwnPortfolio
                    )
            })
        })
        .collect();
    let coverage = coverage::report(&sorted, &plan.taken, &draw, &own, &picked);
    let mut selected: Vec<Selected> = picks
        .into_iter()
        .map(|(rank, reasons)| Selected {
            enrolment_id: draw[rank].enrolment_id.clone(),
            candidate_id: draw[rank].candidate_id.clone(),
            assessor_id: draw[rank].assessor_id.clone(),
            draw_rank: rank,
            reasons,
        })
        .collect();
    selected.sort_by(|a, b| a.enrolment_id.cmp(&b.enrolment_id));
    Selection {
        selected,
        excluded,
        draw: draw.iter().map(|c| c.enrolment_id.clone()).collect(),
        coverage,
    }
}
