//! The standard compiled for evaluation: ids resolved to indexes once, each rule's checks and scope
//! in the form the engine evaluates, and the groups of counted checks that compete for evidence.

use std::sync::{Arc, LazyLock};

use crate::standards::{
    Attribute, AttributeFilter, AttributeKind, AttributeValue, Binding, Channel, Check, Criterion,
    EvidenceField, Interpretation, Interpretations, Method, Openness, RangeList, Rule, Scope, Span,
    Standard, effective_rule,
};

use super::bits::Bits;
use super::hash::IdMap;
use super::report::SharedText;
use super::words;

/// A standard ready to evaluate portfolios against.
pub(crate) struct Plan<'s> {
    pub standard: &'s Standard,
    pub criteria: Vec<CriterionPlan<'s>>,
    /// Per outcome, the range of its criteria's indexes.
    pub outcome_criteria: Vec<std::ops::Range<usize>>,
    pub criterion_ids: IdMap<&'s str, usize>,
    pub knowledge_ids: IdMap<&'s str, usize>,
    pub lists: Vec<&'s RangeList>,
    pub list_ids: IdMap<&'s str, usize>,
    /// The declared attributes, then one per evidence field a check counts (see [`Plan::fields`]).
    pub attributes: Vec<AttributePlan<'s>>,
    pub attribute_ids: IdMap<&'s str, usize>,
    /// Evidence fields that checks count as if they were attributes, with their attribute index:
    /// the engine reads them from each instance's own field.
    pub fields: Vec<(EvidenceField, usize)>,
    pub rules: Vec<RulePlan<'s>>,
    pub rule_ids: IdMap<&'s str, usize>,
    /// Per rule, the index of its first check among all checks (one more entry: the total), so that
    /// results of every check fit one list.
    pub check_base: Vec<usize>,
    /// Every check's and group's requirement in plain words, one after another: made once per
    /// compiled standard and shared by every report (see [`Plan::text`]).
    pub texts: Arc<str>,
    /// Counted checks that must be met by different evidence.
    pub groups: Vec<Group>,
    /// Knowledge items a binding coverage rule requires.
    pub knowledge_required: Bits,
    /// Criteria that may be recorded not applicable (conditional ones).
    pub may_be_not_applicable: Bits,
}

pub(crate) struct CriterionPlan<'s> {
    pub criterion: &'s Criterion,
    pub outcome: usize,
    /// Rules scoped to criteria only that include this one: the criterion is met only when they are.
    pub rules: Vec<usize>,
}

pub(crate) struct AttributePlan<'s> {
    pub attribute: &'s Attribute,
    /// Declared value ids (the attribute's values, then the items of `values_from`).
    pub values: Vec<&'s str>,
    /// Labels of the declared values, same order.
    pub labels: Vec<&'s str>,
}

pub(crate) struct RulePlan<'s> {
    pub rule: &'s Rule,
    pub checks: Vec<CheckPlan<'s>>,
    pub interpretation: Option<&'s Interpretation>,
    pub overridden: bool,
    /// A provider choice that does not fit the rule (the default was used instead).
    pub invalid_choice: Option<String>,
    pub binding: bool,
    pub scope: ScopePlan,
    pub placement: Placement,
}

pub(crate) struct CheckPlan<'s> {
    pub check: &'s Check,
    pub compiled: Compiled,
    /// Where the check in plain words is in the plan's texts (see [`Plan::text`]).
    pub requirement: (usize, usize),
}

/// A check with its ids resolved.
pub(crate) enum Compiled {
    MinInstances {
        min: u32,
        filters: Vec<FilterPlan>,
        /// Exclusion checks (rule, check) that narrow what this check counts.
        exclusions: Vec<(usize, usize)>,
    },
    MinDistinct {
        attribute: Option<usize>,
        min: u32,
        filters: Vec<FilterPlan>,
        exclusions: Vec<(usize, usize)>,
        /// Each value from a different instance (a matching), not pooled.
        distinct_instances: bool,
    },
    MinRangeItems {
        list: Option<usize>,
        min: u32,
        criteria: Bits,
    },
    Coverage {
        criteria: bool,
        knowledge: bool,
        lists: Vec<usize>,
    },
    Exclusion {
        subject: Vec<FilterPlan>,
        excluded: Vec<FilterPlan>,
    },
    Methods {
        /// Methods that may be used; `None` when the check restricts nothing.
        expected: Option<Vec<Method>>,
        /// Methods that must appear: (method, is supporting).
        wanted: Vec<(Method, bool)>,
        /// With `per: instance`, the methods each instance in scope must itself be in.
        each: Option<Vec<Method>>,
    },
    Setting {
        simulation_allowed: bool,
    },
    Simultaneity {
        attribute: Option<usize>,
    },
    Channels {
        all_of: u8,
        any_of: u8,
        per_instance: bool,
    },
    EveryInstance {
        filters: Vec<FilterPlan>,
    },
    AssessorConfirms,
    /// Nothing to check (conditional criteria, range statements, grades, notes).
    Info,
}

