//! Two-factor sign-in on the database: enrolling an authenticator, checking a code at sign-in,
//! recovery codes, and the organisation setting that requires it of admins, assessors and IVs.

use crate::db::FirstRow;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::users::load_user_row;
use crate::action::ActionError;
use crate::audit::{self, Change};
use crate::auth::policy::{Actor, Role};
use crate::auth::totp::{self, SecretError};
use crate::db::DbConnection;
use crate::db::ids::{OrgId, UserId};
use crate::db::schema::{org_security, recovery_codes, two_factor};

/// The roles an organisation's setting obliges to sign in with two factors.
pub const STAFF_ROLES: [Role; 3] = [Role::ProviderAdmin, Role::Assessor, Role::InternalVerifier];

/// What the refusal of a request says while a required enrolment is missing.
pub const ENROL_FIRST: &str = "your organisation requires two-factor sign-in: set it up at \
     /account/two-factor first";

/// Where a person's two-factor sign-in stands.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TwoFactorStatus {
    /// Codes from an authenticator are asked for at every sign-in.
    pub enabled: bool,
    /// An organisation they are staff in requires it.
    pub required: bool,
    /// Unused recovery codes left.
    pub recovery_codes_left: i64,
}

/// A started enrolment: what the authenticator app needs. (Named apart from a portfolio's
/// `Enrolment` in the OpenAPI document: one name, one schema.)
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = TwoFactorEnrolment)]
pub struct Enrolment {
    /// The shared secret, base32, for typing in by hand.
    pub secret: String,
    /// The `otpauth://` URI, for a QR code.
    pub otpauth_uri: String,
}

/// A code from the authenticator app (or, where said, a recovery code).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    /// Six digits from the app, or one of the recovery codes.
    pub code: String,
}

/// The recovery codes of a confirmed enrolment, shown this once.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecoveryCodes {
    /// Each works once, instead of a code from the app.
    pub recovery_codes: Vec<String>,
}

/// Whether organisations require two factors of their staff.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TwoFactorSetting {
    /// Admins, assessors and internal verifiers must sign in with two factors.
    pub required: bool,
}

fn secret_fault(err: SecretError) -> ActionError {
    ActionError::Db(crate::db::DbError::Query(
        diesel::result::Error::DeserializationError(Box::new(err)),
    ))
}

fn unix(now: DateTime<Utc>) -> u64 {
    u64::try_from(now.timestamp()).unwrap_or(0)
}

#[derive(Queryable)]
struct Row {
    secret: String,
    confirmed_at: Option<NaiveDateTime>,
    last_step: i64,
}

fn row(conn: &mut DbConnection, user_id: UserId) -> Result<Option<Row>, ActionError> {
    Ok(two_factor::table
        .find(user_id)
        .select((
            two_factor::secret,
            two_factor::confirmed_at,
            two_factor::last_step,
        ))
        .first_row(conn)
        .optional()?)
}

/// Whether the user has a confirmed authenticator.
pub fn is_enabled(conn: &mut DbConnection, user_id: UserId) -> Result<bool, ActionError> {
    Ok(row(conn, user_id)?.is_some_and(|r| r.confirmed_at.is_some()))
}

