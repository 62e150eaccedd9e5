//! Statements.

use crate::action::ActionError;
use crate::auth::policy::{Action, Resource};
use crate::http::session::Session;
use crate::signoff::statements::{self};

/// Loads an enrolment's statement and asks the policy about it.
pub(crate) fn authorized_statement(
    conn: &mut crate::db::DbConnection,
    session: &Session,
    enrolment_id: &str,
    action: Action,
) -> Result<statements::StatementRow, ActionError> {
    let enrolment = crate::portfolio::load_enrolment(conn, enrolment_id)?;
    session.require(
        action,
        &Resource::Statement {
            enrolment: enrolment.facts()?,
        },
    )?;
    statements::current(conn, enrolment_id)?.ok_or(ActionError::NotFound)
}
