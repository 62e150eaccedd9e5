//! Sampling plans.

use crate::action::ActionError;
use crate::auth::policy::Action;
use crate::db::DbConnection;
use crate::http::session::Session;
use crate::signoff::plans::{Plan, actions};

/// The plan, once `action` is allowed on it for the session (see
/// [`crate::signoff::plans::actions::plan_for`]); `id` was parsed at the edge.
pub(crate) fn plan_for(
    conn: &mut DbConnection,
    session: &Session,
    action: Action,
    id: &str,
) -> Result<Plan, ActionError> {
    let id = id.parse().map_err(|_| ActionError::NotFound)?;
    actions::plan_for(conn, &session.acting(), action, id)
}
