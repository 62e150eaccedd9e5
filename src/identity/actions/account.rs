//! What a signed-in person does about their own account: who they are, signing out everywhere,
//! and setting up or turning off two-factor sign-in. Nobody else can, so the policy is not asked:
//! the person acting is the one acted on.

use crate::action::{Acting, ActionError};
use crate::db::DbConnection;
use crate::db::ids::UserId;
use crate::identity::two_factor::{self, Enrolment, RecoveryCodes, TwoFactorStatus};
use crate::identity::{self, User};

/// The signed-in person with their roles.
pub fn me(conn: &mut DbConnection, acting: &Acting<'_>) -> Result<User, ActionError> {
    identity::load_user(conn, UserId::from(acting.actor.user_id))
}

/// Ends every session of the signed-in person, on every device.
pub fn sign_out_everywhere(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
) -> Result<(), ActionError> {
    identity::logout(conn, UserId::from(acting.actor.user_id))
}

/// Where the person's two-factor sign-in stands, with the enrolment they started and have not yet
/// confirmed.
pub fn two_factor_status(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
) -> Result<(TwoFactorStatus, Option<Enrolment>), ActionError> {
    let status = two_factor::status(conn, acting.actor, acting.now)?;
    let pending = two_factor::pending_enrolment(conn, UserId::from(acting.actor.user_id))?;
    Ok((status, pending))
}

/// Starts (or starts again) setting up two-factor sign-in: a fresh secret for the app.
pub fn start_two_factor(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
) -> Result<Enrolment, ActionError> {
    two_factor::start_enrolment(conn, UserId::from(acting.actor.user_id), acting.now)
}

/// Confirms the started enrolment with a code from the app; the recovery codes, shown once.
pub fn confirm_two_factor(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    code: &str,
) -> Result<RecoveryCodes, ActionError> {
    two_factor::confirm_enrolment(conn, UserId::from(acting.actor.user_id), code, acting.now)
}

/// Turns two-factor sign-in off with a current code or a recovery code (refused while an
/// organisation requires it).
pub fn disable_two_factor(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    code: &str,
) -> Result<(), ActionError> {
    two_factor::disable(conn, acting.actor, code, acting.now)
}
