//! The plan's words: shared slices of the compiled texts, and outcome and scope names for
//! sentences.

use std::sync::Arc;

use super::{Plan, RulePlan};
use crate::rules::report::SharedText;
use crate::rules::words;

impl Plan<'_> {
    /// The text at `range` of the plan's texts, shared.
    pub fn text(&self, (start, end): (usize, usize)) -> SharedText {
        SharedText::new(Arc::clone(&self.texts), start, end)
    }

    /// The text at `range` of the plan's texts.
    pub fn text_str(&self, (start, end): (usize, usize)) -> &str {
        self.texts.get(start..end).unwrap_or_default()
    }

    /// The outcome's name for sentences: its label ("Outcome 1"), else its title in quotes.
    pub fn outcome_name(&self, outcome: usize) -> String {
        let outcome = &self.standard.outcomes[outcome];
        match &outcome.label {
            Some(label) => label.clone(),
            None => format!("“{}”", outcome.title.trim_end_matches('.')),
        }
    }

    /// A scope's name for the start of a sentence ("Outcome 1", "Criterion 2.2", "The unit").
    pub fn scope_name(&self, rule: &RulePlan) -> String {
        let scope = &rule.rule.scope;
        if scope.is_unit() {
            return "The unit".to_owned();
        }
        let mut parts = Vec::new();
        for id in &scope.outcomes {
            if let Some(o) = self.standard.outcomes.iter().position(|o| &o.id == id) {
                parts.push(self.outcome_name(o));
            }
        }
        if !scope.criteria.is_empty() {
            let noun = if scope.criteria.len() == 1 {
                "Criterion"
            } else {
                "Criteria"
            };
            parts.push(format!(
                "{noun} {}",
                words::join(&scope.criteria, words::AND)
            ));
        }
        if !scope.knowledge.is_empty() {
            let noun = if scope.knowledge.len() == 1 {
                "Knowledge item"
            } else {
                "Knowledge items"
            };
            parts.push(format!(
                "{noun} {}",
                words::join(&scope.knowledge, words::AND)
            ));
        }
        words::capitalise(&words::join(&parts, words::AND))
    }
}
