//! Integration tests: the real application (production route table) in-process, on a fresh database
//! per test — SQLite always, PostgreSQL too when ATTEST_TEST_POSTGRES_URL is set.

mod access;
mod archives;
mod catalogue;
mod cli;
mod credentials;
mod exports;
mod foundation;
mod helpers;
mod identity;
mod pages;
mod portfolio;
mod settings_pages;
mod signoff;
mod signoff_pages;
