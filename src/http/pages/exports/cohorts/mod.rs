//! Cohorts: the list, a new cohort, one cohort's charts and changing its members.

mod list;
mod members;
mod show;

pub use list::{cohorts, create_cohort};
pub use members::change_members;
pub use show::cohort;
