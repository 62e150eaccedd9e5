//! The hand-offs around the unit decision (issue 15):
//!
//! - **IV → assessor → IV.** An IV's summative disagreement sends the decision back; until the
//!   assessor has recorded what they did about each action point the enrolment is "sent back by the
//!   IV" ([`pending`]) and no new decision can be signed. [`respond`] records the answers (audited),
//!   which the IV then reads in the sample's history beside the new decision.
//! - **The decision.** [`decide`] takes the outcome ("competent" or "not yet competent"), the
//!   comments and the answers to the IV together. "Not yet competent" keeps the engine's gaps with
//!   the assessor's feedback ([`UnitFeedback`]) and gives the portfolio back to the candidate, who
//!   sees them as things to do.

mod decision;
mod sent_back;

pub use decision::{
    Decision, Outcome, UnitFeedback, decide, feedback_of, not_yet_competent, open_feedback,
};
pub use sent_back::{
    IvResponse, PointResponse, SentBack, action_points, pending, pending_among, respond,
    response_to, responses_of,
};
