//! Internal verification in the database: assessors' risk ratings, the organisation's sampling
//! rates, sampling plans with their reproducible selection, and the IV's sample decisions.

use crate::db::FirstRow;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::sampling::SamplingKind;
use crate::action::{ActionError, Problems};
use crate::audit::{self, Change};
use crate::auth::policy::Role as AccessRole;
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::{OrgId, PlanId, UserId};
use crate::db::schema::sampling_plans;
use crate::identity::holds;

pub mod actions;
mod decisions;
mod ratings;

pub use decisions::*;
pub(in crate::signoff) use ratings::risks;
pub use ratings::*;

/// A sampling plan as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = sampling_plans)]
pub struct Plan {
    /// Its id.
    #[schema(value_type = String)]
    pub id: PlanId,
    /// The organisation.
    #[schema(value_type = String)]
    pub org_id: OrgId,
    /// The internal verifier it belongs to.
    #[schema(value_type = String)]
    pub iv_id: UserId,
    /// A name, e.g. "Contact centre units, 2026 term 1".
    pub name: String,
    /// interim or summative.
    pub kind: String,
    /// First day of the plan's period.
    pub period_start: NaiveDate,
    /// Last day of the plan's period.
    pub period_end: NaiveDate,
    /// The seed of the random draw: anyone with the same data and seed gets the same sample.
    pub seed: i64,
    /// Created.
    #[serde(serialize_with = "crate::db::utc::serialize")]
    pub created_at: NaiveDateTime,
}

/// What is needed to create a plan.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPlan {
    /// The internal verifier.
    #[schema(value_type = uuid::Uuid)]
    pub iv_id: UserId,
    /// A name.
    pub name: String,
    /// interim or summative.
    #[schema(value_type = String)]
    pub kind: SamplingKind,
    /// First day.
    pub period_start: NaiveDate,
    /// Last day.
    pub period_end: NaiveDate,
    /// The seed; random when absent.
    #[serde(default)]
    pub seed: Option<i64>,
}

/// Creates a sampling plan and makes its first draw (both audited).
pub fn create_plan(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    org_id: OrgId,
    actor_id: &str,
    new: NewPlan,
    now: DateTime<Utc>,
) -> Result<Plan, ActionError> {
    let mut problems = Problems::default();
    if new.name.trim().is_empty() {
        problems.add("name", "is required");
    }
    if new.period_end < new.period_start {
        problems.add("period_end", "is before period_start");
    }
    if !holds(conn, new.iv_id, org_id, AccessRole::InternalVerifier, now)? {
        problems.add("iv_id", "is not an internal verifier in this organisation");
    }
    problems.finish()?;
    let plan = Plan {
        id: PlanId::random(),
        org_id,
        iv_id: new.iv_id,
        name: new.name.trim().to_owned(),
        kind: new.kind.as_str().to_owned(),
        period_start: new.period_start,
        period_end: new.period_end,
        seed: new.seed.unwrap_or_else(|| rand::random::<i64>() & i64::MAX),
        created_at: now.naive_utc(),
    };
    diesel::insert_into(sampling_plans::table)
        .values(&plan)
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(actor_id),
            action: "sampling_plan.create",
            entity: "sampling_plan",
            entity_id: &plan.id.to_string(),
            before: None,
            after: Some(crate::db::json::to_value(&plan)?),
        },
    )?;
    super::draws::draw(
        conn,
        catalogue,
        &plan,
        Some(actor_id),
        super::draws::FIRST_DRAW,
        now,
    )?;
    Ok(plan)
}

/// One plan.
pub fn load_plan(conn: &mut DbConnection, id: PlanId) -> Result<Plan, ActionError> {
    Ok(sampling_plans::table
        .find(id)
        .select(Plan::as_select())
        .first_row(conn)?)
}

/// The plans of an organisation (optionally one IV's), newest first.
pub fn list_plans(
    conn: &mut DbConnection,
    org_id: OrgId,
    iv_id: Option<UserId>,
) -> Result<Vec<Plan>, ActionError> {
    let mut query = sampling_plans::table
        .filter(sampling_plans::org_id.eq(org_id))
        .into_boxed();
    if let Some(iv) = iv_id {
        query = query.filter(sampling_plans::iv_id.eq(iv));
    }
    Ok(query
        .order(sampling_plans::created_at.desc())
        .select(Plan::as_select())
        .load(conn)?)
}
