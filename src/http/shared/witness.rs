//! Witness links.

use crate::http::ApiError;

/// A link token: 43 base64url characters, or nothing that exists.
pub fn check_token(raw: &str) -> Result<String, ApiError> {
    let ok = raw.len() == 43
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(ApiError::NotFound)
    }
}
