//! An organisation's people: listing them, adding one, granting and revoking roles, deactivating,
//! inviting again, importing many from a CSV file.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use crate::action::{Acting, ActionError};
use crate::auth::policy::{Action, Resource, Role};
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::{OrgId, UserId};
use crate::identity::import::{self, ImportError, ImportReport};
use crate::identity::invitations::{self, InvitationLink};
use crate::identity::{self, NewUser, Organisation, User};

/// The organisation's people as its admin sees them.
#[derive(Debug)]
pub struct People {
    /// The organisation.
    pub organisation: Organisation,
    /// Everyone with a grant there, by name, with the grants they hold there.
    pub users: Vec<User>,
    /// The ids of those who have not yet chosen a password.
    pub awaiting_password: HashSet<UserId>,
}

/// The organisation's people, and who of them still has to choose a password.
pub fn people(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
) -> Result<People, ActionError> {
    acting.require(Action::ListUsers, &org_resource(org_id))?;
    let organisation = identity::load_organisation(conn, org_id)?;
    let users = identity::list_users(conn, org_id)?;
    let ids: Vec<UserId> = users.iter().map(|u| u.id).collect();
    let awaiting_password = invitations::awaiting_password(conn, &ids)?;
    Ok(People {
        organisation,
        users,
        awaiting_password,
    })
}

/// Every user with a grant in the organisation, with the grants they hold there.
pub fn list_users(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
) -> Result<Vec<User>, ActionError> {
    acting.require(Action::ListUsers, &org_resource(org_id))?;
    identity::list_users(conn, org_id)
}

/// Adds a person with a first role; without a password, with the link through which they choose
/// their own (see [`identity::create_and_invite`]).
pub fn create_user(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
    new: NewUser,
) -> Result<(User, Option<InvitationLink>), ActionError> {
    let action = if new.role.parse::<Role>() == Ok(Role::ExternalVerifier) {
        Action::GrantExternalVerifier
    } else {
        Action::CreateUser
    };
    acting.require(action, &org_resource(org_id))?;
    identity::create_and_invite(conn, acting.audit_actor(), org_id, new)
}

/// Asks the policy about `action` on a person of the organisation, who must be one of its
/// members: someone who is not is not visible from there (not found).
pub fn member_for(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
    user_id: UserId,
    action: Action,
) -> Result<(), ActionError> {
    acting.require(action, &user_resource(org_id, user_id))?;
    if identity::is_member(conn, user_id, org_id)? {
        Ok(())
    } else {
        Err(ActionError::NotFound)
    }
}

/// The policy's action for granting `role`: external verifier access is its own permission.
pub fn grant_action(role: Option<Role>) -> Action {
    match role {
        Some(Role::ExternalVerifier) => Action::GrantExternalVerifier,
        _ => Action::GrantRole,
    }
}

/// Grants a role in the organisation to one of its people (an external verifier's until
/// `expires_at`, which they need). The console operator grants to any account (`attest user
/// grant`: how someone joins a second organisation); an organisation's admin only to its people.
pub fn grant_role(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
    user_id: UserId,
    role: Role,
    expires_at: Option<DateTime<Utc>>,
) -> Result<(), ActionError> {
    if acting.is_console() {
        identity::load_organisation(conn, org_id)?;
        identity::load_user(conn, user_id)?;
    } else {
        member_for(conn, acting, org_id, user_id, grant_action(Some(role)))?;
    }
    identity::check_grant_expiry(role, expires_at, acting.now)?;
    identity::grant_role(
        conn,
        acting.audit_actor(),
        user_id,
        org_id,
        role,
        expires_at,
    )
}

/// Revokes a role one of the organisation's people holds there (not held: not found).
pub fn revoke_role(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
    user_id: UserId,
    role: Role,
) -> Result<(), ActionError> {
    member_for(conn, acting, org_id, user_id, Action::RevokeRole)?;
    identity::revoke_role(conn, acting.audit_actor(), user_id, org_id, role)
}

/// Deactivates one of the organisation's people; their sessions end at once.
pub fn deactivate(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
    user_id: UserId,
) -> Result<(), ActionError> {
    member_for(conn, acting, org_id, user_id, Action::DeactivateUser)?;
    identity::deactivate_user(conn, acting.audit_actor(), user_id)
}

/// Deactivates an account whatever organisations it belongs to and ends its sessions (`attest
/// user disable`; the console operator's only).
pub fn deactivate_account(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    user_id: UserId,
) -> Result<(), ActionError> {
    acting.require_console()?;
    identity::deactivate_user(conn, acting.audit_actor(), user_id)
}

/// A new invitation link for a person of the organisation who has not chosen a password yet (an
/// older unused link stops working).
pub fn reinvite(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
    user_id: UserId,
) -> Result<InvitationLink, ActionError> {
    acting.require(Action::CreateUser, &org_resource(org_id))?;
    if !identity::is_member(conn, user_id, org_id)? {
        return Err(ActionError::NotFound);
    }
    if invitations::has_password(conn, user_id)? {
        return Err(ActionError::Conflict(
            "this person has already chosen a password".into(),
        ));
    }
    invitations::invite(conn, acting.audit_actor(), user_id, acting.now)
}

/// Whether the actor may import people into the organisation (the import form asks before it
/// shows itself).
pub fn may_import(acting: &Acting<'_>, org_id: OrgId) -> Result<(), ActionError> {
    acting.require(Action::CreateUser, &org_resource(org_id))
}

/// Imports candidates from a CSV file into the organisation, all or none (with `dry_run`, checks
/// every row and keeps nothing); see [`import::import_people`].
pub fn import_people(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    acting: &Acting<'_>,
    org_id: OrgId,
    csv: &[u8],
    dry_run: bool,
) -> Result<ImportReport, ImportError> {
    may_import(acting, org_id)?;
    let rows = import::read_csv(csv)?;
    import::import_people(
        conn,
        catalogue,
        acting.audit_actor(),
        org_id,
        &rows,
        dry_run,
        acting.now,
    )
}

pub(super) fn org_resource(org_id: OrgId) -> Resource {
    Resource::Organisation {
        org_id: org_id.into(),
    }
}

pub(super) fn user_resource(org_id: OrgId, user_id: UserId) -> Resource {
    Resource::User {
        org_id: org_id.into(),
        user_id: user_id.into(),
    }
}
