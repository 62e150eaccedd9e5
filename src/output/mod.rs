//! Documents Attest produces: PDF statements, exports.

pub mod export;
pub mod pdf;
