//! What is waiting on the portfolio: items sent back, and the links to its statements.

use chrono::NaiveDate;
use serde::Serialize;

use crate::action::ActionError;
use crate::auth::policy::{Action, Resource};
use crate::db::DbConnection;
use crate::http::session::Session;
use crate::portfolio::Enrolment;

/// The IV's disagreement waiting for the assessor, as the pages show it.
#[derive(Debug, Serialize)]
pub(in crate::http::pages) struct SentBackView {
    pub(in crate::http::pages) verifier: String,
    pub(in crate::http::pages) date_sampled: NaiveDate,
    pub(in crate::http::pages) feedback: String,
    pub(in crate::http::pages) action_points: Vec<String>,
}

impl From<crate::signoff::feedback::SentBack> for SentBackView {
    fn from(s: crate::signoff::feedback::SentBack) -> Self {
        SentBackView {
            verifier: s.verifier,
            date_sampled: s.date_sampled,
            feedback: s.feedback,
            action_points: s.action_points,
        }
    }
}

/// A "not yet competent" decision the candidate still has to act on.
#[derive(Debug, Serialize)]
pub(in crate::http::pages) struct ToDoView {
    pub(in crate::http::pages) decided_on: NaiveDate,
    pub(in crate::http::pages) feedback: String,
    pub(in crate::http::pages) gaps: Vec<String>,
}

/// The candidate's statement of competence, as the pages offer it.
#[derive(Debug, Serialize)]
pub(in crate::http::pages) struct StatementLinks {
    pub(in crate::http::pages) code: String,
    pub(in crate::http::pages) issued: NaiveDate,
    pub(in crate::http::pages) verification_url: String,
    /// The verification page on this instance.
    pub(in crate::http::pages) verify: String,
    pub(in crate::http::pages) revoked: bool,
    pub(in crate::http::pages) pdf: String,
    pub(in crate::http::pages) badge: String,
}

/// The current statement of an enrolment, when the session may read it.
pub(in crate::http::pages) fn statement_links(
    conn: &mut DbConnection,
    session: &Session,
    enrolment: &Enrolment,
) -> Result<Option<StatementLinks>, ActionError> {
    let readable = session
        .require(
            Action::ReadStatement,
            &Resource::Statement {
                enrolment: enrolment.facts()?,
            },
        )
        .is_ok();
    if !readable {
        return Ok(None);
    }
    let Some(row) = crate::signoff::statements::current(conn, enrolment.id)? else {
        return Ok(None);
    };
    let summary = row.summary()?;
    Ok(Some(StatementLinks {
        verify: format!("/verify/{}", summary.code),
        code: summary.code,
        issued: summary.issued,
        verification_url: summary.verification_url,
        revoked: summary.revoked_at.is_some(),
        pdf: format!("/api/enrolments/{}/statement.pdf", enrolment.id),
        badge: format!("/api/enrolments/{}/credential.json", enrolment.id),
    }))
}

/// The "not yet competent" feedback the candidate still has to act on.
pub(in crate::http::pages) fn to_do(
    conn: &mut DbConnection,
    enrolment: &Enrolment,
) -> Result<Option<ToDoView>, ActionError> {
    Ok(
        crate::signoff::feedback::open_feedback(conn, enrolment)?.map(|f| ToDoView {
            decided_on: f.decided_at.date(),
            gaps: f.gap_list(),
            feedback: f.feedback,
        }),
    )
}
