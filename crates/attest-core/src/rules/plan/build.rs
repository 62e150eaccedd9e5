//! Compiling a standard into a [`Plan`]: indexing its structure and attributes, compiling its
//! rules, linking binding exclusions to the counted checks they cut, and the standard-wide lists
//! (counted fields, range lists) the plan keeps.

use std::sync::{Arc, LazyLock};

use crate::standards::{
    Attribute, AttributeKind, AttributeValue, Binding, Channel, Check, EvidenceField,
    Interpretations, Openness, RangeList, Standard, effective_rule,
};

use super::groups::{build_groups, implies, scopes_overlap};
use super::{AttributePlan, CheckPlan, Compiled, CriterionPlan, Plan, RulePlan};
use crate::rules::bits::Bits;
use crate::rules::hash::IdMap;

impl<'s> Plan<'s> {
    /// Compiles `standard` with the provider's `interpretations` (an unusable choice falls back to the
    /// rule's default and is reported on the rule).
    pub fn new(standard: &'s Standard, interpretations: &Interpretations) -> Plan<'s> {
        let mut plan = Plan {
            standard,
            criteria: Vec::new(),
            outcome_criteria: Vec::new(),
            criterion_ids: IdMap::default(),
            knowledge_ids: IdMap::default(),
            lists: range_lists(standard),
            list_ids: IdMap::default(),
            attributes: Vec::new(),
            attribute_ids: IdMap::default(),
            fields: Vec::new(),
            rules: Vec::new(),
            rule_ids: IdMap::default(),
            check_base: Vec::new(),
            texts: Arc::from(""),
            groups: Vec::new(),
            knowledge_required: Bits::with_len(standard.knowledge.len()),
            may_be_not_applicable: Bits::default(),
        };
        plan.index_structure();
        plan.index_attributes();
        let mut texts = String::with_capacity(64 * standard.rules.len());
        plan.compile_rules(interpretations, &mut texts);
        plan.link_exclusions();
        plan.groups = build_groups(&plan);
        for g in 0..plan.groups.len() {
            let start = texts.len();
            let words = crate::rules::phrases::together(&plan, &plan.groups[g], &texts);
            texts.push_str(&words);
            plan.groups[g].requirement = (start, texts.len());
        }
        plan.texts = Arc::from(texts);
        plan.check_base = std::iter::once(0)
            .chain(plan.rules.iter().scan(0, |total, rule| {
                *total += rule.checks.len();
                Some(*total)
            }))
            .collect();
        plan
    }

    pub(super) fn index_structure(&mut self) {
        let standard = self.standard;
        self.criterion_ids
            .reserve(standard.outcomes.iter().map(|o| o.criteria.len()).sum());
        self.knowledge_ids.reserve(standard.knowledge.len());
        self.criteria
            .reserve(standard.outcomes.iter().map(|o| o.criteria.len()).sum());
        self.outcome_criteria.reserve(standard.outcomes.len());
        for (o, outcome) in standard.outcomes.iter().enumerate() {
            let first = self.criteria.len();
            for criterion in &outcome.criteria {
                self.criterion_ids
                    .insert(criterion.id.as_str(), self.criteria.len());
                self.criteria.push(CriterionPlan {
                    criterion,
                    outcome: o,
                    rules: Vec::new(),
                });
            }
            self.outcome_criteria.push(first..self.criteria.len());
        }
        for (k, item) in standard.knowledge.iter().enumerate() {
            self.knowledge_ids.insert(item.id.as_str(), k);
        }
        self.list_ids.reserve(self.lists.len());
        for (l, list) in self.lists.iter().enumerate() {
            self.list_ids.insert(list.id.as_str(), l);
        }
        self.may_be_not_applicable = Bits::with_len(self.criteria.len());
        for (c, plan) in self.criteria.iter().enumerate() {
            if plan.criterion.condition.is_some() {
                self.may_be_not_applicable.insert(c);
            }
        }
    }

    pub(super) fn index_attributes(&mut self) {
        let standard = self.standard;
        for (a, attribute) in standard.attributes.iter().enumerate() {
            self.attribute_ids.insert(attribute.id.as_str(), a);
            let listed = attribute
                .values_from
                .as_deref()
                .and_then(|id| self.list_ids.get(id))
                .map(|&l| self.lists[l]);
            let (values, labels) = attribute
                .values
                .iter()
                .map(|value| (value.id.as_str(), value.label.as_str()))
                .chain(
                    listed
                        .into_iter()
                        .flat_map(|list| &list.items)
                        .map(|item| (item.id.as_str(), item.text.as_str())),
                )
                .unzip();
            self.attributes.push(AttributePlan {
                attribute,
                values,
                labels,
            });
        }
        for field in counted_fields(standard) {
            let attribute = field_attribute(field);
            self.fields.push((field, self.attributes.len()));
            self.attributes.push(AttributePlan {
                attribute,
                values: attribute.values.iter().map(|v| v.id.as_str()).collect(),
                labels: attribute.values.iter().map(|v| v.label.as_str()).collect(),
            });
        }
    }

    /// Compiles the rules, writing their checks' words into `texts`.
    pub(super) fn compile_rules(&mut self, interpretations: &Interpretations, texts: &mut String) {
        let standard = self.standard;
        self.rule_ids.reserve(standard.rules.len());
        self.rules.reserve(standard.rules.len());
        for (r, rule) in standard.rules.iter().enumerate() {
            self.rule_ids.insert(rule.id.as_str(), r);
            let (effective, invalid_choice) = match effective_rule(rule, interpretations) {
                Ok(effective) => (Some(effective), None),
                Err(error) => (
                    effective_rule(rule, &Interpretations::new()).ok(),
                    Some(error.to_string()),
                ),
            };
            let scope = self.scope(&rule.scope);
            let checks = effective
                .as_ref()
                .map(|e| e.checks)
                .unwrap_or_default()
                .iter()
                .map(|check| {
                    let compiled = self.compile(check);
                    let start = texts.len();
                    crate::rules::phrases::write_requirement(texts, self, check, &compiled);
                    CheckPlan {
                        check,
                        compiled,
                        requirement: (start, texts.len()),
                    }
                })
                .collect();
            let binding = rule.source.binding == Binding::Binding;
            let placement = self.placement(&rule.scope);
            if rule.scope.outcomes.is_empty()
                && rule.scope.knowledge.is_empty()
                && !rule.scope.is_unit()
            {
                for &c in rule
                    .scope
                    .criteria
                    .iter()
                    .filter_map(|id| self.criterion_ids.get(id.as_str()))
                {
                    self.criteria[c].rules.push(r);
                }
            }
            let plan = RulePlan {
                rule,
                checks,
                interpretation: effective.as_ref().and_then(|e| e.interpretation),
                overridden: effective.as_ref().is_some_and(|e| e.overridden),
                invalid_choice,
                binding,
                scope,
                placement,
            };
            self.note_requirements(&plan);
            self.rules.push(plan);
        }
    }

    pub(super) fn note_requirements(&mut self, rule: &RulePlan) {
        for check in &rule.checks {
            match check.check {
                Check::Coverage(coverage) if rule.binding && coverage.knowledge => {
                    self.knowledge_required.union_with(&rule.scope.knowledge);
                }
                Check::Conditional(conditional) => {
                    for id in &conditional.criteria {
                        if let Some(&c) = self.criterion_ids.get(id.as_str()) {
                            self.may_be_not_applicable.insert(c);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// Attaches each binding exclusion to the counted checks whose filters select its subject and
    /// whose scope overlaps the exclusion's.
    pub(super) fn link_exclusions(&mut self) {
        let mut exclusions = Vec::new();
        for (r, rule) in self.rules.iter().enumerate() {
            for (c, check) in rule.checks.iter().enumerate() {
                if let (Compiled::Exclusion { subject, .. }, true) = (&check.compiled, rule.binding)
                {
                    exclusions.push((r, c, subject.clone(), rule.scope.clone()));
                }
            }
        }
        for rule in &mut self.rules {
            let scope = rule.scope.clone();
            for check in &mut rule.checks {
                let (Compiled::MinInstances {
                    filters,
                    exclusions: linked,
                    ..
                }
                | Compiled::MinDistinct {
                    filters,
                    exclusions: linked,
                    ..
                }) = &mut check.compiled
                else {
                    continue;
                };
                for (r, c, subject, exclusion_scope) in &exclusions {
                    if scopes_overlap(&scope, exclusion_scope) && implies(filters, subject) {
                        linked.push((*r, *c));
                    }
                }
            }
        }
    }
}

/// The evidence fields the standard's checks (in any reading) count distinct values of, once each.
pub(super) fn counted_fields(standard: &Standard) -> Vec<EvidenceField> {
    let mut fields = Vec::new();
    let checks = standard.rules.iter().flat_map(|rule| {
        rule.checks
            .iter()
            .chain(rule.interpretations.iter().flat_map(|i| &i.checks))
    });
    for check in checks {
        if let Check::MinDistinctValues(c) = check
            && c.attribute.is_none()
            && let Some(field) = c.field
            && !fields.contains(&field)
        {
            fields.push(field);
        }
    }
    fields
}

/// An evidence field described as an attribute, so that counting its values is counting an
/// attribute's: the channel vocabulary is closed, a site is free text.
pub(super) fn field_attribute(field: EvidenceField) -> &'static Attribute {
    static CHANNEL: LazyLock<Attribute> = LazyLock::new(|| Attribute {
        id: "channel".to_owned(),
        label: "Channel".to_owned(),
        description: None,
        kind: AttributeKind::Choices,
        openness: Openness::Closed,
        values: Channel::ALL
            .iter()
            .map(|c| AttributeValue {
                id: c.id().to_owned(),
                label: c.label().to_owned(),
                definition: None,
            })
            .collect(),
        values_from: None,
    });
    static SITE: LazyLock<Attribute> = LazyLock::new(|| Attribute {
        id: "site".to_owned(),
        label: "Site".to_owned(),
        description: None,
        kind: AttributeKind::Text,
        openness: Openness::Open,
        values: Vec::new(),
        values_from: None,
    });
    match field {
        EvidenceField::Channel => &CHANNEL,
        EvidenceField::Site => &SITE,
    }
}

/// Every range list of the standard (definitions, criteria, outcomes, the unit), in document order.
pub(super) fn range_lists(standard: &Standard) -> Vec<&RangeList> {
    let definitions = standard.definitions.iter().filter_map(|d| d.list.as_ref());
    let outcomes = standard.outcomes.iter().flat_map(|outcome| {
        outcome
            .criteria
            .iter()
            .flat_map(|criterion| &criterion.range)
            .chain(&outcome.range)
    });
    definitions
        .chain(outcomes)
        .chain(&standard.ranges)
        .collect()
}
