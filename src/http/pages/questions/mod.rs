//! Questions the candidate answers, as pages: the assessor's question sets and the builder (each
//! knowledge item of the unit with its text pre-filled as an editable question, ticked to include
//! it); sending a set from a portfolio; the candidate's answer page (typed, or a recording); the
//! assessor's marking page. Each form calls one action of [`crate::portfolio::question_sets::actions`].

mod answers;
mod builder;
mod edit;
mod marking;
mod request_view;
mod requests;
mod sets;

use actix_web::http::StatusCode;
use chrono::Utc;
use serde::Serialize;

use super::form::FormState;
use crate::auth::policy::{self, Action, Resource};
use crate::http::session::Session;

pub use answers::*;
use builder::*;
pub use edit::*;
pub use marking::*;
use request_view::*;
pub use requests::*;
pub use sets::*;

fn allowed(session: &Session, action: Action, resource: &Resource) -> bool {
    policy::can(&session.actor, action, resource, Utc::now()).is_allowed()
}

fn status_of(form: &FormState) -> StatusCode {
    if form.has_errors() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    }
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
}