/// Whether an organisation where the actor holds a live staff role requires two factors.
pub fn is_required(
    conn: &mut DbConnection,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<bool, ActionError> {
    let orgs: Vec<OrgId> = actor
        .grants
        .iter()
        .filter(|g| g.is_live(now) && STAFF_ROLES.contains(&g.role))
        .map(|g| OrgId::from(g.org_id))
        .collect();
    if orgs.is_empty() {
        return Ok(false);
    }
    let requiring: i64 = org_security::table
        .filter(org_security::org_id.eq_any(&orgs))
        .filter(org_security::require_two_factor.eq(true))
        .count()
        .get_result(conn)?;
    Ok(requiring > 0)
}

/// Whether the actor must enrol before doing anything else.
pub fn must_enrol(
    conn: &mut DbConnection,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<bool, ActionError> {
    let user_id = UserId::from(actor.user_id);
    Ok(is_required(conn, actor, now)? && !is_enabled(conn, user_id)?)
}

/// Where the user's two-factor sign-in stands.
pub fn status(
    conn: &mut DbConnection,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<TwoFactorStatus, ActionError> {
    let user_id = UserId::from(actor.user_id);
    let recovery_codes_left = recovery_codes::table
        .filter(recovery_codes::user_id.eq(user_id))
        .filter(recovery_codes::used_at.is_null())
        .count()
        .get_result(conn)?;
    Ok(TwoFactorStatus {
        enabled: is_enabled(conn, user_id)?,
        required: is_required(conn, actor, now)?,
        recovery_codes_left,
    })
}

/// Starts (or starts again) an enrolment with a fresh secret; refused once one is confirmed.
pub fn start_enrolment(
    conn: &mut DbConnection,
    user_id: UserId,
    now: DateTime<Utc>,
) -> Result<Enrolment, ActionError> {
    if is_enabled(conn, user_id)? {
        return Err(ActionError::Conflict(
            "two-factor sign-in is already on: turn it off first to change the authenticator"
                .into(),
        ));
    }
    let user = load_user_row(conn, user_id)?;
    let secret = totp::new_secret();
    diesel::delete(two_factor::table.find(user_id)).execute(conn)?;
    diesel::insert_into(two_factor::table)
        .values((
            two_factor::user_id.eq(user_id),
            two_factor::secret.eq(&secret),
            two_factor::confirmed_at.eq(None::<NaiveDateTime>),
            two_factor::last_step.eq(0_i64),
            two_factor::created_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    let otpauth_uri = totp::otpauth_uri(&secret, &user.email).map_err(secret_fault)?;
    Ok(Enrolment {
        secret,
        otpauth_uri,
    })
}

/// The started enrolment's secret and URI again (the page shows them until confirmed).
pub fn pending_enrolment(
    conn: &mut DbConnection,
    user_id: UserId,
) -> Result<Option<Enrolment>, ActionError> {
    let Some(found) = row(conn, user_id)?.filter(|r| r.confirmed_at.is_none()) else {
        return Ok(None);
    };
    let user = load_user_row(conn, user_id)?;
    let otpauth_uri = totp::otpauth_uri(&found.secret, &user.email).map_err(secret_fault)?;
    Ok(Some(Enrolment {
        secret: found.secret,
        otpauth_uri,
    }))
}

/// Confirms the started enrolment with a code from the app; returns fresh recovery codes (audited).
pub fn confirm_enrolment(
    conn: &mut DbConnection,
    user_id: UserId,
    code: &str,
    now: DateTime<Utc>,
) -> Result<RecoveryCodes, ActionError> {
    let Some(pending) = row(conn, user_id)?.filter(|r| r.confirmed_at.is_none()) else {
        return Err(ActionError::Conflict(
            "no enrolment has been started: start one first".into(),
        ));
    };
    let step = totp::check_code(&pending.secret, code, unix(now), 0)
        .map_err(secret_fault)?
        .ok_or_else(|| {
            ActionError::invalid(
                "code",
                "is not the code the app shows now: try the next one",
            )
        })?;
    diesel::update(two_factor::table.find(user_id))
        .set((
            two_factor::confirmed_at.eq(Some(now.naive_utc())),
            two_factor::last_step.eq(i64::try_from(step).unwrap_or(i64::MAX)),
        ))
        .execute(conn)?;
    let codes = totp::new_recovery_codes();
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id)))
        .execute(conn)?;
    for code in &codes {
        diesel::insert_into(recovery_codes::table)
            .values((
                recovery_codes::user_id.eq(user_id),
                recovery_codes::code_hash.eq(totp::hash_recovery_code(code)),
                recovery_codes::used_at.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
    }
    audit_change(conn, user_id, "two_factor.enable")?;
    Ok(RecoveryCodes {
        recovery_codes: codes,
    })
}

/// Turns two-factor sign-in off with a current code (or a recovery code); refused while an
/// organisation requires it (audited).
pub fn disable(
    conn: &mut DbConnection,
    actor: &Actor,
    code: &str,
    now: DateTime<Utc>,
) -> Result<(), ActionError> {
    let user_id = UserId::from(actor.user_id);
    if is_required(conn, actor, now)? {
        return Err(ActionError::Conflict(
            "your organisation requires two-factor sign-in, so it stays on".into(),
        ));
    }
    if !is_enabled(conn, user_id)? {
        return Err(ActionError::Conflict("two-factor sign-in is not on".into()));
    }
    if !check_second_factor(conn, user_id, code, now)? {
        return Err(ActionError::invalid("code", "is wrong or already used"));
    }
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id)))
        .execute(conn)?;
    diesel::delete(two_factor::table.find(user_id)).execute(conn)?;
    audit_change(conn, user_id, "two_factor.disable")
}

/// At sign-in, after the right password: nothing to check without a confirmed authenticator;
/// otherwise the code must be a fresh one from the app or an unused recovery code (then spent).
pub fn second_factor(
    conn: &mut DbConnection,
    user_id: UserId,
    code: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), ActionError> {
    if !is_enabled(conn, user_id)? {
        return Ok(());
    }
    let code = code
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| {
            ActionError::invalid(
                "code",
                "is required: this account signs in with a code from an authenticator app",
            )
        })?;
    if check_second_factor(conn, user_id, code, now)? {
        Ok(())
    } else {
        Err(ActionError::invalid("code", "is wrong or already used"))
    }
}

