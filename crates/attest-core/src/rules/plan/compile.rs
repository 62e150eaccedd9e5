//! Compiling one rule's parts for the engine: a scope into its criteria and knowledge sets, where
//! its checks are placed, each check into its [`Compiled`] form, and attribute filters.

use crate::standards::{AttributeFilter, Check, Method, Scope, Span};

use super::{Compiled, FilterPlan, Placement, Plan, ScopePlan};
use crate::rules::bits::Bits;
use crate::rules::words;

impl<'s> Plan<'s> {
    pub(super) fn scope(&self, scope: &Scope) -> ScopePlan {
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

    pub(super) fn placement(&self, scope: &Scope) -> Placement {
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

    pub(super) fn compile(&self, check: &Check) -> Compiled {
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

    pub(super) fn filters(&self, filters: &[AttributeFilter]) -> Vec<FilterPlan> {
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
}
