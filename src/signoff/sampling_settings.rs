//! The organisation's sampling settings as its admin changes them: the rate sampled at each risk
//! rating, and each assessor's rating. Each asks the policy, acts and audits in the caller's
//! transaction; the API and the settings pages call these and only translate.

use crate::action::{Acting, ActionError};
use crate::auth::policy::{Action, Resource};
use crate::db::DbConnection;
use crate::db::ids::{OrgId, UserId};

use super::plans::{self, RatedAssessor};
use super::sampling::{RiskRating, SamplingRates};

fn manage(acting: &Acting<'_>, org_id: OrgId) -> Result<(), ActionError> {
    acting.require(
        Action::ManageOrganisation,
        &Resource::Organisation {
            org_id: org_id.into(),
        },
    )
}

/// The organisation's sampling rates by risk rating (the defaults where none was set).
pub fn rates(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
) -> Result<SamplingRates, ActionError> {
    manage(acting, org_id)?;
    plans::rates(conn, org_id)
}

/// Every assessor of the organisation with their risk rating.
pub fn assessor_ratings(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
) -> Result<Vec<RatedAssessor>, ActionError> {
    manage(acting, org_id)?;
    plans::assessor_ratings(conn, org_id, acting.now)
}

/// Sets the organisation's sampling rates by risk rating.
pub fn set_rates(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
    rates: SamplingRates,
) -> Result<(), ActionError> {
    manage(acting, org_id)?;
    plans::set_rates(conn, org_id, acting.user_id, rates, acting.now)
}

/// Sets one assessor's risk rating, which sets how much of their work is sampled.
pub fn set_risk(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
    assessor_id: UserId,
    risk: RiskRating,
) -> Result<(), ActionError> {
    manage(acting, org_id)?;
    plans::set_risk(conn, org_id, assessor_id, acting.user_id, risk, acting.now)
}
