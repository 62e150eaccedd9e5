//! Cross-checks a deserialized standard: unique ids, every reference resolves, counts positive,
//! attribute values declared, minimums over closed lists not larger than the list, and the
//! shape rules serde cannot express (checks xor interpretations, a valid default …).
//!
//! Each problem carries the document path of the offending node; the loader turns the path into a
//! line and column.

use std::collections::{HashMap, HashSet};

use super::access::normalise_code;
use super::model::{AttributeKind, Openness, RangeList, Standard};
use super::rule::{AttributeFilter, Check, Confidence, Noun, Provenance, Rule, Scope};

/// A problem in a standard, at a document path such as `rules[3].checks[0].min_range_items.list`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    /// The document path of the node at fault.
    pub path: String,
    /// What is wrong.
    pub reason: String,
}

/// What an id names; references must name the right kind of thing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Outcome,
    Criterion,
    Knowledge,
    RangeList,
    RangeItem,
    Definition,
    Attribute,
    Rule,
    SignOff,
    DatedField,
    Guidance,
}

impl Kind {
    /// The name with its article: "an outcome".
    fn a_name(self) -> String {
        let name = self.name();
        let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        format!("{article} {name}")
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Outcome => "outcome",
            Kind::Criterion => "criterion",
            Kind::Knowledge => "knowledge item",
            Kind::RangeList => "range list",
            Kind::RangeItem => "range item",
            Kind::Definition => "definition",
            Kind::Attribute => "attribute",
            Kind::Rule => "rule",
            Kind::SignOff => "sign-off",
            Kind::DatedField => "dated field",
            Kind::Guidance => "guidance section",
        }
    }
}

/// All problems in `standard`, in document order.
pub fn validate(standard: &Standard) -> Vec<Issue> {
    let mut validator = Validator {
        standard,
        ids: HashMap::new(),
        issues: Vec::new(),
    };
    validator.register_ids();
    validator.metadata();
    validator.structure();
    validator.attributes();
    for (index, rule) in standard.rules.iter().enumerate() {
        validator.rule(&format!("rules[{index}]"), rule);
    }
    validator.sign_off();
    validator.issues
}

struct Validator<'a> {
    standard: &'a Standard,
    /// id → (kind, path of the item that declares it).
    ids: HashMap<&'a str, (Kind, String)>,
    issues: Vec<Issue>,
}

impl<'a> Validator<'a> {
    fn issue(&mut self, path: impl Into<String>, reason: impl Into<String>) {
        self.issues.push(Issue {
            path: path.into(),
            reason: reason.into(),
        });
    }

    // ---- ids ---------------------------------------------------------------------------------

    fn register_ids(&mut self) {
        let s = self.standard;
        for (d, definition) in s.definitions.iter().enumerate() {
            let path = format!("definitions[{d}]");
            self.declare(&definition.id, Kind::Definition, &path);
            if let Some(list) = &definition.list {
                self.declare_list(list, &format!("{path}.list"));
            }
        }
        for (o, outcome) in s.outcomes.iter().enumerate() {
            let path = format!("outcomes[{o}]");
            self.declare(&outcome.id, Kind::Outcome, &path);
            for (c, criterion) in outcome.criteria.iter().enumerate() {
                let path = format!("{path}.criteria[{c}]");
                self.declare(&criterion.id, Kind::Criterion, &path);
                for (r, list) in criterion.range.iter().enumerate() {
                    self.declare_list(list, &format!("{path}.range[{r}]"));
                }
            }
            for (r, list) in outcome.range.iter().enumerate() {
                self.declare_list(list, &format!("{path}.range[{r}]"));
            }
        }
        for (r, list) in s.ranges.iter().enumerate() {
            self.declare_list(list, &format!("ranges[{r}]"));
        }
        for (k, item) in s.knowledge.iter().enumerate() {
            self.declare(&item.id, Kind::Knowledge, &format!("knowledge[{k}]"));
        }
        for (a, attribute) in s.attributes.iter().enumerate() {
            self.declare(&attribute.id, Kind::Attribute, &format!("attributes[{a}]"));
        }
        for (r, rule) in s.rules.iter().enumerate() {
            self.declare(&rule.id, Kind::Rule, &format!("rules[{r}]"));
        }
        if let Some(sign_off) = &s.sign_off {
            self.declare(&sign_off.id, Kind::SignOff, "sign_off");
            for (f, field) in sign_off.dated_fields.iter().enumerate() {
                let path = format!("sign_off.dated_fields[{f}]");
                self.declare(&field.id, Kind::DatedField, &path);
            }
        }
        for (g, section) in s.guidance.iter().enumerate() {
            self.declare(&section.id, Kind::Guidance, &format!("guidance[{g}]"));
        }
    }

    fn declare_list(&mut self, list: &'a RangeList, path: &str) {
        self.declare(&list.id, Kind::RangeList, path);
        for (i, item) in list.items.iter().enumerate() {
            self.declare(&item.id, Kind::RangeItem, &format!("{path}.items[{i}]"));
        }
    }

