//! Interpretations as the provider admin reads and sets them, one function per use case: each asks
//! the policy (managing the organisation), finds the standard version in the organisation's
//! catalogue, acts and audits in the caller's transaction. The API and the pages call these.

use crate::action::{Acting, ActionError, Services};
use crate::auth::policy::{Action, Resource};
use crate::db::DbConnection;
use crate::db::ids::{Id, OrgId};
use crate::standards::{Interpretations, Standard};

/// The standard version `code`@`version` of the organisation's catalogue, once the policy lets
/// `acting` manage the organisation.
fn standard<'s>(
    services: Services<'s>,
    acting: &Acting<'_>,
    org_id: OrgId,
    code: &str,
    version: u32,
) -> Result<&'s Standard, ActionError> {
    acting.require(
        Action::ManageOrganisation,
        &Resource::Organisation {
            org_id: org_id.uuid(),
        },
    )?;
    services
        .catalogue
        .get_in(org_id.uuid(), code, version)
        .map(|loaded| &loaded.standard)
        .ok_or(ActionError::NotFound)
}

/// The organisation's interpretations of one standard version's ambiguous rules.
pub fn interpretations(
    conn: &mut DbConnection,
    services: Services<'_>,
    acting: &Acting<'_>,
    org_id: OrgId,
    code: &str,
    version: u32,
) -> Result<Interpretations, ActionError> {
    let standard = standard(services, acting, org_id, code, version)?;
    super::interpretations(conn, org_id, standard)
}

/// Sets the organisation's interpretations of one standard version (audited).
pub fn set_interpretations(
    conn: &mut DbConnection,
    services: Services<'_>,
    acting: &Acting<'_>,
    org_id: OrgId,
    code: &str,
    version: u32,
    chosen: Interpretations,
) -> Result<Interpretations, ActionError> {
    let standard = standard(services, acting, org_id, code, version)?;
    super::set_interpretations(conn, org_id, acting.user_id, standard, chosen, acting.now)
}
