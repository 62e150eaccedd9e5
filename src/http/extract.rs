//! A JSON body extractor whose errors name the field as a path (`criteria[0].range`), so every bad
//! body is a 422 problem that says exactly what to fix.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use serde::de::DeserializeOwned;

use super::ApiError;

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

/// Parses `bytes` as `T`, naming the field at fault.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let message = inner.to_string();
        // serde_json appends " at line L column C"; the field path says more to an API client.
        let reason = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_owned();
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
