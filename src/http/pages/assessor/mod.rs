//! The assessor's pages: the caseload; the questioning record; judging a piece of evidence mapping
//! by mapping. (The observation checklist is in `observation`.)

mod caseload;
mod judge;
mod questioning;

use crate::http::shared::enrolments::NextJudgement;

pub use caseload::*;
pub use judge::*;
pub use questioning::*;

/// Where "next item waiting" leads: the judge page of the oldest evidence waiting for the
/// assessor, or back to the caseload saying nothing is.
fn next_location(next: Option<&NextJudgement>, saved: bool) -> String {
    match next {
        Some(next) => format!(
            "/enrolments/{}/evidence/{}/judge{}",
            next.enrolment_id,
            next.evidence_id,
            if saved { "?saved=1" } else { "" }
        ),
        None => "/caseload?nothing=1".to_owned(),
    }
}
