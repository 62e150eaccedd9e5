//! Unit standards as data: the YAML model, the strict loader and its checks. Pure: no actix, no diesel.
//!
//! - [`model`] and [`rule`]: the types, which *are* the YAML format (`docs/standards.md`,
//!   `standards/schema.json`).
//! - [`load_dir`] / [`load_file`]: strict reading with `file:line:column: path: reason` errors.
//! - [`find`], [`outline`], [`json_schema`]: finding a standard, its outline and the format's JSON
//!   Schema, for the CLI and the API.
//! - [`Interpretations`] / [`effective_rules`]: a provider's choice among the readings of
//!   ambiguous rules.

mod access;
mod find;
pub mod import;
pub mod interpretation;
pub mod limits;
mod loader;
pub mod model;
mod outline;
pub mod position;
pub mod rule;
mod schema;
mod validate;

pub use access::normalise_code;
pub use find::find;
pub use interpretation::{
    EffectiveRule, InterpretationError, Interpretations, effective_rule, effective_rules,
};
pub use loader::{LoadError, LoadErrors, LoadedStandard, load_bytes, load_dir, load_file};
pub use model::*;
pub use outline::{describe, outline};
pub use position::Position;
pub use rule::*;
pub use schema::{json_schema, json_schema_text};
