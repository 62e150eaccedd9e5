//! The formats exports are written in (issue 9): results files (CSV, JSON, NZQA-ready CSV), portfolio
//! archives (zip with a human index, a manifest and every evidence file) and Open Badges 3.0
//! credentials. Pure and streaming: plain data in, any `std::io::Write` out; the queries, the
//! report-once ledger, the CLI and the HTTP routes live elsewhere. See `docs/exports.md`.

pub mod archive;
pub mod badges;
pub mod results;
