//! The rules engine: worked cases for every seed standard, properties of the engine and of its
//! matching, and the `attest evaluate` command.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "rules/support.rs"]
mod support;

#[path = "rules/worked.rs"]
mod worked;

#[path = "rules/properties.rs"]
mod properties;

#[path = "rules/matching.rs"]
mod matching;

#[path = "rules/command.rs"]
mod command;

#[path = "rules/exactness.rs"]
mod exactness;

#[path = "rules/snapshots.rs"]
mod snapshots;
