//! Enrolments, their evidence (JSON records and uploaded files), judgements, submission, reopening
//! and progress. Each handler authorizes inside the transaction that acts, so the facts it decided
//! on cannot change underneath it.

mod evidence;
mod judging;
mod lifecycle;
mod moves;
mod progress;

pub use evidence::*;
pub use judging::*;
pub use lifecycle::*;
pub use moves::*;
pub use progress::*;