/// Checks and spends a code: a TOTP code moves the last used step on (only if nobody else did
/// first), a recovery code is marked used.
fn check_second_factor(
    conn: &mut DbConnection,
    user_id: UserId,
    code: &str,
    now: DateTime<Utc>,
) -> Result<bool, ActionError> {
    if totp::is_recovery_code(code) {
        let spent = diesel::update(
            recovery_codes::table
                .find((user_id, totp::hash_recovery_code(code)))
                .filter(recovery_codes::used_at.is_null()),
        )
        .set(recovery_codes::used_at.eq(Some(now.naive_utc())))
        .execute(conn)?;
        return Ok(spent == 1);
    }
    let Some(enrolled) = row(conn, user_id)?.filter(|r| r.confirmed_at.is_some()) else {
        return Ok(false);
    };
    let last = u64::try_from(enrolled.last_step).unwrap_or(0);
    let Some(step) =
        totp::check_code(&enrolled.secret, code, unix(now), last).map_err(secret_fault)?
    else {
        return Ok(false);
    };
    let moved = diesel::update(
        two_factor::table
            .find(user_id)
            .filter(two_factor::last_step.eq(enrolled.last_step)),
    )
    .set(two_factor::last_step.eq(i64::try_from(step).unwrap_or(i64::MAX)))
    .execute(conn)?;
    Ok(moved == 1)
}

/// Sets whether the organisation's admins, assessors and IVs must use two factors (audited).
pub fn set_required(
    conn: &mut DbConnection,
    actor: UserId,
    org_id: OrgId,
    required: bool,
    now: DateTime<Utc>,
) -> Result<TwoFactorSetting, ActionError> {
    let before = is_required_in(conn, org_id)?;
    diesel::delete(org_security::table.find(org_id)).execute(conn)?;
    diesel::insert_into(org_security::table)
        .values((
            org_security::org_id.eq(org_id),
            org_security::require_two_factor.eq(required),
            org_security::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(&actor.to_string()),
            action: "org.two_factor",
            entity: "organisation",
            entity_id: &org_id.to_string(),
            before: Some(serde_json::json!({ "required": before })),
            after: Some(serde_json::json!({ "required": required })),
        },
    )?;
    Ok(TwoFactorSetting { required })
}

/// Whether the organisation requires two factors of its staff.
pub fn is_required_in(conn: &mut DbConnection, org_id: OrgId) -> Result<bool, ActionError> {
    Ok(org_security::table
        .find(org_id)
        .select(org_security::require_two_factor)
        .first_row(conn)
        .optional()?
        .unwrap_or(false))
}

fn audit_change(conn: &mut DbConnection, user_id: UserId, action: &str) -> Result<(), ActionError> {
    audit::append(
        conn,
        Change {
            actor_id: Some(&user_id.to_string()),
            action,
            entity: "user",
            entity_id: &user_id.to_string(),
            before: None,
            after: None,
        },
    )?;
    Ok(())
}
