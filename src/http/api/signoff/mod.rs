//! The sign-off chain over HTTP: the assessor's unit decision, internal verification (plans, risk
//! ratings, samples), statements of competence and their public verification.

mod decisions;
mod interpretations;
mod sampling;
mod statements;

pub use decisions::*;
pub use interpretations::*;
pub use sampling::*;
pub use statements::*;
