//! The portfolio page (`/enrolments/{id}`): progress per outcome in both views, the gaps in plain
//! words, every piece of evidence with the assessor's judgement and feedback per mapping; and the
//! two forms that change the portfolio's state from there — the candidate's submission with the
//! declaration, the assessor's reopening with a reason.

mod actions;
mod evidence_rows;
mod page;
mod to_do;

use super::form::FormState;

pub use actions::*;
pub(in crate::http::pages) use evidence_rows::*;
pub use page::*;
pub(in crate::http::pages) use to_do::*;

/// The two state-changing forms on the page, as sent when one was refused; the evidence just added.
#[derive(Default)]
struct Forms {
    submit: FormState,
    reopen: FormState,
    added: Option<String>,
    acknowledged: Option<String>,
    /// The acknowledgement form refused: (evidence id, the form as sent).
    acknowledge: Option<(String, FormState)>,
}
