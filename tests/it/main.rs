//! Integration tests: the real application (production route table) in-process, on a fresh database
//! per test — SQLite always, PostgreSQL too when ATTEST_TEST_POSTGRES_URL is set.

mod access;
mod archives;
mod catalogue;
mod cli;
mod contract;
mod draws;
mod credentials;
mod exports;
mod foundation;
mod hardening;
mod helpers;
mod identity;
mod pages;
mod portfolio;
mod settings_pages;
mod sign_in;
mod signoff;
mod signoff_pages;
mod two_factor;
mod trail;