    fn declare(&mut self, id: &'a str, kind: Kind, item_path: &str) {
        let id_path = format!("{item_path}.id");
        if let Some(reason) = id_syntax_problem(id) {
            self.issue(id_path, reason);
            return;
        }
        match self.ids.get(id) {
            Some((_, first)) => {
                let reason = format!("duplicate id `{id}`, first used at {first}");
                self.issue(id_path, reason);
            }
            None => {
                self.ids.insert(id, (kind, item_path.to_owned()));
            }
        }
    }

    /// Checks that `id` names a `kind`; reports at `path` otherwise.
    fn resolve(&mut self, path: &str, id: &str, kind: Kind) -> bool {
        match self.ids.get(id) {
            Some((found, _)) if *found == kind => true,
            Some((found, _)) => {
                let reason = format!("`{id}` is {}, not {}", found.a_name(), kind.a_name());
                self.issue(path, reason);
                false
            }
            None => {
                self.issue(path, format!("no {} with id `{id}`", kind.name()));
                false
            }
        }
    }

    fn resolve_all(&mut self, path: &str, ids: &[String], kind: Kind) {
        for (i, id) in ids.iter().enumerate() {
            self.resolve(&format!("{path}[{i}]"), id, kind);
        }
    }

    fn list(&self, id: &str) -> Option<&'a RangeList> {
        self.standard.range_list(id)
    }

    // ---- metadata and structure ---------------------------------------------------------------

    fn metadata(&mut self) {
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

    fn structure(&mut self) {
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

    fn attributes(&mut self) {
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

    fn rule(&mut self, path: &str, rule: &'a Rule) {
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

    fn interpretations(&mut self, path: &str, rule: &'a Rule, ambiguous: bool) {
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

    fn scope(&mut self, path: &str, scope: &Scope) {
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

    fn provenance(&mut self, path: &str, source: &Provenance) {
        if source.verbatim.trim().is_empty() {
            self.issue(format!("{path}.verbatim"), "must quote the source");
        }
        if source.locator.trim().is_empty() {
            self.issue(format!("{path}.locator"), "must say where the words are");
        }
    }

    fn check(&mut self, path: &str, check: &Check) {
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
                    (None, Some(super::rule::EvidenceField::Channel))
                        if c.min as usize > super::rule::Channel::ALL.len() =>
                    {
                        let reason = format!(
                            "min {} exceeds the {} channels there are",
                            c.min,
                            super::rule::Channel::ALL.len()
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
                if c.per == super::rule::Span::Instance && c.required.is_empty() {
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

    fn min(&mut self, check_path: &str, min: u32) {
        if min == 0 {
            self.issue(format!("{check_path}.min"), "min must be at least 1");
        }
    }

    fn noun(&mut self, check_path: &str, noun: Option<&Noun>) {
        if let Some(noun) = noun {
            self.text(&format!("{check_path}.noun.one"), &noun.one);
            self.text(&format!("{check_path}.noun.many"), &noun.many);
        }
    }

    fn non_empty(&mut self, path: &str, len: usize) {
        if len == 0 {
            self.issue(path, "must not be empty");
        }
    }

    fn text(&mut self, path: &str, text: &str) {
        if text.trim().is_empty() {
            self.issue(path, "must not be empty");
        }
    }

    fn min_within_list(&mut self, check_path: &str, min: u32, list_id: &str) {
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

    fn distinct_attribute(&mut self, check_path: &str, attribute_id: &str, min: u32) {
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

    fn coverage(&mut self, path: &str, coverage: &super::rule::Coverage) {
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

    fn conditional(&mut self, path: &str, criteria: &[String]) {
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

    fn filters(&mut self, path: &str, filters: &[AttributeFilter]) {
        for (f, filter) in filters.iter().enumerate() {
            self.filter(&format!("{path}[{f}]"), filter);
        }
    }

    fn filter(&mut self, path: &str, filter: &AttributeFilter) {
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
    fn attribute_of_kind(&mut self, path: &str, id: &str, flag: bool) {
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

    fn sign_off(&mut self) {
        let Some(sign_off) = &self.standard.sign_off else {
            return;
        };
        self.text("sign_off.statement", &sign_off.statement);
        self.non_empty("sign_off.signatures", sign_off.signatures.len());
        self.provenance("sign_off.source", &sign_off.source);
    }
}

/// Why `id` cannot be an id, if it cannot: ids are keys in evidence files and URLs.
fn id_syntax_problem(id: &str) -> Option<String> {
    if id.is_empty() {
        Some("an id must not be empty".to_owned())
    } else if id
        .chars()
        .any(|c| c.is_whitespace() || c == ',' || c == '@')
    {
        Some(format!("id `{id}` must not contain spaces, commas or `@`"))
    } else {
        None
    }
}

/// Every range list of the standard with its document path, in document order.
pub(crate) fn lists_with_paths(standard: &Standard) -> Vec<(String, &RangeList)> {
    let mut lists = Vec::new();
    for (d, definition) in standard.definitions.iter().enumerate() {
        if let Some(list) = &definition.list {
            lists.push((format!("definitions[{d}].list"), list));
        }
    }
    for (o, outcome) in standard.outcomes.iter().enumerate() {
        for (c, criterion) in outcome.criteria.iter().enumerate() {
            for (r, list) in criterion.range.iter().enumerate() {
                lists.push((format!("outcomes[{o}].criteria[{c}].range[{r}]"), list));
            }
        }
        for (r, list) in outcome.range.iter().enumerate() {
            lists.push((format!("outcomes[{o}].range[{r}]"), list));
        }
    }
    for (r, list) in standard.ranges.iter().enumerate() {
        lists.push((format!("ranges[{r}]"), list));
    }
    lists
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "\
framework: TEST
code: T1
version: 1
title: Test
outcomes:
  - id: \"1\"
    title: Do it.
    criteria:
      - id: \"1.1\"
        text: Do it well.
        range:
          - id: aspects
            verbatim: aspects
            openness: closed
            binding: binding
            items: [{ id: one, text: one }, { id: two, text: two }]
knowledge:
  - { id: K1, text: know it }
attributes:
  - { id: done_live, label: Done live, kind: flag, openness: closed }
  - id: kind
    label: Kind
    kind: choice
    openness: closed
    values: [{ id: a, label: A }, { id: b, label: B }]
";

    fn issues(rules: &str) -> Vec<String> {
        let text = format!("{BASE}rules:\n{rules}");
        let standard: Standard = serde_yaml::from_str(&text).unwrap();
        validate(&standard)
            .into_iter()
            .map(|issue| format!("{}: {}", issue.path, issue.reason))
            .collect()
    }

    const SOURCE: &str =
        "    source: { verbatim: v, locator: l, binding: binding, confidence: explicit }\n";

    #[test]
    fn the_base_standard_is_valid() {
        let rule =
            format!("  - id: R1\n    checks: [{{ coverage: {{ criteria: true }} }}]\n{SOURCE}");
        assert_eq!(issues(&rule), Vec::<String>::new());
    }

    #[test]
    fn a_reference_to_the_wrong_kind_of_thing_says_what_it_is() {
        let rule = format!(
            "  - id: R1\n    scope: {{ outcomes: [\"1.1\"] }}\n    checks: [{{ coverage: {{ criteria: true }} }}]\n{SOURCE}"
        );
        assert_eq!(
            issues(&rule),
            ["rules[0].scope.outcomes[0]: `1.1` is a criterion, not an outcome"]
        );
    }

    #[test]
    fn checks_are_held_to_their_attribute_kinds_and_closed_sizes() {
        let rule = format!(
            "  - id: R1\n    checks:\n\
             \x20     - simultaneity: {{ attribute: kind, activity: x }}\n\
             \x20     - every_instance: {{ where: [{{ attribute: done_live, any_of: [a] }}] }}\n\
             \x20     - min_distinct_values: {{ attribute: kind, min: 3 }}\n\
             \x20     - setting: {{ simulation_allowed: false, condition: c }}\n{SOURCE}"
        );
        assert_eq!(
            issues(&rule),
            [
                "rules[0].checks[0].simultaneity.attribute: `kind` must be a `flag` attribute",
                "rules[0].checks[1].every_instance.where[0].any_of: `done_live` has no declared values; leave out `any_of` to select instances where it is set",
                "rules[0].checks[2].min_distinct_values.min: min 3 exceeds the 2 values of closed attribute `kind`",
                "rules[0].checks[3].setting.condition: a condition applies only when simulation is allowed",
            ]
        );
    }

    #[test]
    fn an_ambiguous_rule_needs_readings_and_a_default_that_exists() {
        let rule = "  - id: R1\n    interpretations:\n\
             \x20     - { id: x, label: X, checks: [{ coverage: { criteria: true } }] }\n\
             \x20     - { id: y, label: Y, checks: [{ coverage: { knowledge: true } }] }\n\
             \x20   default_interpretation: z\n\
             \x20   source: { verbatim: v, locator: l, binding: binding, confidence: ambiguous }\n";
        assert_eq!(
            issues(rule),
            ["rules[0].default_interpretation: no interpretation `z` in this rule"]
        );
        let unflagged = rule
            .replace("default_interpretation: z", "default_interpretation: x")
            .replace("confidence: ambiguous", "confidence: explicit");
        assert_eq!(
            issues(&unflagged),
            ["rules[0].source.confidence: a rule with interpretations has confidence `ambiguous`"]
        );
    }

    #[test]
    fn a_minimum_over_a_closed_list_may_equal_its_size() {
        let rule = |min: u32| {
            format!(
                "  - id: R1\n    checks: [{{ min_range_items: {{ list: aspects, min: {min}, criteria: [\"1.1\"] }} }}]\n{SOURCE}"
            )
        };
        assert_eq!(issues(&rule(2)), Vec::<String>::new());
        assert_eq!(
            issues(&rule(3)),
            [
                "rules[0].checks[0].min_range_items.min: min 3 exceeds the 2 items of closed list `aspects`"
            ]
        );
    }
}
