//! Submitted forms: the fields as sent (names may repeat, as checkboxes do), and what a form shown
//! again needs — the values typed and an error next to each field at fault.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use actix_web::dev::{Payload, UrlEncoded};
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::view::PageError;
use crate::action::ActionError;
use crate::http::ApiError;
use crate::http::extract::check_text;

mod names;

/// The largest form body accepted (witness statements and notes can be long).
const FORM_LIMIT: usize = 1 << 20;

/// The name of the hidden CSRF field on every form.
pub const CSRF_FIELD: &str = "csrf";

/// Form fields in the order sent.
#[derive(Debug, Clone, Default)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    /// Fields from pairs (tests, multipart parts).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        Self(pairs)
    }

    /// Adds one field.
    pub fn push(&mut self, name: String, value: String) {
        self.0.push((name, value));
    }

    /// Adds one field as sent by a client, refusing control characters in its name or value
    /// (the one text check every form shares with the API).
    pub fn push_checked(&mut self, name: String, value: String) -> Result<(), ApiError> {
        check_text(&name, &name)?;
        check_text(&name, &value)?;
        self.push(name, value);
        Ok(())
    }

    /// The first value of `name`, as sent ("" when absent).
    pub fn text(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Every non-blank value of `name` (ticked checkboxes), in order.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, v)| n == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_owned())
            .collect()
    }

    /// The CSRF token the form carried.
    pub fn csrf(&self) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == CSRF_FIELD)
            .map(|(_, v)| v.as_str())
    }

    /// Every field, in order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    /// The fields read into a form type (`#[derive(Deserialize)]`, `#[serde(default)]`), by the
    /// one reader every form goes through ([`names`]): a name sent more than once (ticked
    /// checkboxes) into a `Vec`, an absent one as its default, names the type does not know (the
    /// CSRF token) left out; names built at run time group under their prefix — rows from
    /// `criteria[0].id`, map entries from `result.1.1`, nested structs from `details.witness.name`.
    /// A body of the wrong shape (a name repeated where one value is expected, a malformed row
    /// number) is a 400 naming the field, as an unreadable form is; what was typed is checked by
    /// the page, which names the field. The pairs have passed the text check already.
    pub fn read<T: DeserializeOwned>(&self) -> Result<T, PageError> {
        names::read(&self.0)
            .map_err(|e| PageError::Api(ApiError::BadRequest(format!("unreadable form: {e}"))))
    }
}

impl FromRequest for Fields {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = UrlEncoded::<Vec<(String, String)>>::new(req, payload).limit(FORM_LIMIT);
        Box::pin(async move {
            let pairs = body.await.map_err(|e| {
                PageError::Api(ApiError::BadRequest(format!("unreadable form: {e}")))
            })?;
            let mut fields = Fields::default();
            for (name, value) in pairs {
                fields.push_checked(name, value)?;
            }
            Ok(fields)
        })
    }
}

/// A checkbox: ticked when its name is sent at all, whatever the value (absent: the default).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Ticked(pub bool);

impl<'de> Deserialize<'de> for Ticked {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(deserializer).map(|_| Self(true))
    }
}

/// The value trimmed, when not blank (a text box left empty is no answer).
pub fn filled(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// The non-blank values, trimmed, in order (ticked checkboxes).
pub fn ticked(values: &[String]) -> Vec<String> {
    values.iter().filter_map(|v| filled(v)).collect()
}

/// A form shown again: what was typed (never passwords or the CSRF token) and the errors by field.
/// Templates also get `summary`: each error with the id of its field (`f-` + [`dom_id`]), for the
/// list of links at the top of the form.
#[derive(Debug, Clone, Default)]
pub struct FormState {
    /// Field name → the first value typed.
    pub values: BTreeMap<String, String>,
    /// Field name → what is wrong with it.
    pub errors: BTreeMap<String, String>,
    /// The fields in the order the form sent them: the summary lists errors in that order (the
    /// order of the page), fields not sent (an unticked box, a file) last.
    pub order: Vec<String>,
}

impl FormState {
    /// An empty form with these starting values.
    pub fn with_values(values: impl IntoIterator<Item = (String, String)>) -> Self {
        Self {
            values: values.into_iter().collect(),
            errors: BTreeMap::new(),
            order: Vec::new(),
        }
    }

    /// The form as sent, with `errors` (reasons as the action layer words them: "is required").
    pub fn again(fields: &Fields, errors: BTreeMap<String, String>) -> Self {
        let mut values = BTreeMap::new();
        let mut order: Vec<String> = Vec::new();
        for (name, value) in fields.pairs() {
            if !order.contains(name) {
                order.push(name.clone());
            }
            if name == CSRF_FIELD || name.contains("password") {
                continue;
            }
            values.entry(name.clone()).or_insert_with(|| value.clone());
        }
        let errors = errors
            .into_iter()
            .map(|(field, reason)| {
                let sentence = sentence(&field, &reason);
                (field, sentence)
            })
            .collect();
        Self {
            values,
            errors,
            order,
        }
    }

    /// Whether any field is at fault.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// The error for `field`, if any.
    pub fn error(&self, field: &str) -> Option<String> {
        self.errors.get(field).cloned()
    }
}

#[derive(Serialize)]
struct ErrorLink<'a> {
    message: &'a str,
    anchor: String,
}

impl Serialize for FormState {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let place = |field: &str| {
            self.order
                .iter()
                .position(|sent| sent == field || field.starts_with(&format!("{sent}.")))
                .unwrap_or(usize::MAX)
        };
        let mut errors: Vec<(&String, &String)> = self.errors.iter().collect();
        errors.sort_by_cached_key(|(field, _)| place(field));
        let summary: Vec<ErrorLink<'_>> = errors
            .into_iter()
            .map(|(field, message)| ErrorLink {
                message,
                anchor: field_id(field),
            })
            .collect();
        let mut s = serializer.serialize_struct("FormState", 3)?;
        s.serialize_field("values", &self.values)?;
        s.serialize_field("errors", &self.errors)?;
        s.serialize_field("summary", &summary)?;
        s.end()
    }
}

