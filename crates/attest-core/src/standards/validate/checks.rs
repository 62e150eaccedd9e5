//! The validator's checks of one rule check: counts, nouns, closed-list minimums, distinct-value
//! attributes, coverage, conditions, attribute filters, and sign-off.

use std::collections::HashSet;

use super::{Kind, Validator};
use crate::standards::model::{AttributeKind, Openness};
use crate::standards::rule::{AttributeFilter, Check, Noun};

impl<'a> Validator<'a> {
    pub(super) fn check(&mut self, path: &str, check: &Check) {
        let path = format!("{path}.{}", check.kind());
        match check {
            Check::MinInstances(c) => {
                self.min(&path, c.min);
                self.filters(&format!("{path}.where"), &c.filters);
                self.noun(&path, c.noun.as_ref());
            }
            Check::MinRangeItems(c) => {
                self.min(&path, c.min);
                self.non_empty(&format!("{path}.criteria"), c.criteria.len());
                self.resolve_all(&format!("{path}.criteria"), &c.criteria, Kind::Criterion);
                if self.resolve(&format!("{path}.list"), &c.list, Kind::RangeList) {
                    self.min_within_list(&path, c.min, &c.list);
                }
            }
            Check::MinDistinctValues(c) => {
                self.min(&path, c.min);
                self.filters(&format!("{path}.where"), &c.filters);
                match (&c.attribute, c.field) {
                    (Some(attribute), None) => self.distinct_attribute(&path, attribute, c.min),
                    (None, Some(crate::standards::rule::EvidenceField::Channel))
                        if c.min as usize > crate::standards::rule::Channel::ALL.len() =>
                    {
                        let reason = format!(
                            "min {} exceeds the {} channels there are",
                            c.min,
                            crate::standards::rule::Channel::ALL.len()
                        );
                        self.issue(format!("{path}.min"), reason);
                    }
                    (None, Some(_)) => {}
                    (Some(_), Some(_)) => {
                        self.issue(path.clone(), "count an `attribute` or a `field`, not both");
                    }
                    (None, None) => {
                        self.issue(path.clone(), "name the `attribute` or `field` counted")
                    }
                }
                self.noun(&path, c.noun.as_ref());
            }
            Check::Coverage(c) => self.coverage(&path, c),
            Check::Exclusion(c) => {
                self.non_empty(&format!("{path}.subject"), c.subject.len());
                self.non_empty(&format!("{path}.excluded"), c.excluded.len());
                self.filters(&format!("{path}.subject"), &c.subject);
                self.filters(&format!("{path}.excluded"), &c.excluded);
            }
            Check::Methods(c) => {
                let lists = [&c.required, &c.supporting, &c.permitted];
                if lists.iter().all(|list| list.is_empty()) {
                    self.issue(path.clone(), "name at least one method");
                }
                if c.per == crate::standards::rule::Span::Instance && c.required.is_empty() {
                    let reason = "`per: instance` needs the `required` methods each instance is in";
                    self.issue(format!("{path}.per"), reason);
                }
                let mut seen = HashSet::new();
                for method in lists.into_iter().flatten() {
                    if !seen.insert(method) {
                        let name = serde_json::to_value(method).unwrap_or_default();
                        let reason = format!("method {name} is listed twice");
                        self.issue(path.clone(), reason);
                    }
                }
            }
            Check::Setting(c) => {
                if !c.simulation_allowed && c.condition.is_some() {
                    let reason = "a condition applies only when simulation is allowed";
                    self.issue(format!("{path}.condition"), reason);
                }
            }
            Check::Simultaneity(c) => {
                self.attribute_of_kind(&format!("{path}.attribute"), &c.attribute, true);
            }
            Check::Channels(c) => {
                if c.all_of.is_empty() && c.any_of.is_empty() {
                    self.issue(path.clone(), "name channels in `all_of` or `any_of`");
                }
                if c.all_of.iter().any(|channel| c.any_of.contains(channel)) {
                    let reason = "a channel is in both `all_of` and `any_of`";
                    self.issue(path.clone(), reason);
                }
            }
            Check::EveryInstance(c) => {
                self.non_empty(&format!("{path}.where"), c.filters.len());
                self.filters(&format!("{path}.where"), &c.filters);
            }
            Check::Conditional(c) => self.conditional(&path, &c.criteria),
            Check::RangeStatement(c) => {
                self.non_empty(&format!("{path}.lists"), c.lists.len());
                self.resolve_all(&format!("{path}.lists"), &c.lists, Kind::RangeList);
            }
            Check::AssessorConfirms(c) => self.text(&format!("{path}.statement"), &c.statement),
            Check::Grades(c) => self.non_empty(&format!("{path}.grades"), c.grades.len()),
            Check::Note(c) => self.text(&format!("{path}.summary"), &c.summary),
        }
    }

    pub(super) fn min(&mut self, check_path: &str, min: u32) {
        if min == 0 {
            self.issue(format!("{check_path}.min"), "min must be at least 1");
        }
    }

    pub(super) fn noun(&mut self, check_path: &str, noun: Option<&Noun>) {
        if let Some(noun) = noun {
            self.text(&format!("{check_path}.noun.one"), &noun.one);
            self.text(&format!("{check_path}.noun.many"), &noun.many);
        }
    }

