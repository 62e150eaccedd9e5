//! The provider admin's cohort and export pages: cohorts (list, create, assign enrolments), a
//! cohort's progress per outcome as a bar chart with its table, and results exports with the
//! report-once ledger (preview, record and download, reverse).

mod cohorts;
mod results;

pub use cohorts::*;
pub use results::*;
