//! The organisation's sampling rates and the assessors' risk ratings.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::action::ActionError;
use crate::audit::{self, Change};
use crate::auth::policy::Role as AccessRole;
use crate::db::DbConnection;
use crate::db::ids::{OrgId, UserId};
use crate::db::schema::{assessor_risk, org_settings};
use crate::identity::holds;
use crate::signoff::sampling::{AssessorRisk, RiskRating, SamplingRates};

/// The organisation's sampling rates (the documented defaults unless changed).
pub fn rates(conn: &mut DbConnection, org_id: OrgId) -> Result<SamplingRates, ActionError> {
    // No row yet: the default rates; a row whose rates do not read is corrupt.
    crate::settings::stored_json(conn, org_id, crate::settings::JsonSetting::SamplingRates)
}

/// Sets the organisation's sampling rates (audited).
pub fn set_rates(
    conn: &mut DbConnection,
    org_id: OrgId,
    actor_id: &str,
    rates: SamplingRates,
    now: DateTime<Utc>,
) -> Result<(), ActionError> {
    let json = crate::db::json::to_text(&rates)?;
    crate::settings::ensure_row(conn, org_id, now)?;
    diesel::update(org_settings::table.find(org_id))
        .set((
            org_settings::sampling_rates.eq(&json),
            org_settings::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(actor_id),
            action: "organisation.sampling_rates",
            entity: "organisation",
            entity_id: &org_id.to_string(),
            before: None,
            after: Some(crate::db::json::to_value(&rates)?),
        },
    )?;
    Ok(())
}

/// Sets an assessor's risk rating (audited).
pub fn set_risk(
    conn: &mut DbConnection,
    org_id: OrgId,
    assessor_id: UserId,
    actor_id: &str,
    risk: RiskRating,
    now: DateTime<Utc>,
) -> Result<(), ActionError> {
    if !holds(conn, assessor_id, org_id, AccessRole::Assessor, now)? {
        return Err(ActionError::invalid(
            "assessor_id",
            "is not an assessor in this organisation",
        ));
    }
    diesel::delete(
        assessor_risk::table
            .filter(assessor_risk::org_id.eq(org_id))
            .filter(assessor_risk::assessor_id.eq(assessor_id)),
    )
    .execute(conn)?;
    diesel::insert_into(assessor_risk::table)
        .values((
            assessor_risk::org_id.eq(org_id),
            assessor_risk::assessor_id.eq(assessor_id),
            assessor_risk::risk.eq(risk.as_str()),
            assessor_risk::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(actor_id),
            action: "assessor.risk",
            entity: "user",
            entity_id: &assessor_id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "org_id": org_id, "risk": risk.as_str() })),
        },
    )?;
    Ok(())
}

/// An assessor of the organisation with the rating that sets how much of their work is sampled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RatedAssessor {
    /// The assessor.
    #[schema(value_type = String)]
    pub assessor_id: UserId,
    /// Their name.
    pub name: String,
    /// Their email.
    pub email: String,
    /// new, low, medium or high.
    #[schema(value_type = String)]
    pub risk: RiskRating,
    /// False when nobody has rated them: they are sampled as `new` until someone does.
    pub rated: bool,
}

/// Every active assessor of the organisation now, by name, with their risk rating.
pub fn assessor_ratings(
    conn: &mut DbConnection,
    org_id: OrgId,
    now: DateTime<Utc>,
) -> Result<Vec<RatedAssessor>, ActionError> {
    let rated = risks(conn, org_id)?;
    let users = crate::identity::list_users(conn, org_id)?;
    Ok(users
        .into_iter()
        .filter(|u| {
            u.active
                && u.grants.iter().any(|g| {
                    g.org_id == org_id
                        && g.role == AccessRole::Assessor.as_str()
                        && g.expires_at.is_none_or(|t| t > now)
                })
        })
        .map(|u| {
            let found = rated.iter().find(|r| u.id == r.assessor_id);
            RatedAssessor {
                risk: found.map_or(RiskRating::New, |r| r.risk),
                rated: found.is_some(),
                assessor_id: u.id,
                name: u.name,
                email: u.email,
            }
        })
        .collect())
}

/// The organisation's risk ratings, as the sampler reads them (its assessor ids are the plain text
/// of the draw record).
pub(in crate::signoff) fn risks(
    conn: &mut DbConnection,
    org_id: OrgId,
) -> Result<Vec<AssessorRisk>, ActionError> {
    let rows: Vec<(String, String)> = assessor_risk::table
        .filter(assessor_risk::org_id.eq(org_id))
        .select((assessor_risk::assessor_id, assessor_risk::risk))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(assessor_id, risk)| {
            let risk = serde_json::from_value(serde_json::Value::String(risk)).ok()?;
            Some(AssessorRisk { assessor_id, risk })
        })
        .collect())
}
