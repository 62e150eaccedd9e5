//! Reading form fields into a type, with names grouped by their prefix: one reader for every form,
//! flat or not.
//!
//! A name is a path: a struct field takes the values sent under its own name and, below it, every
//! name that continues with `.` or `[` (`details.witness.name`, `criteria[0].id`). Below a field:
//! - a struct matches its field names, the longest that fits (`vacs.valid.note` is not part of
//!   `vacs.valid`);
//! - a map takes `[key]…` (the rest after `]` belongs to the entry) or `.key` (the whole rest is
//!   the key: criterion ids such as `1.1` hold dots);
//! - a field named with a trailing `-` (`#[serde(rename = "note-")]`, a map) takes every name that
//!   starts with it, the rest being the key (`note-N3`);
//! - a sequence takes the values sent under the name (ticked checkboxes), or rows `[0]…`, `[1]…`
//!   in the order of their number.
//!
//! A single value reads as serde_html_form reads it (text, numbers parsed, a blank `Option` as
//! `None`, unit enum variants by name). `#[serde(flatten)]` loses the grouping; form types do not
//! use it. Every error names the field as sent (`criteria[3].judgement: unknown value …`).
//!
//! The error, [`read`] and the name group are here; splitting a group by names is in `group`,
//! serde's deserializer over a group in `deserializer`, and its sequence and map readers in
//! `access`.

mod access;
mod deserializer;
mod group;
#[cfg(test)]
mod tests;

use std::fmt;

use serde::de;

/// Why a form could not be read, and the field at fault (as named in the form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError {
    /// The field as sent (`criteria[3].judgement`); empty when the fault is the whole form.
    pub field: String,
    /// What is wrong with it.
    pub reason: String,
    /// Whether `field` is the full name yet: errors made inside a visitor (a missing field) name
    /// the field relative to the group they were made in, which adds its own name.
    placed: bool,
}

impl FormError {
    fn at(field: &str, reason: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            reason: reason.into(),
            placed: true,
        }
    }

    /// The error made in the group named `name`, named in full.
    fn within(mut self, name: &str) -> Self {
        if !self.placed {
            self.field = join(name, &self.field);
            self.placed = true;
        }
        self
    }
}

impl fmt::Display for FormError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.reason)
        } else {
            write!(f, "{}: {}", self.field, self.reason)
        }
    }
}

impl std::error::Error for FormError {}

impl de::Error for FormError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self {
            field: String::new(),
            reason: msg.to_string(),
            placed: false,
        }
    }

    fn missing_field(field: &'static str) -> Self {
        Self {
            field: field.to_owned(),
            reason: "is required".to_owned(),
            placed: false,
        }
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        let expected = expected.join(", ");
        de::Error::custom(format_args!(
            "unknown value `{variant}` (expected one of {expected})"
        ))
    }

    fn unknown_field(field: &str, _expected: &'static [&'static str]) -> Self {
        Self {
            field: field.to_owned(),
            reason: "is not a field of this form".to_owned(),
            placed: false,
        }
    }
}

/// `name` + `.` + `child`, either part possibly empty (a `note-` prefix takes its key as is).
fn join(name: &str, child: &str) -> String {
    match (name.is_empty(), child.is_empty()) {
        (true, _) => child.to_owned(),
        (_, true) => name.to_owned(),
        _ if name.ends_with('-') => format!("{name}{child}"),
        _ => format!("{name}.{child}"),
    }
}

/// Reads `pairs` (name, value) into `T`.
pub fn read<'de, T: de::Deserialize<'de>>(pairs: &'de [(String, String)]) -> Result<T, FormError> {
    let top = Group {
        name: String::new(),
        values: Vec::new(),
        below: pairs
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect(),
    };
    T::deserialize(top)
}

/// The values sent under one name, and the names below it (with the name itself taken off:
/// `id` or `[0].id` below `criteria`).
struct Group<'de> {
    /// The name as sent (empty for the whole form).
    name: String,
    values: Vec<&'de str>,
    below: Vec<(&'de str, &'de str)>,
}
