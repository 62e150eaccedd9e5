//! Attest: competency assessment and evidence portfolios against vocational unit standards.
//!
//! The data flows standards → rules → portfolio → signoff → output; `db`, `auth` and `http`
//! wrap that path. `standards` and `rules` live in the `attest-core` crate (crates/attest-core),
//! whose manifest names no web, database or template crate, and are re-exported here.

pub mod action;
pub mod audit;
pub mod audit_trail;
pub mod auth;
pub mod authoring;
pub mod backup;
pub mod catalogue;
pub mod checkpoints;
pub mod cli;
pub mod config;
pub mod credentials;
pub mod db;
pub mod exports;
pub mod file_gc;
pub mod http;
pub mod identity;
pub mod keys;
pub mod memory;
pub mod metrics;
pub mod notify;
pub mod org_catalogue;
pub mod output;
pub mod portfolio;
pub mod privacy;
pub mod reported;
pub mod settings;
pub mod setup;
pub mod signoff;
pub mod storage;
pub mod telemetry;

pub use attest_core::{rules, standards};
