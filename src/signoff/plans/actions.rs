//! Sampling plans and their draws as people use them, one function per use case: each loads the
//! plan, asks the policy, acts and audits in the caller's transaction. The API and the pages call
//! these and only translate requests and answers.

use crate::action::{Acting, ActionError, Services};
use crate::auth::policy::{Action, Resource};
use crate::db::DbConnection;
use crate::db::ids::{DrawId, Id, OrgId, PlanId, UserId};
use crate::signoff::draws::{self, Draw, DrawSummary};
use crate::signoff::sampling::record::DrawRecord;

use super::{NewPlan, Plan, load_plan};

fn plan_resource(org_id: OrgId, iv_id: UserId) -> Resource {
    Resource::SamplingPlan {
        org_id: org_id.uuid(),
        iv_id: iv_id.uuid(),
    }
}

/// Whether the actor reads sampling plans in the organisation as an internal verifier (the
/// sampling pages ask before they show themselves: they are the IV's screens).
pub fn may_read_plans(acting: &Acting<'_>, org_id: OrgId) -> Result<(), ActionError> {
    acting.require(
        Action::ReadSamplingPlan,
        &plan_resource(org_id, acting.actor.user_id.into()),
    )
}

/// The organisation's plans the actor may read (someone in the organisation who may read none
/// gets none).
pub fn list_plans(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
) -> Result<Vec<Plan>, ActionError> {
    acting.require(
        Action::ReadOrganisation,
        &Resource::Organisation {
            org_id: org_id.uuid(),
        },
    )?;
    visible_plans(conn, acting, org_id)
}

/// The organisation's plans the actor may read, for a screen that has asked the policy already
/// ([`may_read_plans`]).
pub fn visible_plans(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
) -> Result<Vec<Plan>, ActionError> {
    Ok(super::list_plans(conn, org_id, None)?
        .into_iter()
        .filter(|plan| {
            acting
                .require(Action::ReadSamplingPlan, &plan_resource(org_id, plan.iv_id))
                .is_ok()
        })
        .collect())
}

/// A plan as kept: the plan, its latest draw with the record it kept (the population and inputs
/// as they stood, the selection), and every draw, newest first.
#[derive(Debug)]
pub struct KeptPlan {
    /// The plan.
    pub plan: Plan,
    /// The latest draw (none for a plan made before draws were kept, until drawn).
    pub latest: Option<Draw>,
    /// The latest draw's record.
    pub record: Option<DrawRecord>,
    /// Every draw of the plan, newest first.
    pub history: Vec<DrawSummary>,
}

/// One plan with its draws, for whoever may read it.
pub fn kept_plan(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    plan_id: PlanId,
) -> Result<KeptPlan, ActionError> {
    let plan = plan_for(conn, acting, Action::ReadSamplingPlan, plan_id)?;
    let latest = draws::latest(conn, plan.id)?;
    let record = latest.as_ref().map(Draw::parsed).transpose()?;
    let history = draws::history(conn, plan.id)?;
    Ok(KeptPlan {
        plan,
        latest,
        record,
        history,
    })
}

/// The plan, once the policy allows `action` on it for `acting`.
pub fn plan_for(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    action: Action,
    plan_id: PlanId,
) -> Result<Plan, ActionError> {
    let plan = load_plan(conn, plan_id)?;
    acting.require(action, &plan_resource(plan.org_id, plan.iv_id))?;
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
        &plan_resource(org_id, new.iv_id),
    )?;
    super::create_plan(
        conn,
        services.catalogue,
        org_id,
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
    draws::find(conn, plan_id, draw_id)
}
