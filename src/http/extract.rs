//! What every request's text must pass, in one place: a JSON body extractor whose errors name the
//! field as a path (`criteria[0].range`), so every bad body is a 422 problem that says exactly what
//! to fix, and the one check that text holds no control characters ([`check_text`]), applied to JSON
//! bodies here, to forms by their extractor, and to every URL by [`plain_url`].

use std::future::Future;
use std::pin::Pin;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpRequest, ResponseError, web};
use serde::de::DeserializeOwned;

use super::ApiError;
use super::strict::Strict;

/// The largest JSON body accepted.
pub const JSON_LIMIT: usize = 1 << 20;

/// A JSON body, deserialised strictly.
#[derive(Debug)]
pub struct ValidJson<T>(pub T);

impl<T> ValidJson<T> {
    /// The value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// Refuses text holding NUL or any other control character, naming `field`. Tab, line feed and
/// carriage return pass (multi-line text needs them). PostgreSQL cannot store NUL at all, and the
/// other control characters are never meant as text, so both backends refuse them alike.
pub fn check_text(field: &str, text: &str) -> Result<(), ApiError> {
    match text
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        None => Ok(()),
        // The field's own name may hold the character (a JSON key, a query parameter).
        Some(c) => Err(ApiError::field(
            printable(field),
            format!(
                "contains the control character U+{:04X}; only tab and line breaks are allowed in text",
                u32::from(c)
            ),
        )),
    }
}

/// `text` with each control character written as its Rust escape (`\u{1b}`), fit to show.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Middleware: refuses a request whose path or query string decodes to text [`check_text`]
/// refuses, before any handler (or the database) sees it. A query parameter is named as itself.
pub async fn plain_url(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if let Err(refused) = check_url(req.path(), req.query_string()) {
        let response = refused.error_response();
        return Ok(req.into_response(response).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

fn check_url(path: &str, query: &str) -> Result<(), ApiError> {
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    check_text("path", &decoded)?;
    // A query string that is not valid form encoding is left to the handler's own extractor.
    if let Ok(pairs) = web::Query::<Vec<(String, String)>>::from_query(query) {
        for (name, value) in pairs.iter() {
            check_text(name, name)?;
            check_text(name, value)?;
        }
    }
    Ok(())
}

/// Checks every string and key of a JSON value, naming each by its path as serde errors do.
fn check_json_text(path: &str, value: &serde_json::Value) -> Result<(), ApiError> {
    use serde_json::Value;
    let at = |field: &str| {
        if path.is_empty() {
            field.to_owned()
        } else {
            format!("{path}.{field}")
        }
    };
    match value {
        Value::String(text) => check_text(if path.is_empty() { "body" } else { path }, text),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| check_json_text(&format!("{path}[{i}]"), item)),
        Value::Object(fields) => fields.iter().try_for_each(|(key, item)| {
            check_text(&at(key), key)?;
            check_json_text(&at(key), item)
        }),
        Value::Null | Value::Bool(_) | Value::Number(_) => Ok(()),
    }
}

/// Parses a typed id (`EnrolmentId`, `OrgId`, …) from a request path, once, at the edge: a
/// malformed id names nothing that exists, so it is a 404 (as `api::path_id` answers for a bare
/// uuid). For API and page handlers alike.
pub fn typed_path_id<T: crate::db::ids::Id>(raw: &str) -> Result<T, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound)
}

/// Parses `bytes` as `T`, naming the field at fault. The body must be one JSON value (nothing
/// after it but white space) whose text passes [`check_text`].
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|err| {
        let message = err.to_string();
        ApiError::field("body", without_position(&message))
    })?;
    check_json_text("", &value)?;
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(Strict(&mut deserializer)).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let message = inner.to_string();
        let reason = without_position(&message);
        if let Some(field) = between(&reason, "missing field `", "`") {
            let at = if path == "." {
                field.to_owned()
            } else {
                format!("{path}.{field}")
            };
            return ApiError::field(at, "is required");
        }
        if reason.starts_with("unknown field `") {
            // The path already ends with the unknown field's name.
            return ApiError::field(path, format!("is not a known field ({reason})"));
        }
        let at = if path == "." { "body".to_owned() } else { path };
        ApiError::field(at, reason)
    })
}

/// serde_json appends " at line L column C"; the field path says more to an API client.
fn without_position(message: &str) -> String {
    message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_owned()
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let rest = text.split_once(start)?.1;
    rest.split(end).next()
}

