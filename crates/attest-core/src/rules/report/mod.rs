//! What the engine says about a portfolio: status of every requirement, the evidence behind it, and the
//! gaps in plain words.
//!
//! The JSON form is stable: field order is declaration order, lists are in the standard's order (outcomes,
//! criteria, rules) or the portfolio's order (evidence), and nothing depends on hashing.
//!
//! A report borrows its ids and texts from the standard and the portfolio it was made from (`'a`): a
//! report is made for every change to a portfolio, and copying every id into it would cost more than
//! the evaluation. Serialize it (JSON) to keep it beyond them.
mod evidence;
mod gap;
mod requirements;
mod shared_text;
mod status;

pub use evidence::{InstanceReport, MappingReport, Reason, ReasonCode};
pub use gap::{Gap, GapKind};
pub use requirements::{
    CheckReport, InterpretationReport, ItemReport, OutcomeReport, RuleReport, RuleRole,
};
pub use shared_text::SharedText;
pub use status::{Progress, Status, View};

use serde::Serialize;

/// The result of evaluating a portfolio against its standard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report<'a> {
    /// The standard evaluated against.
    pub standard: StandardSummary<'a>,
    /// The candidate named in the portfolio.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidate: Option<&'a str>,
    /// Which mappings counted.
    pub view: View,
    /// Whether the unit is complete: every requirement met, in the confirmed view.
    pub complete: bool,
    /// Overall status.
    pub status: Status,
    /// Requirements met over all outcomes, the knowledge and the unit-wide rules.
    pub progress: Progress,
    /// Rules that apply to the whole unit (setting, knowledge coverage, …).
    pub unit_rules: Vec<RuleReport<'a>>,
    /// Outcomes (or groups of criteria) in the standard's order.
    pub outcomes: Vec<OutcomeReport<'a>>,
    /// Knowledge items in the standard's order.
    pub knowledge: Vec<ItemReport<'a>>,
    /// Every evidence instance in the portfolio's order: what it shows and what does not count.
    pub evidence: Vec<InstanceReport<'a>>,
    /// Records outside the evidence that do not count (a not-applicable claim for a criterion that is
    /// not conditional, a confirmation of a rule the standard does not have).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_counted: Vec<Reason<'a>>,
    /// What is still missing, most useful first.
    pub gaps: Vec<Gap<'a>>,
}

/// Which standard a report is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StandardSummary<'a> {
    /// The awarding framework, e.g. `NZQA`.
    pub framework: &'a str,
    /// The standard's code.
    pub code: &'a str,
    /// The standard's version.
    pub version: u32,
    /// The standard's title.
    pub title: &'a str,
}
