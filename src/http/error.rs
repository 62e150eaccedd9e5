//! The one error type of the HTTP layer, mapped to RFC 9457 problem details in one place.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::db::DbError;

/// Everything a handler can fail with. Input problems are 4xx with a reason a person can act on;
/// anything else is a 500 whose cause is logged once and never shown.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Input failed validation: `errors` maps each field to its reason.
    #[error("{detail}")]
    Validation {
        /// A sentence about the whole request.
        detail: String,
        /// Field (dotted path) → reason.
        errors: BTreeMap<String, String>,
    },
    /// The request is malformed in a way that names no single field.
    #[error("{0}")]
    BadRequest(String),
    /// No valid credentials.
    #[error("sign in to continue")]
    Unauthorized,
    /// Signed in, but not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// Not there, or not visible to this user.
    #[error("not found")]
    NotFound,
    /// The path exists, but not with this method; these are the methods it takes.
    #[error("this path takes only {}", .0.join(", "))]
    MethodNotAllowed(Vec<&'static str>),
    /// The request conflicts with the current state (e.g. a locked portfolio).
    #[error("{0}")]
    Conflict(String),
    /// The unit is not complete; the gaps say what is missing.
    #[error("the unit is not complete: {} gap(s) remain", .0.len())]
    Incomplete(Vec<String>),
    /// The body is larger than allowed.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// The content type is not accepted.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// Too many attempts; retry after the given seconds.
    #[error("too many attempts; try again in {0} s")]
    TooManyRequests(u64),
    /// A dependency (the database) is not ready.
    #[error("{0}")]
    Unavailable(String),
    /// A fault on our side; the message is logged, not returned.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// A validation failure of one field.
    pub fn field(field: impl Into<String>, reason: impl Into<String>) -> Self {
        let (field, reason) = (field.into(), reason.into());
        Self::Validation {
            detail: format!("{field}: {reason}"),
            errors: BTreeMap::from([(field, reason)]),
        }
    }

    fn slug_and_title(&self) -> (&'static str, &'static str) {
        match self {
            Self::Validation { .. } => ("validation", "Invalid input"),
            Self::BadRequest(_) => ("bad-request", "Bad request"),
            Self::Unauthorized => ("unauthorized", "Sign-in required"),
            Self::Forbidden(_) => ("forbidden", "Not allowed"),
            Self::NotFound => ("not-found", "Not found"),
            Self::MethodNotAllowed(_) => ("method-not-allowed", "Method not allowed"),
            Self::Conflict(_) => ("conflict", "Conflict"),
            Self::Incomplete(_) => ("incomplete", "Requirements not met"),
            Self::PayloadTooLarge(_) => ("too-large", "Payload too large"),
            Self::UnsupportedMediaType(_) => ("unsupported-type", "Unsupported media type"),
            Self::TooManyRequests(_) => ("too-many-requests", "Too many requests"),
            Self::Unavailable(_) => ("unavailable", "Service unavailable"),
            Self::Internal(_) => ("internal", "Internal error"),
        }
    }
}

/// The problem details body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong in this request.
    pub detail: String,
    /// Field → reason, for validation failures.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub errors: BTreeMap<String, String>,
    /// What is still missing, in plain words, when requirements are not met.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gaps: Vec<String>,
}

/// `text` with each control character but tab and line breaks written as its escape (`\u{84}`).
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && !matches!(c, '\t' | '\n' | '\r') {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) | Self::Incomplete(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let (slug, title) = self.slug_and_title();
        let detail = match self {
            Self::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                "something went wrong on our side; the error has been logged".to_owned()
            }
            other => other.to_string(),
        };
        let errors = match self {
            Self::Validation { errors, .. } => errors.clone(),
            _ => BTreeMap::new(),
        };
        let gaps = match self {
            Self::Incomplete(gaps) => gaps.clone(),
            _ => Vec::new(),
        };
        // A problem may quote what the client sent (a form part's name, a field): any control
        // character in it is written as its escape, so the answer is text the document allows.
        let body = Problem {
            kind: format!("urn:attest:problem:{slug}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: printable(&detail),
            errors: errors
                .iter()
                .map(|(field, reason)| (printable(field), printable(reason)))
                .collect(),
            gaps: gaps.iter().map(|gap| printable(gap)).collect(),
        };
        let mut response = HttpResponse::build(status);
        response.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        if let Self::MethodNotAllowed(methods) = self {
            if let Ok(value) = HeaderValue::from_str(&methods.join(", ")) {
                response.insert_header((header::ALLOW, value));
            }
        }
        if let Self::TooManyRequests(seconds) = self {
            if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                response.insert_header((header::RETRY_AFTER, value));
            }
        }
        response.body(serde_json::to_string(&body).unwrap_or_default())
    }
}

