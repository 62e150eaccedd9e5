//! Sampling plans as pages: the organisation's plans with the form to create one, and one plan
//! with its reproducible selection, what could not be sampled and why, and its CAMERA coverage —
//! Candidates, Assessors, Methods, Evidence (units and outcomes), Records and Assessment sites.
//! The plan and its selection come from `signoff::plans`, as the API's do.

mod list;
mod plan_view;
mod show;

pub use list::*;
use plan_view::*;
pub use show::*;