impl Compiled {
    /// Whether the check is something the portfolio must achieve.
    pub fn is_requirement(&self) -> bool {
        match self {
            Compiled::MinInstances { .. }
            | Compiled::MinDistinct { .. }
            | Compiled::Coverage { .. }
            | Compiled::AssessorConfirms => true,
            Compiled::Methods { wanted, .. } => !wanted.is_empty(),
            Compiled::Channels { per_instance, .. } => !per_instance,
            _ => false,
        }
    }

    /// Whether the check is a condition each instance must meet to count.
    pub fn is_constraint(&self) -> bool {
        match self {
            Compiled::MinRangeItems { .. }
            | Compiled::Exclusion { .. }
            | Compiled::Setting { .. }
            | Compiled::Simultaneity { .. }
            | Compiled::EveryInstance { .. } => true,
            Compiled::Methods { expected, .. } => expected.is_some(),
            Compiled::Channels { per_instance, .. } => *per_instance,
            _ => false,
        }
    }
}

/// An attribute filter with ids resolved; an unknown attribute never matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FilterPlan {
    pub attribute: Option<usize>,
    /// Indexes of declared values; empty means "has a value" (a flag: is true).
    pub any_of: Vec<u32>,
}

/// The criteria and knowledge items a rule applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ScopePlan {
    pub unit: bool,
    pub criteria: Bits,
    pub knowledge: Bits,
}

/// Where a rule is shown in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placement {
    Unit,
    Outcome(usize),
}

