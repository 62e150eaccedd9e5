//! Retention and erasure: per-organisation rules for how long records are kept after an enrolment
//! closes, applied by `attest retention apply`; the erasure of a person's data on request; the
//! subject-access export. See docs/privacy.md.
//!
//! What regulators require is kept: the certification record (enrolment, sign-offs, statement and
//! its credential) and the audit trail. Erasure removes content, never links: rows keep their ids,
//! so every reference and the audit hash chain stay intact.

pub mod actions;
mod clearing;
mod erasure;
mod retention;
mod subject;

pub use clearing::*;
pub use erasure::*;
pub use retention::*;
pub use subject::*;
