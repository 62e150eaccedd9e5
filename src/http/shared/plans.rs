//! Sampling plans.

use crate::action::ActionError;
use crate::auth::policy::{Action, Resource};
use crate::db::DbConnection;
use crate::http::session::Session;
use crate::identity::parse_user_id;
use crate::signoff::plans::{self, Plan};

/// The plan, once `action` is allowed on it for the session.
pub(crate) fn plan_for(
    conn: &mut DbConnection,
    session: &Session,
    action: Action,
    id: &str,
) -> Result<Plan, ActionError> {
    let plan = plans::load_plan(conn, id)?;
    session.require(
        action,
        &Resource::SamplingPlan {
            org_id: parse_user_id(&plan.org_id)?,
            iv_id: parse_user_id(&plan.iv_id)?,
        },
    )?;
    Ok(plan)
}
