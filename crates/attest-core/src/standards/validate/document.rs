//! The validator's passes over the document: metadata, the outcome and criterion structure,
//! attributes, and each rule (interpretations, scope, provenance).

use std::collections::HashSet;

use super::{Kind, Validator, id_syntax_problem, lists_with_paths};
use crate::standards::access::normalise_code;
use crate::standards::model::{AttributeKind, Openness};
use crate::standards::rule::{Confidence, Provenance, Rule, Scope};

impl<'a> Validator<'a> {
    pub(super) fn metadata(&mut self) {
        let s = self.standard;
        for (field, value) in [
            ("framework", &s.framework),
            ("code", &s.code),
            ("title", &s.title),
        ] {
            if value.trim().is_empty() {
                self.issue(field, "must not be empty");
            }
        }
        if s.version == 0 {
            self.issue("version", "versions count from 1");
        }
        for (a, alias) in s.aliases.iter().enumerate() {
            if normalise_code(alias) == normalise_code(&s.code) {
                self.issue(
                    format!("aliases[{a}]"),
                    "an alias must differ from the code",
                );
            }
        }
        if let Some(credits) = &s.credits
            && (credits.value.is_nan() || credits.value <= 0.0)
        {
            self.issue("credits.value", "credits must be more than 0");
        }
        let dates = [
            ("registered", &s.dates.registered),
            ("published", &s.dates.published),
            ("approved", &s.dates.approved),
            ("planned_review", &s.dates.planned_review),
            ("last_date_for_enrolment", &s.dates.last_date_for_enrolment),
            (
                "last_date_for_assessment",
                &s.dates.last_date_for_assessment,
            ),
        ];
        for (field, date) in dates {
            if let Some(date) = date
                && date.earliest().is_none()
            {
                let reason = format!("`{}` is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", date.0);
                self.issue(format!("dates.{field}"), reason);
            }
        }
        if let (Some(enrol), Some(assess)) = (
            s.dates
                .last_date_for_enrolment
                .as_ref()
                .and_then(|d| d.earliest()),
            s.dates
                .last_date_for_assessment
                .as_ref()
                .and_then(|d| d.latest()),
        ) && enrol > assess
        {
            self.issue(
                "dates.last_date_for_enrolment",
                "the last date for enrolment is after the last date for assessment",
            );
        }
    }

    pub(super) fn structure(&mut self) {
        let s = self.standard;
        if s.outcomes.is_empty() {
            self.issue("outcomes", "a standard needs at least one outcome");
        }
        for (o, outcome) in s.outcomes.iter().enumerate() {
            if outcome.criteria.is_empty() {
                let reason = "an outcome needs at least one criterion";
                self.issue(format!("outcomes[{o}].criteria"), reason);
            }
        }
        for (path, list) in lists_with_paths(s) {
            if list.items.is_empty() {
                self.issue(
                    format!("{path}.items"),
                    "a range list needs at least one item",
                );
            }
        }
        for (g, section) in s.guidance.iter().enumerate() {
            if let Some(outcome) = &section.outcome {
                self.resolve(&format!("guidance[{g}].outcome"), outcome, Kind::Outcome);
            }
        }
    }

    pub(super) fn attributes(&mut self) {
        for (a, attribute) in self.standard.attributes.iter().enumerate() {
            let path = format!("attributes[{a}]");
            let mut seen = HashSet::new();
            for (v, value) in attribute.values.iter().enumerate() {
                let value_path = format!("{path}.values[{v}]");
                if let Some(reason) = id_syntax_problem(&value.id) {
                    self.issue(format!("{value_path}.id"), reason);
                } else if !seen.insert(value.id.as_str()) {
                    let reason = format!("duplicate value `{}` in this attribute", value.id);
                    self.issue(format!("{value_path}.id"), reason);
                }
                if let Some(definition) = &value.definition {
                    let def_path = format!("{value_path}.definition");
                    self.resolve(&def_path, definition, Kind::Definition);
                }
            }
            if let Some(list) = &attribute.values_from {
                self.resolve(&format!("{path}.values_from"), list, Kind::RangeList);
            }
            let has_values = !attribute.values.is_empty() || attribute.values_from.is_some();
            match attribute.kind {
                AttributeKind::Flag | AttributeKind::Text if has_values => {
                    let reason = "only `choice` and `choices` attributes declare values";
                    self.issue(format!("{path}.values"), reason);
                }
                AttributeKind::Choice | AttributeKind::Choices
                    if !has_values && attribute.openness == Openness::Closed =>
                {
                    let reason = "a closed attribute needs declared values";
                    self.issue(format!("{path}.values"), reason);
                }
                _ => {}
            }
        }
    }

