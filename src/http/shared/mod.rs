//! What the API handlers and the page handlers both use — parsing ids, authorizing against a loaded
//! enrolment, the shared loaders and the actions both answer with — kept below both, so neither
//! imports from the other (`tests/layering.rs` keeps it so).

pub mod enrolments;
pub mod exports;
pub mod question_sets;
pub mod sign_in;
pub mod standards;
pub mod statements;
pub mod witness;

use uuid::Uuid;

use super::ApiError;

/// Parses an id from the path; a malformed id names nothing that exists, so it is a 404.
pub fn path_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::NotFound)
}
