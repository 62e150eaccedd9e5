//! A provider's choice among the readings of ambiguous rules, and the rule that results.
//!
//! The standard names a default interpretation for each ambiguous rule; a training provider may
//! choose another in its own settings (rule id → interpretation id) without editing the standard.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::model::Standard;
use super::rule::{Check, Interpretation, Rule};

/// Chosen interpretations for one standard: rule id → interpretation id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct Interpretations(pub BTreeMap<String, String>);

/// A provider's choice that does not fit the standard.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InterpretationError {
    /// The standard has no rule with that id.
    #[error("rule `{rule}`: no such rule in this standard")]
    UnknownRule {
        /// The rule id chosen for.
        rule: String,
    },
    /// The rule is not ambiguous, so there is nothing to choose.
    #[error("rule `{rule}`: has no interpretations to choose from")]
    NotAmbiguous {
        /// The rule id chosen for.
        rule: String,
    },
    /// The rule has no interpretation with that id.
    #[error("rule `{rule}`: no interpretation `{chosen}` (expected one of: {expected})")]
    UnknownInterpretation {
        /// The rule id chosen for.
        rule: String,
        /// The interpretation id chosen.
        chosen: String,
        /// The interpretation ids the rule has, comma-separated.
        expected: String,
    },
}

/// A rule as it applies for one provider: the checks of the unambiguous rule, or those of the
/// chosen (or default) interpretation.
#[derive(Clone, Debug, PartialEq)]
pub struct EffectiveRule<'a> {
    /// The rule, with its scope and provenance.
    pub rule: &'a Rule,
    /// The checks to evaluate.
    pub checks: &'a [Check],
    /// The interpretation in force, for an ambiguous rule.
    pub interpretation: Option<&'a Interpretation>,
    /// Whether the provider chose an interpretation other than the default.
    pub overridden: bool,
}

impl Interpretations {
    /// No choices: every ambiguous rule takes its default.
    pub fn new() -> Self {
        Self::default()
    }

    /// Chooses `interpretation` for `rule`.
    pub fn choose(&mut self, rule: impl Into<String>, interpretation: impl Into<String>) {
        self.0.insert(rule.into(), interpretation.into());
    }

    /// The interpretation chosen for `rule`, if any.
    pub fn get(&self, rule: &str) -> Option<&str> {
        self.0.get(rule).map(String::as_str)
    }

    /// Checks every choice against the standard: the rule exists, is ambiguous and has the
    /// interpretation chosen.
    pub fn validate(&self, standard: &Standard) -> Result<(), InterpretationError> {
        for rule_id in self.0.keys() {
            let rule = standard
                .rules
                .iter()
                .find(|rule| &rule.id == rule_id)
                .ok_or_else(|| InterpretationError::UnknownRule {
                    rule: rule_id.clone(),
                })?;
            effective_rule(rule, self)?;
        }
        Ok(())
    }
}

/// The rule as it applies under `chosen`.
pub fn effective_rule<'a>(
    rule: &'a Rule,
    chosen: &Interpretations,
) -> Result<EffectiveRule<'a>, InterpretationError> {
    let choice = chosen.get(&rule.id);
    if rule.interpretations.is_empty() {
        return match choice {
            Some(_) => Err(InterpretationError::NotAmbiguous {
                rule: rule.id.clone(),
            }),
            None => Ok(EffectiveRule {
                rule,
                checks: &rule.checks,
                interpretation: None,
                overridden: false,
            }),
        };
    }
    // The loader guarantees a valid default; fall back to the first reading for hand-built values.
    let default = rule.default_interpretation.as_deref();
    let wanted = choice.or(default);
    let interpretation = match wanted {
        Some(id) => rule.interpretations.iter().find(|i| i.id == id),
        None => rule.interpretations.first(),
    };
    let Some(interpretation) = interpretation else {
        return Err(InterpretationError::UnknownInterpretation {
            rule: rule.id.clone(),
            chosen: wanted.unwrap_or_default().to_owned(),
            expected: rule
                .interpretations
                .iter()
                .map(|i| i.id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        });
    };
    Ok(EffectiveRule {
        rule,
        checks: &interpretation.checks,
        interpretation: Some(interpretation),
        overridden: choice.is_some() && choice != default,
    })
}

/// Every rule of the standard as it applies under `chosen`, in document order.
pub fn effective_rules<'a>(
    standard: &'a Standard,
    chosen: &Interpretations,
) -> Result<Vec<EffectiveRule<'a>>, InterpretationError> {
    chosen.validate(standard)?;
    standard
        .rules
        .iter()
        .map(|rule| effective_rule(rule, chosen))
        .collect()
}