    // ---- rules -------------------------------------------------------------------------------

    pub(super) fn rule(&mut self, path: &str, rule: &'a Rule) {
        self.scope(&format!("{path}.scope"), &rule.scope);
        self.provenance(&format!("{path}.source"), &rule.source);
        let ambiguous = rule.source.confidence == Confidence::Ambiguous;
        match (rule.checks.is_empty(), rule.interpretations.is_empty()) {
            (true, true) => self.issue(
                format!("{path}.checks"),
                "a rule needs checks, or interpretations when its source is ambiguous",
            ),
            (false, false) => self.issue(
                format!("{path}.interpretations"),
                "a rule has either checks or interpretations, not both",
            ),
            _ => {}
        }
        for (c, check) in rule.checks.iter().enumerate() {
            self.check(&format!("{path}.checks[{c}]"), check);
        }
        if rule.interpretations.is_empty() {
            if ambiguous {
                let reason = "an ambiguous rule lists its interpretations";
                self.issue(format!("{path}.source.confidence"), reason);
            }
            if rule.default_interpretation.is_some() {
                let reason = "only a rule with interpretations has a default";
                self.issue(format!("{path}.default_interpretation"), reason);
            }
            return;
        }
        self.interpretations(path, rule, ambiguous);
    }

    pub(super) fn interpretations(&mut self, path: &str, rule: &'a Rule, ambiguous: bool) {
        if !ambiguous {
            let reason = "a rule with interpretations has confidence `ambiguous`";
            self.issue(format!("{path}.source.confidence"), reason);
        }
        if rule.interpretations.len() < 2 {
            let reason = "an ambiguous rule needs at least two interpretations";
            self.issue(format!("{path}.interpretations"), reason);
        }
        let mut seen = HashSet::new();
        for (i, interpretation) in rule.interpretations.iter().enumerate() {
            let ipath = format!("{path}.interpretations[{i}]");
            if let Some(reason) = id_syntax_problem(&interpretation.id) {
                self.issue(format!("{ipath}.id"), reason);
            } else if !seen.insert(interpretation.id.as_str()) {
                let reason = format!("duplicate interpretation `{}`", interpretation.id);
                self.issue(format!("{ipath}.id"), reason);
            }
            if interpretation.checks.is_empty() {
                self.issue(format!("{ipath}.checks"), "an interpretation needs checks");
            }
            for (c, check) in interpretation.checks.iter().enumerate() {
                self.check(&format!("{ipath}.checks[{c}]"), check);
            }
        }
        match &rule.default_interpretation {
            None => self.issue(
                format!("{path}.default_interpretation"),
                "an ambiguous rule names the interpretation taken by default",
            ),
            Some(default) if !seen.contains(default.as_str()) => {
                let reason = format!("no interpretation `{default}` in this rule");
                self.issue(format!("{path}.default_interpretation"), reason);
            }
            Some(_) => {}
        }
    }

    pub(super) fn scope(&mut self, path: &str, scope: &Scope) {
        self.resolve_all(&format!("{path}.outcomes"), &scope.outcomes, Kind::Outcome);
        self.resolve_all(
            &format!("{path}.criteria"),
            &scope.criteria,
            Kind::Criterion,
        );
        self.resolve_all(
            &format!("{path}.knowledge"),
            &scope.knowledge,
            Kind::Knowledge,
        );
    }

    pub(super) fn provenance(&mut self, path: &str, source: &Provenance) {
        if source.verbatim.trim().is_empty() {
            self.issue(format!("{path}.verbatim"), "must quote the source");
        }
        if source.locator.trim().is_empty() {
            self.issue(format!("{path}.locator"), "must say where the words are");
        }
    }
}
