//! Attest: competency assessment and evidence portfolios against vocational unit standards.
//!
//! The data flows standards → rules → portfolio → signoff → output; `db`, `auth` and `http`
//! wrap that path. `standards` and `rules` are pure: they import nothing from actix or diesel.

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
pub mod metrics;
pub mod notify;
pub mod org_catalogue;
pub mod output;
pub mod portfolio;
pub mod privacy;
pub mod reported;
pub mod rules;
pub mod settings;
pub mod setup;
pub mod signoff;
pub mod standards;
pub mod storage;
pub mod telemetry;
