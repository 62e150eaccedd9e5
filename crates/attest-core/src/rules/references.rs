//! Strict checks of a portfolio's references against its standard, with document paths
//! (`evidence[2].criteria[0].criterion`), for tools that must reject bad input rather than report on it.
//!
//! The engine itself never fails: what these checks find, it sets aside with a reason. Undeclared values
//! of declared attributes are not listed here: the issue asks the report to say why such evidence does
//! not count.

use std::collections::HashSet;

use crate::standards::{Openness, Standard};

use super::facts::OTHER_ITEM;
use super::portfolio::Portfolio;

/// One bad reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where, as a document path (`evidence[0].criteria[1].range.greeting_requirements[2]`).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// Every reference in `portfolio` that `standard` does not have, in document order.
pub fn check(standard: &Standard, portfolio: &Portfolio) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut problem = |path: String, message: String| problems.push(Problem { path, message });
    if !standard.answers_to(&portfolio.standard.code)
        || standard.version != portfolio.standard.version
    {
        problem(
            "standard".to_owned(),
            format!(
                "the portfolio is for {} version {}, but the standard is {} version {}",
                portfolio.standard.code,
                portfolio.standard.version,
                standard.code,
                standard.version
            ),
        );
    }
    let ids: HashSet<&str> = portfolio.evidence.iter().map(|e| e.id.as_str()).collect();
    let mut seen = HashSet::new();
    for (e, evidence) in portfolio.evidence.iter().enumerate() {
        let at = format!("evidence[{e}]");
        if !seen.insert(evidence.id.as_str()) {
            problem(
                format!("{at}.id"),
                format!(
                    "another piece of evidence already has the id `{}`",
                    evidence.id
                ),
            );
        }
        for key in evidence.attributes.keys() {
            if standard.attribute(key).is_none() {
                let declared: Vec<&str> =
                    standard.attributes.iter().map(|a| a.id.as_str()).collect();
                problem(
                    format!("{at}.attributes.{key}"),
                    format!(
                        "the standard has no attribute `{key}` (it has: {})",
                        declared.join(", ")
                    ),
                );
            }
        }
        for (m, mapping) in evidence.criteria.iter().enumerate() {
            let at = format!("{at}.criteria[{m}]");
            if standard.criterion(&mapping.criterion).is_none() {
                problem(
                    format!("{at}.criterion"),
                    format!("the standard has no criterion `{}`", mapping.criterion),
                );
            }
            for (list_id, items) in &mapping.range {
                let Some(list) = standard.range_list(list_id) else {
                    problem(
                        format!("{at}.range.{list_id}"),
                        format!("the standard has no range list `{list_id}`"),
                    );
                    continue;
                };
                for (n, item) in items.iter().enumerate() {
                    let named = list.items.iter().any(|i| &i.id == item);
                    let other = item.starts_with(OTHER_ITEM);
                    let message = match (named, other, list.openness) {
                        (true, _, _) | (false, true, Openness::Open) => continue,
                        (false, true, Openness::Closed) => {
                            format!("`{list_id}` is a closed list: only its own items can be shown")
                        }
                        (false, false, _) => format!(
                            "`{item}` is not an item of `{list_id}` (write `other: …` for an item an open list does not name)"
                        ),
                    };
                    problem(format!("{at}.range.{list_id}[{n}]"), message);
                }
            }
        }
        for (k, mapping) in evidence.knowledge.iter().enumerate() {
            if standard.knowledge_item(&mapping.item).is_none() {
                problem(
                    format!("{at}.knowledge[{k}].item"),
                    format!("the standard has no knowledge item `{}`", mapping.item),
                );
            }
        }
        for (l, link) in evidence.links.iter().enumerate() {
            if !ids.contains(link.to.as_str()) || link.to == evidence.id {
                problem(
                    format!("{at}.links[{l}].to"),
                    format!("`{}` is not the id of another piece of evidence", link.to),
                );
            }
        }
    }
    for (n, record) in portfolio.not_applicable.iter().enumerate() {
        let conditional = standard.criterion(&record.criterion).map(|c| {
            c.condition.is_some()
                || standard.rules.iter().any(|rule| {
                    rule.checks.iter().chain(rule.interpretations.iter().flat_map(|i| &i.checks)).any(
                        |check| {
                            matches!(check, crate::standards::Check::Conditional(c) if c.criteria.contains(&record.criterion))
                        },
                    )
                })
        });
        let message = match conditional {
            None => format!("the standard has no criterion `{}`", record.criterion),
            Some(false) => format!(
                "criterion {} is not conditional, so it cannot be recorded as not applicable",
                record.criterion
            ),
            Some(true) => continue,
        };
        problem(format!("not_applicable[{n}].criterion"), message);
    }
    for (n, confirmation) in portfolio.confirmations.iter().enumerate() {
        if standard.rule(&confirmation.rule).is_none() {
            problem(
                format!("confirmations[{n}].rule"),
                format!("the standard has no rule `{}`", confirmation.rule),
            );
        }
    }
    problems
}
