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

use std::fmt;

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};

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

impl<'de> Group<'de> {
    fn leaf(name: String, value: &'de str) -> Self {
        Self {
            name,
            values: vec![value],
            below: Vec::new(),
        }
    }

    /// Adds `rest` (what follows this group's name) with its value.
    fn add(&mut self, rest: &'de str, value: &'de str) {
        if rest.is_empty() {
            self.values.push(value);
        } else {
            self.below
                .push((rest.strip_prefix('.').unwrap_or(rest), value));
        }
    }

    /// The one value sent under this name.
    fn one(&self) -> Result<&'de str, FormError> {
        match (self.values.as_slice(), self.below.is_empty()) {
            ([value], true) => Ok(value),
            ([_, _, ..], _) => Err(FormError::at(&self.name, "is sent more than once")),
            _ => Err(FormError::at(
                &self.name,
                "is a group of fields, not one value",
            )),
        }
    }

    fn fail(&self, reason: &str) -> FormError {
        FormError::at(&self.name, reason)
    }

    /// The entries below, by key: `[key]rest` or `.key` (the whole rest), in the order sent.
    fn entries(self) -> Result<Vec<(&'de str, Group<'de>)>, FormError> {
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
    fn rows(self) -> Result<Vec<Group<'de>>, FormError> {
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
    fn fields(self, fields: &'static [&'static str]) -> Vec<(&'static str, Group<'de>)> {
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

macro_rules! parsed {
    ($($method:ident => $ty:ty, $what:literal;)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
                let value = self.one()?;
                let parsed: $ty = value
                    .trim()
                    .parse()
                    .map_err(|_| self.fail(concat!("is not ", $what)))?;
                parsed
                    .into_deserializer()
                    .$method(visitor)
                    .map_err(|e: FormError| e.within(&self.name))
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for Group<'de> {
    type Error = FormError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        if !self.below.is_empty() {
            self.deserialize_map(visitor)
        } else if self.values.len() > 1 {
            self.deserialize_seq(visitor)
        } else {
            self.deserialize_str(visitor)
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        let value = self.one()?;
        visitor
            .visit_borrowed_str::<FormError>(value)
            .map_err(|e| e.within(&self.name))
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        self.deserialize_str(visitor)
    }

    parsed! {
        deserialize_bool => bool, "true or false";
        deserialize_u8 => u8, "a whole number";
        deserialize_u16 => u16, "a whole number";
        deserialize_u32 => u32, "a whole number";
        deserialize_u64 => u64, "a whole number";
        deserialize_i8 => i8, "a whole number";
        deserialize_i16 => i16, "a whole number";
        deserialize_i32 => i32, "a whole number";
        deserialize_i64 => i64, "a whole number";
        deserialize_f32 => f32, "a number";
        deserialize_f64 => f64, "a number";
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        // A blank single value is no value, as serde_html_form reads it.
        if self.below.is_empty() && matches!(self.values.as_slice(), [""]) {
            return visitor.visit_none();
        }
        let name = self.name.clone();
        visitor.visit_some(self).map_err(|e| e.within(&name))
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, FormError> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, FormError> {
        let name = self.name.clone();
        visitor
            .visit_newtype_struct(self)
            .map_err(|e| e.within(&name))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        let name = self.name.clone();
        let items: Vec<Group<'de>> = if self.below.is_empty() {
            self.values
                .iter()
                .map(|value| Group::leaf(name.clone(), value))
                .collect()
        } else if self.values.is_empty() {
            self.rows()?
        } else {
            return Err(self.fail("is sent both as values and as rows"));
        };
        visitor
            .visit_seq(Items(items.into_iter()))
            .map_err(|e| e.within(&name))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, FormError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, FormError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        if !self.values.is_empty() {
            return Err(self.fail("is one value, not a group of fields"));
        }
        let name = self.name.clone();
        let entries = self.entries()?;
        visitor
            .visit_map(Entries {
                entries: entries.into_iter(),
                next: None,
            })
            .map_err(|e| e.within(&name))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, FormError> {
        if !self.values.is_empty() {
            return Err(self.fail("is one value, not a group of fields"));
        }
        let name = self.name.clone();
        let groups = self.fields(fields);
        visitor
            .visit_map(Fields {
                groups: groups.into_iter(),
                next: None,
            })
            .map_err(|e| e.within(&name))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, FormError> {
        let value = self.one()?;
        visitor
            .visit_enum(BorrowedStrDeserializer::<FormError>::new(value))
            .map_err(|e| e.within(&self.name))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        visitor.visit_unit()
    }
}

/// The items of a sequence.
struct Items<'de>(std::vec::IntoIter<Group<'de>>);

impl<'de> SeqAccess<'de> for Items<'de> {
    type Error = FormError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, FormError> {
        self.0.next().map(|item| seed.deserialize(item)).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

/// The entries of a map: each key read as a single value (so numbers parse), named as its entry.
struct Entries<'de> {
    entries: std::vec::IntoIter<(&'de str, Group<'de>)>,
    next: Option<Group<'de>>,
}

impl<'de> MapAccess<'de> for Entries<'de> {
    type Error = FormError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, FormError> {
        let Some((key, group)) = self.entries.next() else {
            return Ok(None);
        };
        let name = group.name.clone();
        self.next = Some(group);
        seed.deserialize(Group::leaf(name, key)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, FormError> {
        match self.next.take() {
            Some(group) => seed.deserialize(group),
            None => Err(de::Error::custom("a value without its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// The fields of a struct that were sent.
struct Fields<'de> {
    groups: std::vec::IntoIter<(&'static str, Group<'de>)>,
    next: Option<Group<'de>>,
}

impl<'de> MapAccess<'de> for Fields<'de> {
    type Error = FormError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, FormError> {
        let Some((field, group)) = self.groups.next() else {
            return Ok(None);
        };
        self.next = Some(group);
        seed.deserialize(BorrowedStrDeserializer::<FormError>::new(field))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, FormError> {
        match self.next.take() {
            Some(group) => seed.deserialize(group),
            None => Err(de::Error::custom("a value without its field")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.groups.len())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Deserialize;

    use super::*;

    fn sent(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "snake_case")]
    enum Verdict {
        Accepted,
        Rejected,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Row {
        id: String,
        verdict: Verdict,
        #[serde(default)]
        feedback: Option<String>,
    }

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default)]
    struct Witness {
        name: String,
        job_title: String,
    }

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default)]
    struct Details {
        summary: String,
        witness: Witness,
    }

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default)]
    struct Judged {
        criteria: Vec<Row>,
        result: BTreeMap<String, String>,
        question: BTreeMap<usize, String>,
        details: Details,
        ticked: Vec<String>,
        #[serde(rename = "vacs.valid")]
        valid: String,
        #[serde(rename = "vacs.valid.note")]
        valid_note: String,
        count: Option<u32>,
    }

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default)]
    struct Marked {
        confirm: Vec<String>,
        note: String,
        #[serde(rename = "note-")]
        notes: BTreeMap<String, String>,
    }

    #[test]
    fn a_prefix_ending_in_a_dash_keys_a_map() {
        let marked: Marked = read(&sent(&[
            ("confirm", "N3"),
            ("note", "all"),
            ("note-N3", "seen"),
            ("note-1.2", "also"),
        ]))
        .unwrap();
        assert_eq!(marked.confirm, ["N3"]);
        assert_eq!(marked.note, "all");
        assert_eq!(
            marked.notes,
            BTreeMap::from([
                ("1.2".to_owned(), "also".to_owned()),
                ("N3".to_owned(), "seen".to_owned())
            ])
        );
        let twice = read::<Marked>(&sent(&[("note-N3", "a"), ("note-N3", "b")]));
        assert_eq!(
            twice.unwrap_err().to_string(),
            "note-N3: is sent more than once"
        );
    }

    fn read_judged(pairs: &[(&str, &str)]) -> Result<Judged, FormError> {
        read(&sent(pairs))
    }

    fn fault(pairs: &[(&str, &str)]) -> String {
        match read_judged(pairs) {
            Ok(read) => panic!("read {read:?}"),
            Err(err) => err.to_string(),
        }
    }

    #[test]
    fn names_group_into_rows_maps_and_structs() {
        let judged = read_judged(&[
            ("csrf", "t"),
            ("criteria[1].id", "2.1"),
            ("criteria[0].id", "1.1"),
            ("criteria[1].verdict", "rejected"),
            ("criteria[1].feedback", "Say more"),
            ("criteria[0].verdict", "accepted"),
            ("criteria[0].feedback", ""),
            ("result.1.1", "shown"),
            ("result.2.10", "not_shown"),
            ("question.1", "Why?"),
            ("question.0", "How?"),
            ("details.summary", "A call"),
            ("details.witness.job_title", "Lead"),
            ("ticked", "a"),
            ("ticked", "b"),
            ("vacs.valid", "yes"),
            ("vacs.valid.note", "fine"),
            ("count", " 3 "),
        ])
        .unwrap();
        assert_eq!(
            judged.criteria,
            vec![
                Row {
                    id: "1.1".into(),
                    verdict: Verdict::Accepted,
                    feedback: None,
                },
                Row {
                    id: "2.1".into(),
                    verdict: Verdict::Rejected,
                    feedback: Some("Say more".into()),
                },
            ]
        );
        assert_eq!(
            judged.result,
            BTreeMap::from([
                ("1.1".to_owned(), "shown".to_owned()),
                ("2.10".to_owned(), "not_shown".to_owned())
            ])
        );
        assert_eq!(
            judged.question,
            BTreeMap::from([(0, "How?".to_owned()), (1, "Why?".to_owned())])
        );
        assert_eq!(judged.details.summary, "A call");
        assert_eq!(judged.details.witness.job_title, "Lead");
        assert_eq!(judged.ticked, ["a", "b"]);
        assert_eq!(
            (judged.valid.as_str(), judged.valid_note.as_str()),
            ("yes", "fine")
        );
        assert_eq!(judged.count, Some(3));
        assert_eq!(read_judged(&[]).unwrap(), Judged::default());
        assert_eq!(read_judged(&[("count", "")]).unwrap().count, None);
    }

    #[test]
    fn a_missing_field_is_named() {
        assert_eq!(
            fault(&[
                ("criteria[0].id", "1.1"),
                ("criteria[1].id", "1.2"),
                ("criteria[0].verdict", "accepted")
            ]),
            "criteria[1].verdict: is required"
        );
    }

    #[test]
    fn a_repeated_field_is_named() {
        assert_eq!(
            fault(&[
                ("criteria[0].id", "1.1"),
                ("criteria[0].verdict", "accepted"),
                ("criteria[0].verdict", "rejected"),
            ]),
            "criteria[0].verdict: is sent more than once"
        );
        assert_eq!(
            fault(&[("result.1.1", "shown"), ("result.1.1", "not_shown")]),
            "result.1.1: is sent more than once"
        );
        assert_eq!(
            fault(&[("vacs.valid", "yes"), ("vacs.valid", "no")]),
            "vacs.valid: is sent more than once"
        );
    }

    #[test]
    fn a_malformed_index_is_named() {
        assert_eq!(
            fault(&[("criteria[x].id", "1.1")]),
            "criteria[x]: is not a row of `criteria` (rows are `criteria[0]`, `criteria[1]`, …)"
        );
        assert_eq!(
            fault(&[("criteria[01].id", "1.1")]),
            "criteria[01]: is not a row of `criteria` (rows are `criteria[0]`, `criteria[1]`, …)"
        );
        assert_eq!(
            fault(&[("criteria.0.id", "1.1")]),
            "criteria.0.id: is not a row of `criteria` (rows are `criteria[0]`, `criteria[1]`, …)"
        );
        assert_eq!(
            fault(&[("criteria[0.id", "1.1")]),
            "criteria[0.id: has a `[` without its `]`"
        );
        assert_eq!(
            fault(&[("question.first", "Why?")]),
            "question.first: is not a whole number"
        );
    }

    #[test]
    fn a_malformed_value_is_named() {
        assert_eq!(
            fault(&[("criteria[3].id", "1.1"), ("criteria[3].verdict", "maybe")]),
            "criteria[3].verdict: unknown value `maybe` (expected one of accepted, rejected)"
        );
        assert_eq!(fault(&[("count", "three")]), "count: is not a whole number");
        assert_eq!(
            fault(&[("details", "x")]),
            "details: is one value, not a group of fields"
        );
        assert_eq!(
            fault(&[("ticked", "a"), ("ticked[0]", "b")]),
            "ticked: is sent both as values and as rows"
        );
    }
}
