//! A name group split further: one value, its map entries, its rows, and its struct fields (the
//! longest name that fits).

use super::{FormError, Group, join};

impl<'de> Group<'de> {
    pub(super) fn leaf(name: String, value: &'de str) -> Self {
        Self {
            name,
            values: vec![value],
            below: Vec::new(),
        }
    }

    /// Adds `rest` (what follows this group's name) with its value.
    pub(super) fn add(&mut self, rest: &'de str, value: &'de str) {
        if rest.is_empty() {
            self.values.push(value);
        } else {
            self.below
                .push((rest.strip_prefix('.').unwrap_or(rest), value));
        }
    }

    /// The one value sent under this name.
    pub(super) fn one(&self) -> Result<&'de str, FormError> {
        match (self.values.as_slice(), self.below.is_empty()) {
            ([value], true) => Ok(value),
            ([_, _, ..], _) => Err(FormError::at(&self.name, "is sent more than once")),
            _ => Err(FormError::at(
                &self.name,
                "is a group of fields, not one value",
            )),
        }
    }

    pub(super) fn fail(&self, reason: &str) -> FormError {
        FormError::at(&self.name, reason)
    }

    /// The entries below, by key: `[key]rest` or `.key` (the whole rest), in the order sent.
    pub(super) fn entries(self) -> Result<Vec<(&'de str, Group<'de>)>, FormError> {
        let mut entries: Vec<(&'de str, Group<'de>)> = Vec::new();
        for (rest, value) in self.below {
            let (key, name, rest) = match rest.strip_prefix('[') {
                Some(inner) => {
                    let Some((key, after)) = inner.split_once(']') else {
                        return Err(FormError::at(
                            &format!("{}{rest}", self.name),
                            "has a `[` without its `]`",
                        ));
                    };
                    (key, format!("{}[{key}]", self.name), after)
                }
                None => (rest, join(&self.name, rest), ""),
            };
            match entries.iter_mut().find(|(k, _)| *k == key) {
                Some((_, group)) => group.add(rest, value),
                None => {
                    let mut group = Group {
                        name,
                        values: Vec::new(),
                        below: Vec::new(),
                    };
                    group.add(rest, value);
                    entries.push((key, group));
                }
            }
        }
        Ok(entries)
    }

    /// The rows below (`[0]…`, `[1]…`), in the order of their number.
    pub(super) fn rows(self) -> Result<Vec<Group<'de>>, FormError> {
        let name = self.name.clone();
        let mut rows = Vec::new();
        for (key, group) in self.entries()? {
            let number = key
                .parse::<usize>()
                .ok()
                .filter(|n| n.to_string() == key && group.name == format!("{name}[{key}]"));
            let Some(number) = number else {
                return Err(FormError::at(
                    &group.name,
                    format!("is not a row of `{name}` (rows are `{name}[0]`, `{name}[1]`, …)"),
                ));
            };
            rows.push((number, group));
        }
        rows.sort_by_key(|(number, _)| *number);
        Ok(rows.into_iter().map(|(_, group)| group).collect())
    }

    /// The groups of the struct fields `fields`: each name below goes to the longest field name
    /// it is or starts with (followed by `.` or `[`); names of no field are left out.
    pub(super) fn fields(self, fields: &'static [&'static str]) -> Vec<(&'static str, Group<'de>)> {
        let mut groups: Vec<(&'static str, Group<'de>)> = Vec::new();
        for (rest, value) in self.below {
            let field = fields
                .iter()
                .filter(|field| {
                    rest.strip_prefix(**field).is_some_and(|after| {
                        after.is_empty() || after.starts_with(['.', '[']) || field.ends_with('-')
                    })
                })
                .max_by_key(|field| field.len());
            let Some(field) = field else { continue };
            let after = &rest[field.len()..];
            match groups.iter_mut().find(|(f, _)| f == field) {
                Some((_, group)) => group.add(after, value),
                None => {
                    let mut group = Group {
                        name: join(&self.name, field),
                        values: Vec::new(),
                        below: Vec::new(),
                    };
                    group.add(after, value);
                    groups.push((field, group));
                }
            }
        }
        groups
    }
}
