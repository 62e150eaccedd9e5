//! Integration tests: the real application (production route table) in-process, on a fresh database
//! per test — SQLite always, PostgreSQL too when ATTEST_TEST_POSTGRES_URL is set.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod api;
mod api_snapshots;
mod archives;
mod authoring;
mod backup;
mod catalogue;
mod cli;
mod conditional;
mod contract;
mod draws;
mod expiry;
mod exports;
mod foundation;
mod grids;
mod hardening;
mod helpers;
mod identity;
mod judging;
mod loop_flows;
mod metrics;
mod moves;
mod notify;
mod observations;
mod pages;
#[path = "../support/pdf_reader.rs"]
#[allow(dead_code)]
mod pdf_reader;
mod people_import;
mod portfolio;
mod privacy;
mod question_sets;
mod record_forms;
mod recordings;
mod schema;
mod settings_pages;
mod sign_in;
mod signoff;
mod signoff_pages;
mod standards_import;
mod stored_evaluation;
mod trail;
mod two_factor;
mod vacs;
