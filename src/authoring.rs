//! Checking and previewing a standard someone is writing: the strict loader's problems by line
//! and column, and, when it loads, its outline, the observation checklist generated from it and
//! the plain-words gap list the engine gives for an empty portfolio. Pure: text in, view out.

pub mod actions;

use std::path::Path;

use serde::Serialize;

use crate::rules::{self, Interpretations, Portfolio, View};
use crate::standards::{self, Standard};

/// One loader problem.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema, PartialEq, Eq)]
pub struct AuthoringProblem {
    /// Line, from 1 (absent for the file as a whole).
    pub line: Option<usize>,
    /// Column, from 1.
    pub column: Option<usize>,
    /// The document path, e.g. `outcomes[0].criteria[2].rnage`.
    pub path: String,
    /// What is wrong.
    pub reason: String,
}

/// One outcome of the observation checklist: what the assessor ticks while observing.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChecklistOutcome {
    /// The outcome id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Each criterion, as "ID text", with the range items the assessor notes under it.
    pub criteria: Vec<ChecklistCriterion>,
}

/// One line of the checklist.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChecklistCriterion {
    /// The criterion id.
    pub id: String,
    /// The criterion, verbatim.
    pub text: String,
    /// Range items shown under it (list name: items).
    pub range: Vec<String>,
}

/// What the authoring page and `POST /api/standards/preview` show.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Preview {
    /// Whether the text loads with no problem.
    pub ok: bool,
    /// The loader's problems, in file order.
    pub problems: Vec<AuthoringProblem>,
    /// The standard's code and version, when it loads.
    pub code: Option<String>,
    /// The version.
    pub version: Option<u32>,
    /// The outline (`attest standards show`), when it loads.
    pub outline: Option<String>,
    /// The generated observation checklist, when it loads.
    pub checklist: Vec<ChecklistOutcome>,
    /// The gaps the engine reports for a portfolio with no evidence, most useful first.
    pub empty_portfolio_gaps: Vec<String>,
    /// SHA-256 of the text.
    pub content_hash: Option<String>,
}

/// Checks `text` as a standard file named `name` and previews it.
pub fn preview(name: &str, text: &str) -> Preview {
    match standards::load_bytes(Path::new(name), text.as_bytes()) {
        Err(errors) => Preview {
            ok: false,
            problems: errors
                .into_iter()
                .map(|e| AuthoringProblem {
                    line: e.position.map(|p| p.line),
                    column: e.position.map(|p| p.column),
                    path: e.path,
                    reason: e.reason,
                })
                .collect(),
            code: None,
            version: None,
            outline: None,
            checklist: Vec::new(),
            empty_portfolio_gaps: Vec::new(),
            content_hash: None,
        },
        Ok(loaded) => {
            let standard = &loaded.standard;
            Preview {
                ok: true,
                problems: Vec::new(),
                code: Some(standard.code.clone()),
                version: Some(standard.version),
                outline: Some(standards::outline(standard)),
                checklist: checklist(standard),
                empty_portfolio_gaps: empty_gaps(standard),
                content_hash: Some(loaded.content_hash.clone()),
            }
        }
    }
}

fn checklist(standard: &Standard) -> Vec<ChecklistOutcome> {
    standard
        .outcomes
        .iter()
        .map(|outcome| ChecklistOutcome {
            id: outcome.id.clone(),
            title: outcome.title.clone(),
            criteria: outcome
                .criteria
                .iter()
                .map(|criterion| ChecklistCriterion {
                    id: criterion.id.clone(),
                    text: criterion.text.clone(),
                    range: criterion
                        .range
                        .iter()
                        .map(|list| {
                            let items: Vec<&str> =
                                list.items.iter().map(|i| i.text.as_str()).collect();
                            format!(
                                "{}: {}",
                                list.name.as_deref().unwrap_or(&list.id),
                                items.join("; ")
                            )
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect()
}

fn empty_gaps(standard: &Standard) -> Vec<String> {
    let portfolio: Option<Portfolio> = serde_json::from_value(serde_json::json!({
        "standard": {"code": standard.code, "version": standard.version},
    }))
    .ok();
    let Some(portfolio) = portfolio else {
        return Vec::new();
    };
    let report = rules::evaluate(
        standard,
        &portfolio,
        View::Confirmed,
        &Interpretations::default(),
    );
    report.gaps.iter().map(|g| g.message.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_file_gives_its_problems_by_line_and_column() {
        let preview = preview(
            "x.yaml",
            "framework: NOS\ncode: X\nversion: 1\ntitle: T\noutcomes:\n  - id: G1\n    title: A\n    criteria:\n      - id: '1'\n        txt: a\n",
        );
        assert!(!preview.ok);
        assert_eq!(preview.problems[0].line, Some(10), "{:?}", preview.problems);
        assert!(preview.problems[0].reason.contains("unknown field `txt`"));
    }
}