impl From<DbError> for ApiError {
    fn from(err: DbError) -> Self {
        match err {
            DbError::Query(diesel::result::Error::NotFound) => Self::NotFound,
            DbError::Pool(e) => Self::Unavailable(format!("database busy: {e}")),
            DbError::Commit(e) => Self::Unavailable(format!("nothing was saved: {e}")),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(err: diesel::result::Error) -> Self {
        DbError::from(err).into()
    }
}

/// Turns a JSON body that failed to parse into a validation problem naming the field.
pub fn json_error(err: actix_web::error::JsonPayloadError) -> ApiError {
    use actix_web::error::JsonPayloadError as E;
    match err {
        E::Deserialize(e) => deserialize_problem(&e),
        E::ContentType => {
            ApiError::UnsupportedMediaType("send the body as application/json".into())
        }
        E::OverflowKnownLength { length, limit } => ApiError::PayloadTooLarge(format!(
            "body of {length} bytes exceeds the {limit}-byte limit"
        )),
        E::Overflow { limit } => {
            ApiError::PayloadTooLarge(format!("body exceeds the {limit}-byte limit"))
        }
        other => ApiError::BadRequest(format!("unreadable JSON body: {other}")),
    }
}

/// serde_json names the field for missing and unknown fields; for other errors the whole body is at fault.
fn deserialize_problem(err: &serde_json::Error) -> ApiError {
    let text = err.to_string();
    let named = |marker: &str| {
        text.split_once(marker)
            .and_then(|(_, rest)| rest.split('`').next())
            .map(str::to_owned)
    };
    if let Some(field) = named("missing field `") {
        return ApiError::field(field, "is required");
    }
    if let Some(field) = named("unknown field `") {
        return ApiError::field(field, "is not a known field");
    }
    ApiError::field("body", text)
}

impl From<crate::action::ActionError> for ApiError {
    fn from(err: crate::action::ActionError) -> Self {
        use crate::action::ActionError as A;
        match err {
            A::Invalid(errors) => {
                let detail = errors
                    .iter()
                    .map(|(field, reason)| format!("{field}: {reason}"))
                    .collect::<Vec<_>>()
                    .join("; ");
                Self::Validation { detail, errors }
            }
            A::NotFound => Self::NotFound,
            A::Forbidden(reason) => Self::Forbidden(reason),
            A::Conflict(reason) => Self::Conflict(reason),
            A::Incomplete(gaps) => Self::Incomplete(gaps),
            A::Unauthenticated(_) => Self::Unauthorized,
            A::Throttled(seconds) => Self::TooManyRequests(seconds),
            A::Db(db) => db.into(),
            A::Keys(keys) => Self::Internal(keys.to_string()),
            A::Fonts(fonts) => Self::Internal(fonts.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::to_bytes;

    #[actix_web::test]
    async fn validation_is_problem_json_with_field_errors() {
        let response = ApiError::field("email", "is required").error_response();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            response.headers().get(header::CONTENT_TYPE).unwrap(),
            "application/problem+json"
        );
        let body = to_bytes(response.into_body()).await.unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json["status"], 422);
        assert_eq!(json["errors"]["email"], "is required");
        assert_eq!(json["type"], "urn:attest:problem:validation");
    }

    #[actix_web::test]
    async fn internal_errors_hide_their_cause() {
        let response = ApiError::Internal("password=hunter2".into()).error_response();
        let body = to_bytes(response.into_body()).await.unwrap();
        assert!(!String::from_utf8_lossy(&body).contains("hunter2"));
    }

    #[test]
    fn serde_messages_name_the_field() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[expect(dead_code)]
        struct Login {
            email: String,
        }
        let missing = serde_json::from_str::<Login>("{}").unwrap_err();
        assert!(
            matches!(deserialize_problem(&missing), ApiError::Validation { errors, .. } if errors.contains_key("email"))
        );
        let unknown = serde_json::from_str::<Login>(r#"{"email":"a","x":1}"#).unwrap_err();
        assert!(
            matches!(deserialize_problem(&unknown), ApiError::Validation { errors, .. } if errors.contains_key("x"))
        );
    }
}
