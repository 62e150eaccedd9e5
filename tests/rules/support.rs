//! Loading the seed standards and example portfolios, and small helpers for editing portfolios.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use attest::rules::portfolio::{CriterionMapping, Evidence, Judgement};
use attest::rules::{Interpretations, Portfolio, Report, Status, View, evaluate};
use attest::standards::{Standard, load_file};

/// The seed standards, by file stem, with their example portfolios.
pub const SEEDS: [&str; 5] = [
    "nzqa-28268-v2",
    "sqa-dn8j-11",
    "svq-h12h-04",
    "nos-inscc003",
    "nos-inscc007",
];

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn standard_path(stem: &str) -> PathBuf {
    root().join("standards").join(format!("{stem}.yaml"))
}

/// The example portfolio for a standard: `complete` or `incomplete`.
pub fn portfolio_path(stem: &str, which: &str) -> PathBuf {
    let name = stem.trim_end_matches("-v2");
    root()
        .join("examples/portfolios")
        .join(format!("{name}-{which}.yaml"))
}

pub fn standard(stem: &str) -> Standard {
    load_file(&standard_path(stem))
        .unwrap_or_else(|e| panic!("{stem} loads: {e}"))
        .standard
}

pub fn portfolio(path: &Path) -> Portfolio {
    let text = std::fs::read_to_string(path).expect("example portfolio readable");
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn complete(stem: &str) -> Portfolio {
    portfolio(&portfolio_path(stem, "complete"))
}

pub fn confirmed<'a>(standard: &'a Standard, portfolio: &'a Portfolio) -> Report<'a> {
    evaluate(
        standard,
        portfolio,
        View::Confirmed,
        &Interpretations::new(),
    )
}

/// The gaps' messages, in order.
pub fn gaps(report: &Report) -> Vec<String> {
    report.gaps.iter().map(|g| g.message.clone()).collect()
}

pub fn evidence<'a>(portfolio: &'a mut Portfolio, id: &str) -> &'a mut Evidence {
    portfolio
        .evidence
        .iter_mut()
        .find(|e| e.id == id)
        .unwrap_or_else(|| panic!("no evidence {id}"))
}

pub fn mapping<'a>(
    portfolio: &'a mut Portfolio,
    id: &str,
    criterion: &str,
) -> &'a mut CriterionMapping {
    evidence(portfolio, id)
        .criteria
        .iter_mut()
        .find(|m| m.criterion == criterion)
        .unwrap_or_else(|| panic!("{id} has no mapping to {criterion}"))
}

pub fn remove_evidence(portfolio: &mut Portfolio, id: &str) {
    let before = portfolio.evidence.len();
    portfolio.evidence.retain(|e| e.id != id);
    assert_eq!(portfolio.evidence.len() + 1, before, "no evidence {id}");
}

pub fn judge_all(evidence: &mut Evidence, judgement: Judgement) {
    evidence
        .criteria
        .iter_mut()
        .for_each(|m| m.judgement = judgement);
    evidence
        .knowledge
        .iter_mut()
        .for_each(|m| m.judgement = judgement);
}

/// Keys of every requirement the report shows as met: criteria, knowledge items, outcomes, binding
/// rule checks and completeness.
pub fn met(report: &Report) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    if report.complete {
        keys.insert("complete".to_owned());
    }
    let rules = report
        .unit_rules
        .iter()
        .chain(report.outcomes.iter().flat_map(|o| &o.rules));
    // Checks that are requirements whatever the interpretation (channels can be a constraint).
    const REQUIREMENTS: [&str; 6] = [
        "min_instances",
        "min_distinct_values",
        "coverage",
        "methods",
        "assessor_confirms",
        "together",
    ];
    for rule in rules.filter(|r| r.role == attest::rules::report::RuleRole::Requirement) {
        for (n, check) in rule.checks.iter().enumerate() {
            if REQUIREMENTS.contains(&check.kind) && check.status == Status::Met {
                keys.insert(format!("rule {} check {n}", rule.id));
            }
        }
    }
    for outcome in &report.outcomes {
        if outcome.status == Status::Met {
            keys.insert(format!("outcome {}", outcome.id));
        }
        for criterion in &outcome.criteria {
            if criterion.status == Status::Met {
                keys.insert(format!("criterion {}", criterion.id));
            }
        }
    }
    for item in &report.knowledge {
        if item.status == Status::Met {
            keys.insert(format!("knowledge {}", item.id));
        }
    }
    keys
}