impl<T: DeserializeOwned + 'static> FromRequest for ValidJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = req
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !is_json {
                return Err(ApiError::UnsupportedMediaType(
                    "send the body as application/json".into(),
                ));
            }
            let bytes = body
                .await
                .map_err(|e| ApiError::PayloadTooLarge(format!("body not read: {e}")))?;
            if bytes.len() > JSON_LIMIT {
                return Err(ApiError::PayloadTooLarge(format!(
                    "JSON bodies are limited to {JSON_LIMIT} bytes"
                )));
            }
            parse_json(&bytes).map(ValidJson)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn a_malformed_path_id_is_a_404_problem() {
        use crate::db::ids::{EnrolmentId, Id};
        use actix_web::{App, HttpResponse, test};

        async fn show(path: web::Path<String>) -> Result<HttpResponse, ApiError> {
            let id: EnrolmentId = typed_path_id(&path)?;
            Ok(HttpResponse::Ok().body(id.to_string()))
        }
        let app =
            test::init_service(App::new().route("/enrolments/{id}", web::get().to(show))).await;
        let id = EnrolmentId::random();
        for (path, status) in [
            (format!("/enrolments/{id}"), 200),
            // Read as leniently as before; answered in the stored form.
            (format!("/enrolments/{}", id.uuid().simple()), 200),
            ("/enrolments/not-an-id".to_owned(), 404),
            (format!("/enrolments/{id}x"), 404),
            ("/enrolments/12345".to_owned(), 404),
        ] {
            let reply =
                test::call_service(&app, test::TestRequest::get().uri(&path).to_request()).await;
            assert_eq!(reply.status().as_u16(), status, "{path}");
            let kind = reply
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let body = test::read_body(reply).await;
            if status == 200 {
                assert_eq!(body, id.to_string().as_bytes(), "{path}");
            } else {
                assert_eq!(kind.as_deref(), Some("application/problem+json"), "{path}");
            }
        }
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code)]
    struct Body {
        name: String,
        items: Vec<Item>,
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code)]
    struct Item {
        count: u32,
    }

    fn field_of(json: &str) -> String {
        match parse_json::<Body>(json.as_bytes()) {
            Err(ApiError::Validation { errors, .. }) => errors.keys().next().cloned().unwrap(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn control_characters_are_refused_by_field() {
        assert_eq!(field_of("{\"name\": \"a\\u0000b\", \"items\": []}"), "name");
        assert_eq!(
            field_of("{\"name\": \"a\", \"items\": [{\"count\": 1, \"x\\u001b\": 1}]}"),
            "items[0].x\\u{1b}"
        );
        assert!(parse_json::<Body>(b"{\"name\": \"two\\nlines\\tand\\r\", \"items\": []}").is_ok());
        assert!(check_text("q", "caf\u{e9} \u{1F600}").is_ok());
        for refused in ["\0", "\u{7}", "\u{7f}", "\u{85}", "\u{9f}"] {
            assert!(check_text("q", refused).is_err(), "{refused:?}");
        }
        assert!(check_url("/api/standards/a%00b", "").is_err());
        assert!(
            matches!(check_url("/x", "per_page=1&cohort=a%01"), Err(ApiError::Validation { errors, .. }) if errors.contains_key("cohort"))
        );
        assert!(check_url("/x", "note=two%0Alines").is_ok());
    }

    #[test]
    fn a_struct_is_an_object_never_an_array() {
        assert_eq!(field_of("[]"), "body");
        assert_eq!(field_of("[null, null]"), "body");
        assert_eq!(field_of(r#"["a", []]"#), "body");
        assert_eq!(field_of(r#"{"name": "a", "items": [[1]]}"#), "items[0]");
        assert!(parse_json::<Body>(br#"{"name": "a", "items": [{"count": 1}]}"#).is_ok());
    }

    #[test]
    fn one_value_and_nothing_after_it() {
        assert_eq!(field_of(r#"{"name": "a", "items": []}}}}"#), "body");
        assert_eq!(field_of(r#"{"name": "a", "items": []} {}"#), "body");
        assert!(parse_json::<Body>(b" {\"name\": \"a\", \"items\": []} \n").is_ok());
    }

    #[test]
    fn errors_name_the_field_path() {
        assert_eq!(field_of(r#"{"items": []}"#), "name");
        assert_eq!(
            field_of(r#"{"name": "a", "items": [{"count": -1}]}"#),
            "items[0].count"
        );
        assert_eq!(
            field_of(r#"{"name": "a", "items": [{"count": 1, "x": 2}]}"#),
            "items[0].x"
        );
        assert_eq!(field_of(r#"{"name": 5, "items": []}"#), "name");
        assert_eq!(field_of("not json"), "body");
    }
}
