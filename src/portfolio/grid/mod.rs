//! Tracking grids, as assessors keep them on paper: for one portfolio, which evidence shows which
//! criterion and how it was judged; for a cohort, which learner has met which criterion.
//!
//! Both are read off the engine's two views (claimed and confirmed), so a grid never says more
//! than the progress report does.

mod cohort;
mod portfolio;

pub use cohort::{CohortGrid, GridItem, GridLearner, StandardGrid, Standing, cohort_grid};
pub use portfolio::{
    GridCell, GridEvidence, GridRow, GridSection, Mark, PortfolioGrid, enrolment_grid,
};