    pub(super) fn non_empty(&mut self, path: &str, len: usize) {
        if len == 0 {
            self.issue(path, "must not be empty");
        }
    }

    pub(super) fn text(&mut self, path: &str, text: &str) {
        if text.trim().is_empty() {
            self.issue(path, "must not be empty");
        }
    }

    pub(super) fn min_within_list(&mut self, check_path: &str, min: u32, list_id: &str) {
        let Some(list) = self.list(list_id) else {
            return;
        };
        if list.openness == Openness::Closed && min as usize > list.items.len() {
            let reason = format!(
                "min {min} exceeds the {} items of closed list `{list_id}`",
                list.items.len()
            );
            self.issue(format!("{check_path}.min"), reason);
        }
    }

    pub(super) fn distinct_attribute(&mut self, check_path: &str, attribute_id: &str, min: u32) {
        let attribute_path = format!("{check_path}.attribute");
        if !self.resolve(&attribute_path, attribute_id, Kind::Attribute) {
            return;
        }
        let Some(attribute) = self.standard.attribute(attribute_id) else {
            return;
        };
        if attribute.kind == AttributeKind::Flag {
            let reason =
                format!("`{attribute_id}` is a flag; count distinct values of another kind");
            self.issue(attribute_path, reason);
            return;
        }
        let declared = self.standard.attribute_value_ids(attribute).len();
        if attribute.openness == Openness::Closed && min as usize > declared {
            let reason = format!(
                "min {min} exceeds the {declared} values of closed attribute `{attribute_id}`"
            );
            self.issue(format!("{check_path}.min"), reason);
        }
    }

    pub(super) fn coverage(&mut self, path: &str, coverage: &crate::standards::rule::Coverage) {
        if !coverage.criteria && !coverage.knowledge && coverage.lists.is_empty() {
            let reason = "cover `criteria`, `knowledge` or `lists`";
            self.issue(path, reason);
        }
        if coverage.knowledge && self.standard.knowledge.is_empty() {
            let reason = "the standard has no knowledge items to cover";
            self.issue(format!("{path}.knowledge"), reason);
        }
        self.resolve_all(&format!("{path}.lists"), &coverage.lists, Kind::RangeList);
    }

    pub(super) fn conditional(&mut self, path: &str, criteria: &[String]) {
        let criteria_path = format!("{path}.criteria");
        self.non_empty(&criteria_path, criteria.len());
        for (i, id) in criteria.iter().enumerate() {
            let item_path = format!("{criteria_path}[{i}]");
            if !self.resolve(&item_path, id, Kind::Criterion) {
                continue;
            }
            let has_condition = self
                .standard
                .criterion(id)
                .is_some_and(|criterion| criterion.condition.is_some());
            if !has_condition {
                let reason = format!("criterion `{id}` has no `condition`");
                self.issue(item_path, reason);
            }
        }
    }

    pub(super) fn filters(&mut self, path: &str, filters: &[AttributeFilter]) {
        for (f, filter) in filters.iter().enumerate() {
            self.filter(&format!("{path}[{f}]"), filter);
        }
    }

    pub(super) fn filter(&mut self, path: &str, filter: &AttributeFilter) {
        let attribute_path = format!("{path}.attribute");
        if !self.resolve(&attribute_path, &filter.attribute, Kind::Attribute) {
            return;
        }
        let Some(attribute) = self.standard.attribute(&filter.attribute) else {
            return;
        };
        if matches!(attribute.kind, AttributeKind::Flag | AttributeKind::Text) {
            if !filter.any_of.is_empty() {
                let reason = format!(
                    "`{}` has no declared values; leave out `any_of` to select instances where it is set",
                    filter.attribute
                );
                self.issue(format!("{path}.any_of"), reason);
            }
            return;
        }
        let declared = self.standard.attribute_value_ids(attribute);
        for (v, value) in filter.any_of.iter().enumerate() {
            if !declared.contains(&value.as_str()) {
                let reason = format!(
                    "`{value}` is not a declared value of attribute `{}` (declared: {})",
                    filter.attribute,
                    declared.join(", ")
                );
                self.issue(format!("{path}.any_of[{v}]"), reason);
            }
        }
    }

    /// Checks that `id` names an attribute, and a flag when `flag` is true.
    pub(super) fn attribute_of_kind(&mut self, path: &str, id: &str, flag: bool) {
        if !self.resolve(path, id, Kind::Attribute) {
            return;
        }
        let is_flag = self
            .standard
            .attribute(id)
            .is_some_and(|attribute| attribute.kind == AttributeKind::Flag);
        if flag && !is_flag {
            self.issue(path, format!("`{id}` must be a `flag` attribute"));
        }
    }

    // ---- sign-off ----------------------------------------------------------------------------

    pub(super) fn sign_off(&mut self) {
        let Some(sign_off) = &self.standard.sign_off else {
            return;
        };
        self.text("sign_off.statement", &sign_off.statement);
        self.non_empty("sign_off.signatures", sign_off.signatures.len());
        self.provenance("sign_off.source", &sign_off.source);
    }
}
