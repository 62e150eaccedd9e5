//! Sign-off and internal verification. `snapshot`, `sampling` and `requirements` are pure (plain
//! data in and out); `chain`, `plans` and `statements` apply them to the database.
//!
//! - [`snapshot`]: the canonical JSON of a portfolio and its SHA-256, recorded with every sign-off.
//! - [`sampling`]: the internal verifier's reproducible sample (seeded draw plus CAMERA coverage
//!   rules and risk-rated rates) and the plan's coverage so far.
//! - [`chain`], [`plans`] and [`draws`]: the same in the database — signatures, decisions, plans,
//!   their frozen draws, samples.
//! - [`requirements`]: the sign-off chain a standard requires, what is missing, and whether a
//!   statement of competence can be issued.

pub mod actions;
pub mod chain;
pub mod draws;
pub mod feedback;
pub mod plans;
pub mod requirements;
pub mod sampling;
pub mod sampling_settings;
pub mod snapshot;
pub mod statements;

pub use requirements::{SignOffRecord, SignOffStatus, check, required};
pub use sampling::{PlanInput, Selection, select};
pub use snapshot::{canonical_json, snapshot_hash};
