//! Attest's pure core: unit standards as data ([`standards`]) and the rules engine ([`rules`]).
//!
//! A crate of its own so that the compiler keeps it free of the web server, the database and the
//! templates: its manifest names none of them. The `attest` crate re-exports both modules, so
//! `attest::standards` and `attest::rules` are these.

// The workspace denies unsafe code; the core has no reason for any.
#![forbid(unsafe_code)]

pub mod rules;
pub mod standards;
