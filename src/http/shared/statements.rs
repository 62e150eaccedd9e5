//! Statements.

use crate::action::ActionError;
use crate::auth::policy::Action;
use crate::http::session::Session;
use crate::signoff::statements::StatementRow;

/// Loads an enrolment's statement and asks the policy about it.
pub(crate) fn authorized_statement(
    conn: &mut crate::db::DbConnection,
    session: &Session,
    enrolment_id: crate::db::ids::EnrolmentId,
    action: Action,
) -> Result<StatementRow, ActionError> {
    crate::signoff::actions::statement_for(conn, &session.acting(), enrolment_id, action)
}