/// Counted checks of one scope that must be met by different instances.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Group {
    /// Where the group in plain words is in the plan's texts (see [`Plan::text`]).
    pub requirement: (usize, usize),
    /// (rule, check) of each member; the first is where the report shows the group.
    pub members: Vec<(usize, usize)>,
    /// Per member, the member whose set it is part of ("at least one of whom").
    pub within: Vec<Option<usize>>,
    /// The attribute whose values must differ (a distinct-values family).
    pub distinct: Option<usize>,
}

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
            let words = super::phrases::together(&plan, &plan.groups[g], &texts);
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

    fn index_structure(&mut self) {
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

    fn index_attributes(&mut self) {
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
    fn compile_rules(&mut self, interpretations: &Interpretations, texts: &mut String) {
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
                    super::phrases::write_requirement(texts, self, check, &compiled);
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

    fn note_requirements(&mut self, rule: &RulePlan) {
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

    fn scope(&self, scope: &Scope) -> ScopePlan {
        if scope.is_unit() {
            return ScopePlan {
                unit: true,
                criteria: Bits::full(self.criteria.len()),
                knowledge: Bits::full(self.standard.knowledge.len()),
            };
        }
        let mut criteria = Bits::with_len(self.criteria.len());
        for id in &scope.outcomes {
            if let Some(o) = self.standard.outcomes.iter().position(|o| &o.id == id) {
                self.outcome_criteria[o]
                    .clone()
                    .for_each(|c| criteria.insert(c));
            }
        }
        for id in &scope.criteria {
            if let Some(&c) = self.criterion_ids.get(id.as_str()) {
                criteria.insert(c);
            }
        }
        let mut knowledge = Bits::with_len(self.standard.knowledge.len());
        for id in &scope.knowledge {
            if let Some(&k) = self.knowledge_ids.get(id.as_str()) {
                knowledge.insert(k);
            }
        }
        ScopePlan {
            unit: false,
            criteria,
            knowledge,
        }
    }

    fn placement(&self, scope: &Scope) -> Placement {
        if scope.is_unit() || !scope.knowledge.is_empty() {
            return Placement::Unit;
        }
        let mut outcomes: Vec<usize> = scope
            .outcomes
            .iter()
            .filter_map(|id| self.standard.outcomes.iter().position(|o| &o.id == id))
            .chain(
                scope
                    .criteria
                    .iter()
                    .filter_map(|id| self.criterion_ids.get(id.as_str()))
                    .map(|&c| self.criteria[c].outcome),
            )
            .collect();
        outcomes.sort_unstable();
        outcomes.dedup();
        match outcomes.as_slice() {
            [only] => Placement::Outcome(*only),
            _ => Placement::Unit,
        }
    }

    fn compile(&self, check: &Check) -> Compiled {
        match check {
            Check::MinInstances(c) => Compiled::MinInstances {
                min: c.min,
                filters: self.filters(&c.filters),
                exclusions: Vec::new(),
            },
            Check::MinDistinctValues(c) => Compiled::MinDistinct {
                attribute: match (&c.attribute, c.field) {
                    (Some(id), _) => self.attribute_ids.get(id.as_str()).copied(),
                    (None, Some(field)) => self
                        .fields
                        .iter()
                        .find(|(f, _)| *f == field)
                        .map(|(_, a)| *a),
                    (None, None) => None,
                },
                min: c.min,
                filters: self.filters(&c.filters),
                exclusions: Vec::new(),
                distinct_instances: c.distinct_instances,
            },
            Check::MinRangeItems(c) => {
                let mut criteria = Bits::with_len(self.criteria.len());
                c.criteria
                    .iter()
                    .filter_map(|id| self.criterion_ids.get(id.as_str()))
                    .for_each(|&i| criteria.insert(i));
                Compiled::MinRangeItems {
                    list: self.list_ids.get(c.list.as_str()).copied(),
                    min: c.min,
                    criteria,
                }
            }
            Check::Coverage(c) => Compiled::Coverage {
                criteria: c.criteria,
                knowledge: c.knowledge,
                lists: c
                    .lists
                    .iter()
                    .filter_map(|id| self.list_ids.get(id.as_str()).copied())
                    .collect(),
            },
            Check::Exclusion(c) => Compiled::Exclusion {
                subject: self.filters(&c.subject),
                excluded: self.filters(&c.excluded),
            },
            Check::Methods(c) => {
                let restricts =
                    !(c.required.is_empty() && c.supporting.is_empty() && c.permitted.is_empty());
                let expected = restricts.then(|| {
                    let mut all: Vec<Method> = c
                        .required
                        .iter()
                        .chain(&c.supporting)
                        .chain(&c.permitted)
                        .copied()
                        .collect();
                    all.sort_unstable();
                    all.dedup();
                    all
                });
                let wanted = c
                    .required
                    .iter()
                    .map(|m| (*m, false))
                    .chain(c.supporting.iter().map(|m| (*m, true)))
                    .collect();
                let each = (c.per == Span::Instance).then(|| c.required.clone());
                Compiled::Methods {
                    expected,
                    wanted,
                    each,
                }
            }
            Check::Setting(c) => Compiled::Setting {
                simulation_allowed: c.simulation_allowed,
            },
            Check::Simultaneity(c) => Compiled::Simultaneity {
                attribute: self.attribute_ids.get(c.attribute.as_str()).copied(),
            },
            Check::Channels(c) => Compiled::Channels {
                all_of: c.all_of.iter().fold(0, |m, ch| m | words::channel_bit(*ch)),
                any_of: c.any_of.iter().fold(0, |m, ch| m | words::channel_bit(*ch)),
                per_instance: c.per == Span::Instance,
            },
            Check::EveryInstance(c) => Compiled::EveryInstance {
                filters: self.filters(&c.filters),
            },
            Check::AssessorConfirms(_) => Compiled::AssessorConfirms,
            Check::Conditional(_)
            | Check::RangeStatement(_)
            | Check::Grades(_)
            | Check::Note(_) => Compiled::Info,
        }
    }

    fn filters(&self, filters: &[AttributeFilter]) -> Vec<FilterPlan> {
        filters
            .iter()
            .map(|filter| {
                let attribute = self.attribute_ids.get(filter.attribute.as_str()).copied();
                let any_of = attribute
                    .map(|a| {
                        filter
                            .any_of
                            .iter()
                            .filter_map(|id| {
                                self.attributes[a]
                                    .values
                                    .iter()
                                    .position(|v| v == id)
                                    .map(|p| p as u32)
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                FilterPlan { attribute, any_of }
            })
            .collect()
    }

    /// Attaches each binding exclusion to the counted checks whose filters select its subject and
    /// whose scope overlaps the exclusion's.
    fn link_exclusions(&mut self) {
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

/// The evidence fields the standard's checks (in any reading) count distinct values of, once each.
fn counted_fields(standard: &Standard) -> Vec<EvidenceField> {
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
fn field_attribute(field: EvidenceField) -> &'static Attribute {
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
fn range_lists(standard: &Standard) -> Vec<&RangeList> {
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

/// Whether every filter of `general` is implied by one of `specific` (so whatever `specific`
/// selects, `general` selects too).
pub(crate) fn implies(specific: &[FilterPlan], general: &[FilterPlan]) -> bool {
    general.iter().all(|g| {
        g.attribute.is_some()
            && specific.iter().any(|s| {
                s.attribute == g.attribute
                    && (g.any_of.is_empty()
                        || (!s.any_of.is_empty() && s.any_of.iter().all(|v| g.any_of.contains(v))))
            })
    })
}

fn scopes_overlap(a: &ScopePlan, b: &ScopePlan) -> bool {
    a.unit || b.unit || a.criteria.intersects(&b.criteria) || a.knowledge.intersects(&b.knowledge)
}

/// Whether two sets of filters can never select the same instance: both filter one single-valued
/// attribute on disjoint values.
fn disjoint(plan: &Plan, a: &[FilterPlan], b: &[FilterPlan]) -> bool {
    a.iter().any(|fa| {
        fa.attribute.is_some_and(|attr| {
            plan.attributes[attr].attribute.kind == AttributeKind::Choice
                && !fa.any_of.is_empty()
                && b.iter().any(|fb| {
                    fb.attribute == fa.attribute
                        && !fb.any_of.is_empty()
                        && fb.any_of.iter().all(|v| !fa.any_of.contains(v))
                })
        })
    })
}

/// A counted check as the grouping sees it.
struct Counted<'a> {
    at: (usize, usize),
    min: u32,
    filters: &'a [FilterPlan],
    distinct: Option<usize>,
}

/// Groups the binding counted checks of each scope: every distinct-values check with the counts that
/// are part of its set, then the remaining counts together. Only groups where instances could
/// compete (or a set is nested in another) are kept; the others are met check by check.
fn build_groups(plan: &Plan) -> Vec<Group> {
    let mut buckets: Vec<(&ScopePlan, Vec<Counted>)> = Vec::new();
    for (r, rule) in plan.rules.iter().enumerate().filter(|(_, r)| r.binding) {
        for (c, check) in rule.checks.iter().enumerate() {
            let counted = match &check.compiled {
                Compiled::MinInstances { min, filters, .. } => Counted {
                    at: (r, c),
                    min: *min,
                    filters,
                    distinct: None,
                },
                Compiled::MinDistinct {
                    attribute: Some(attribute),
                    min,
                    filters,
                    ..
                } => Counted {
                    at: (r, c),
                    min: *min,
                    filters,
                    distinct: Some(*attribute),
                },
                _ => continue,
            };
            match buckets.iter_mut().find(|(scope, _)| **scope == rule.scope) {
                Some((_, members)) => members.push(counted),
                None => buckets.push((&rule.scope, vec![counted])),
            }
        }
    }
    let mut groups = Vec::new();
    for (_, members) in &buckets {
        let mut taken = vec![false; members.len()];
        for (d, family_head) in members.iter().enumerate() {
            let Some(attribute) = family_head.distinct else {
                continue;
            };
            let mut group = Group {
                requirement: (0, 0),
                members: vec![family_head.at],
                within: vec![None],
                distinct: Some(attribute),
            };
            for (m, member) in members.iter().enumerate() {
                if m != d
                    && !taken[m]
                    && member.distinct.is_none()
                    && member.min <= family_head.min
                    && implies(member.filters, family_head.filters)
                {
                    taken[m] = true;
                    group.members.push(member.at);
                    group.within.push(Some(0));
                }
            }
            taken[d] = true;
            if group.members.len() > 1 {
                groups.push(group);
            }
        }
        let rest: Vec<&Counted> = members
            .iter()
            .zip(&taken)
            .filter(|(_, taken)| !**taken)
            .map(|(m, _)| m)
            .collect();
        if let Some(group) = plain_group(plan, &rest) {
            groups.push(group);
        }
    }
    groups
}

/// Counts of one scope: a count whose filters imply another's, with a min no larger, is part of the
/// other's set; siblings compete for instances.
fn plain_group(plan: &Plan, members: &[&Counted]) -> Option<Group> {
    if members.len() < 2 {
        return None;
    }
    let within: Vec<Option<usize>> = members
        .iter()
        .enumerate()
        .map(|(i, member)| {
            members
                .iter()
                .enumerate()
                .filter(|(j, other)| {
                    *j != i
                        && member.min <= other.min
                        && implies(member.filters, other.filters)
                        // Equal filters: the later check is part of the earlier one's set.
                        && (!implies(other.filters, member.filters) || *j < i)
                })
                .max_by_key(|(j, other)| (other.filters.len(), std::cmp::Reverse(*j)))
                .map(|(j, _)| j)
        })
        .collect();
    let nested = within.iter().any(Option::is_some);
    let compete = members.iter().enumerate().any(|(i, a)| {
        members.iter().enumerate().skip(i + 1).any(|(j, b)| {
            within[i] != Some(j) && within[j] != Some(i) && !disjoint(plan, a.filters, b.filters)
        })
    });
    (nested || compete).then(|| Group {
        requirement: (0, 0),
        members: members.iter().map(|m| m.at).collect(),
        within,
        distinct: None,
    })
}