/// A reason as a sentence a person reads next to the field or in the summary: "is required" on
/// `details.witness.job_title` becomes "Job title is required".
pub fn sentence(field: &str, reason: &str) -> String {
    let reason = reason.trim().trim_end_matches('.');
    let starts_with_verb = [
        "is ", "are ", "must ", "starts ", "cannot ", "has ", "needs ",
    ]
    .iter()
    .any(|verb| reason.starts_with(verb));
    if !starts_with_verb {
        return super::view::capitalise(reason);
    }
    let name = field
        .rsplit('.')
        .find(|part| !part.is_empty() && !part.chars().all(|c| c.is_ascii_digit()))
        .unwrap_or(field);
    let name = name.split('[').next().unwrap_or(name);
    let name = match name {
        "candidate_id" => "the candidate",
        "assessor_id" => "the assessor",
        "iv_id" => "the internal verifier",
        other => other,
    }
    .replace('_', " ");
    super::view::capitalise(&format!("{name} {reason}"))
}

/// The HTML id of the control for a field name: `f-` + [`dom_id`].
pub fn field_id(field: &str) -> String {
    format!("f-{}", dom_id(&[field]))
}

/// Field errors of a refused action, to show on the form; any other failure passes through.
pub fn field_errors(err: ActionError) -> Result<BTreeMap<String, String>, PageError> {
    match err {
        ActionError::Invalid(errors) => Ok(errors),
        other => Err(other.into()),
    }
}

/// A value safe to use in an HTML `id` (criterion ids hold dots, range ids underscores).
pub fn dom_id(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|part| {
            part.chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("--")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        Fields::from_pairs(
            pairs
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[derive(Debug, Default, serde::Deserialize, PartialEq)]
    #[serde(default)]
    struct Picked {
        name: String,
        ticked: Vec<String>,
        note: Option<String>,
    }

    #[test]
    fn a_form_reads_into_its_type() {
        let sent = fields(&[
            ("csrf", "token"),
            ("ticked", "a"),
            ("name", "Ana & Bo = 100%"),
            ("ticked", "b c"),
        ]);
        let picked: Picked = sent.read().unwrap();
        assert_eq!(
            picked,
            Picked {
                name: "Ana & Bo = 100%".into(),
                ticked: vec!["a".into(), "b c".into()],
                note: None,
            }
        );
        assert_eq!(fields(&[]).read::<Picked>().unwrap(), Picked::default());
        // One value expected, two sent: the body is not one this form makes.
        let twice = fields(&[("name", "a"), ("name", "b")]);
        assert!(matches!(
            twice.read::<Picked>(),
            Err(PageError::Api(ApiError::BadRequest(_)))
        ));
    }

    #[test]
    fn the_summary_lists_errors_in_the_order_of_the_form() {
        let sent = fields(&[
            ("name", ""),
            ("email", "x"),
            ("details.witness.name", ""),
            ("password", ""),
        ]);
        let errors = BTreeMap::from(
            [
                ("declaration", "confirm it"),
                ("password", "is too short"),
                ("email", "is not an email address"),
                ("details.witness.name.first", "is required"),
                ("name", "is required"),
            ]
            .map(|(f, r)| (f.to_owned(), r.to_owned())),
        );
        let form = serde_json::to_value(FormState::again(&sent, errors)).unwrap();
        let anchors: Vec<&str> = form["summary"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["anchor"].as_str().unwrap())
            .collect();
        assert_eq!(
            anchors,
            [
                "f-name",
                "f-email",
                "f-details-witness-name-first",
                "f-password",
                "f-declaration"
            ]
        );
    }

    #[test]
    fn repeated_names_are_all_kept_in_order() {
        let f = fields(&[
            ("channel", "phone"),
            ("x", " a "),
            ("channel", "email"),
            ("channel", " "),
        ]);
        assert_eq!(f.all("channel"), vec!["phone", "email"]);
        assert_eq!(f.text("channel"), "phone");
    }

    #[test]
    fn a_form_shown_again_keeps_what_was_typed_but_not_secrets() {
        let f = fields(&[
            ("email", "a@b.nz"),
            ("password", "hunter22hunter"),
            ("csrf", "t"),
        ]);
        let state = FormState::again(
            &f,
            BTreeMap::from([("email".into(), "is already registered".into())]),
        );
        assert_eq!(
            state.values.get("email").map(String::as_str),
            Some("a@b.nz")
        );
        assert!(!state.values.contains_key("password"));
        assert!(!state.values.contains_key("csrf"));
        assert_eq!(
            state.error("email").as_deref(),
            Some("Email is already registered")
        );
    }

    #[test]
    fn reasons_read_as_sentences() {
        assert_eq!(sentence("email", "is required"), "Email is required");
        assert_eq!(
            sentence("iv_id", "is not an internal verifier in this organisation"),
            "The internal verifier is not an internal verifier in this organisation"
        );
        assert_eq!(
            sentence("details.witness.job_title", "is required"),
            "Job title is required"
        );
        assert_eq!(
            sentence("declaration", "confirm that this evidence is your own work"),
            "Confirm that this evidence is your own work"
        );
    }

    #[test]
    fn dom_ids_are_plain() {
        assert_eq!(
            dom_id(&["range", "1.1", "greeting_requirements"]),
            "range--1-1--greeting-requirements"
        );
    }
}
