//! Organisations, people, their role grants and assignments: the actions that read and change them.
//! Who may call these is decided by `auth::policy` before they run.

pub mod actions;
mod assignments;
mod grants;
pub mod import;
pub mod invitations;
mod login;
mod organisations;
pub mod two_factor;
mod users;
mod witnesses;

pub use assignments::{IvAssignment, assign_verifier, unassign_verifier, verifier_assignments};
pub use grants::{EV_NEEDS_EXPIRY, check_grant_expiry, grant_role, holds, revoke_role};
pub use invitations::create_and_invite;
pub use login::{Attempt, WRONG, claim_attempt, login, logout};
pub use organisations::{
    NewOrganisation, Organisation, create_organisation, find_organisation, load_organisation,
};
pub(crate) use users::valid_email;
pub use users::{
    GrantView, NewUser, User, UserRow, create_user, deactivate_user, find_user_by_email, is_member,
    list_users, load_actor, load_session_actor, load_user, load_user_in,
};
pub use witnesses::{ApprovedWitness, NewWitness, approve_witness, approved_witnesses};

use chrono::{DateTime, NaiveDateTime, Utc};
use uuid::Uuid;

use crate::action::ActionError;

/// Parses an id stored as text; a malformed one in the database is a fault, not user input.
pub(crate) fn parse_id(text: &str) -> Result<Uuid, ActionError> {
    Uuid::parse_str(text).map_err(|e| {
        ActionError::Db(crate::db::DbError::Query(
            diesel::result::Error::DeserializationError(Box::new(e)),
        ))
    })
}

/// A user id as stored, parsed.
pub fn parse_user_id(text: &str) -> Result<Uuid, ActionError> {
    parse_id(text)
}

/// Stored timestamps are naive UTC.
pub(crate) fn utc(naive: NaiveDateTime) -> DateTime<Utc> {
    naive.and_utc()
}
