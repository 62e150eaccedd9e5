//! The organisation and its quality assurance settings: who verifies whom, approved witnesses,
//! whether staff must sign in with two factors.

use crate::action::{Acting, ActionError};
use crate::auth::policy::Action;
use crate::db::DbConnection;
use crate::db::ids::{OrgId, UserId};
use crate::identity::two_factor::{self, TwoFactorSetting};
use crate::identity::{
    self, ApprovedWitness, IvAssignment, NewOrganisation, NewWitness, Organisation,
};

use super::people::{org_resource, user_resource};

/// Creates an organisation (audited; `attest org add`, the console operator's only: no grant
/// allows creating organisations).
pub fn create_organisation(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    new: NewOrganisation,
) -> Result<Organisation, ActionError> {
    acting.require_console()?;
    identity::create_organisation(conn, acting.audit_actor(), new)
}

/// The organisation, once the policy allows `action` on it (reading it, or the settings pages'
/// managing it).
pub fn organisation(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
    action: Action,
) -> Result<Organisation, ActionError> {
    acting.require(action, &org_resource(org_id))?;
    identity::load_organisation(conn, org_id)
}

/// The organisation's internal verifier assignments: who verifies which assessor.
pub fn verifier_assignments(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
) -> Result<Vec<IvAssignment>, ActionError> {
    acting.require(Action::ListUsers, &org_resource(org_id))?;
    identity::verifier_assignments(conn, org_id)
}

/// Makes `iv_id` an internal verifier of `assessor_id`; with `replace`, instead of the verifiers
/// the assessor had (that is how a verifier is changed).
pub fn assign_verifier(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
    iv_id: UserId,
    assessor_id: UserId,
    replace: bool,
) -> Result<(), ActionError> {
    acting.require(
        Action::AssignVerifierToAssessor,
        &user_resource(org_id, assessor_id),
    )?;
    let actor = acting.audit_actor();
    identity::assign_verifier(conn, actor, org_id, iv_id, assessor_id)?;
    if replace {
        let others: Vec<UserId> = identity::verifier_assignments(conn, org_id)?
            .into_iter()
            .filter(|a| a.assessor_id == assessor_id && a.iv_id != iv_id)
            .map(|a| a.iv_id)
            .collect();
        for other in others {
            identity::unassign_verifier(conn, actor, org_id, other, assessor_id)?;
        }
    }
    Ok(())
}

/// Ends `iv_id`'s assignment to `assessor_id` (none: not found).
pub fn unassign_verifier(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
    iv_id: UserId,
    assessor_id: UserId,
) -> Result<(), ActionError> {
    acting.require(
        Action::AssignVerifierToAssessor,
        &user_resource(org_id, assessor_id),
    )?;
    identity::unassign_verifier(conn, acting.audit_actor(), org_id, iv_id, assessor_id)
}

/// The organisation's approved witnesses.
pub fn approved_witnesses(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
) -> Result<Vec<ApprovedWitness>, ActionError> {
    acting.require(Action::ReadOrganisation, &org_resource(org_id))?;
    identity::approved_witnesses(conn, org_id)
}

/// Adds a witness to the organisation's approved list.
pub fn approve_witness(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
    new: NewWitness,
) -> Result<ApprovedWitness, ActionError> {
    acting.require(Action::ManageOrganisation, &org_resource(org_id))?;
    identity::approve_witness(conn, org_id, acting.user()?, new, acting.now)
}

/// Whether the organisation requires two-factor sign-in of its admins, assessors and IVs.
pub fn two_factor_setting(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
) -> Result<TwoFactorSetting, ActionError> {
    acting.require(Action::ManageOrganisation, &org_resource(org_id))?;
    let required = two_factor::is_required_in(conn, org_id)?;
    Ok(TwoFactorSetting { required })
}

/// Requires (or stops requiring) two-factor sign-in of the organisation's admins, assessors and
/// IVs.
pub fn set_two_factor_required(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
    required: bool,
) -> Result<TwoFactorSetting, ActionError> {
    acting.require(Action::ManageOrganisation, &org_resource(org_id))?;
    two_factor::set_required(conn, acting.user()?, org_id, required, acting.now)
}
