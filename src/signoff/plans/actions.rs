//! Sampling plans and their draws as people use them, one function per use case: each loads the
//! plan, asks the policy, acts and audits in the caller's transaction. The API and the pages call
//! these and only translate requests and answers.

use crate::action::{Acting, ActionError, Services};
use crate::auth::policy::{Action, Resource};
use crate::db::DbConnection;
use crate::db::ids::{DrawId, Id, OrgId, PlanId};
use crate::identity::parse_user_id;
use crate::signoff::draws::{self, Draw};

use super::{NewPlan, Plan, load_plan};

/// The plan, once the policy allows `action` on it for `acting`.
pub fn plan_for(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    action: Action,
    plan_id: PlanId,
) -> Result<Plan, ActionError> {
    let plan = load_plan(conn, &plan_id.to_string())?;
    acting.require(
        action,
        &Resource::SamplingPlan {
            org_id: parse_user_id(&plan.org_id)?,
            iv_id: parse_user_id(&plan.iv_id)?,
        },
    )?;
    Ok(plan)
}

/// Creates a sampling plan for an internal verifier of the organisation and makes its first draw.
pub fn create_plan(
    conn: &mut DbConnection,
    services: Services<'_>,
    acting: &Acting<'_>,
    org_id: OrgId,
    new: NewPlan,
) -> Result<Plan, ActionError> {
    acting.require(
        Action::ManageSamplingPlan,
        &Resource::SamplingPlan {
            org_id: org_id.uuid(),
            iv_id: new.iv_id,
        },
    )?;
    super::create_plan(
        conn,
        services.catalogue,
        &org_id.to_string(),
        acting.user_id,
        new,
        acting.now,
    )
}

/// Draws the plan again, saying why (the earlier draw stays on record).
pub fn redraw(
    conn: &mut DbConnection,
    services: Services<'_>,
    acting: &Acting<'_>,
    plan_id: PlanId,
    reason: &str,
) -> Result<Draw, ActionError> {
    let plan = plan_for(conn, acting, Action::ManageSamplingPlan, plan_id)?;
    draws::draw(
        conn,
        services.catalogue,
        &plan,
        Some(acting.user_id),
        reason,
        acting.now,
    )
}

/// One draw of the plan, with its record, for whoever may read the plan.
pub fn draw_record(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    plan_id: PlanId,
    draw_id: DrawId,
) -> Result<Draw, ActionError> {
    plan_for(conn, acting, Action::ReadSamplingPlan, plan_id)?;
    draws::find(conn, &plan_id.to_string(), &draw_id.to_string())
}
