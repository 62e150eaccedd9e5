//! Cross-checks a deserialized standard: unique ids, every reference resolves, counts positive,
//! attribute values declared, minimums over closed lists not larger than the list, and the
//! shape rules serde cannot express (checks xor interpretations, a valid default …).
//!
//! Each problem carries the document path of the offending node; the loader turns the path into a
//! line and column.
//!
//! The validator's id register and [`validate`] are here; the document's metadata, structure,
//! attributes and rules are checked in `document`, each check of a rule in `checks`.

mod checks;
mod document;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use super::model::{RangeList, Standard};

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

/// Where a range list sits in the document: its path, written only when a problem names it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ListPlace {
    /// `definitions[d].list`.
    Definition(usize),
    /// `outcomes[o].criteria[c].range[r]`.
    Criterion(usize, usize, usize),
    /// `outcomes[o].range[r]`.
    Outcome(usize, usize),
    /// `ranges[r]`.
    Unit(usize),
}

impl std::fmt::Display for ListPlace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Definition(d) => write!(f, "definitions[{d}].list"),
            Self::Criterion(o, c, r) => write!(f, "outcomes[{o}].criteria[{c}].range[{r}]"),
            Self::Outcome(o, r) => write!(f, "outcomes[{o}].range[{r}]"),
            Self::Unit(r) => write!(f, "ranges[{r}]"),
        }
    }
}

/// Every range list of the standard with its place, in document order. Pages look lists up
/// by id on every request: nothing is allocated or formatted here.
pub(crate) fn lists_in(standard: &Standard) -> impl Iterator<Item = (ListPlace, &RangeList)> {
    let definitions = standard
        .definitions
        .iter()
        .enumerate()
        .filter_map(|(d, definition)| {
            definition
                .list
                .as_ref()
                .map(|l| (ListPlace::Definition(d), l))
        });
    let outcomes = standard
        .outcomes
        .iter()
        .enumerate()
        .flat_map(|(o, outcome)| {
            let criteria = outcome
                .criteria
                .iter()
                .enumerate()
                .flat_map(move |(c, criterion)| {
                    criterion
                        .range
                        .iter()
                        .enumerate()
                        .map(move |(r, list)| (ListPlace::Criterion(o, c, r), list))
                });
            let own = outcome
                .range
                .iter()
                .enumerate()
                .map(move |(r, list)| (ListPlace::Outcome(o, r), list));
            criteria.chain(own)
        });
    let unit = standard
        .ranges
        .iter()
        .enumerate()
        .map(|(r, list)| (ListPlace::Unit(r), list));
    definitions.chain(outcomes).chain(unit)
}

/// Every range list of the standard with its document path, in document order.
pub(crate) fn lists_with_paths(standard: &Standard) -> Vec<(String, &RangeList)> {
    lists_in(standard)
        .map(|(place, list)| (place.to_string(), list))
        .collect()
}
