//! People: creating them (with a first role), loading and listing them, deactivating them, and the
//! user as the policy sees them. Role grants are in `grants.rs`, verifier assignments in
//! `assignments.rs`.
//!
//! - [`create`]: creating a user (every field checked) and the learner-number clash rule.
//! - [`load`]: loading, finding and listing users with their grants.
//! - [`deactivate`]: deactivating a user.
//! - [`actor`]: the user as the policy sees them, for a request or a session.

mod actor;
mod create;
mod deactivate;
mod load;

pub use actor::{load_actor, load_session_actor};
pub use create::{create_user, learner_number_clash};
pub(crate) use create::{normalise_email, valid_email};
pub use deactivate::deactivate_user;
pub(super) use load::grant_rows;
pub(crate) use load::load_user_row;
pub use load::{find_user_by_email, is_member, list_users, load_user, load_user_in};

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::ids::{OrgId, RoleGrantId, UserId};
use crate::db::schema::{role_grants, users};

/// A user row as stored, password hash included: never serialised.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub(crate) id: UserId,
    pub(crate) email: String,
    pub(crate) name: String,
    pub(crate) password_hash: String,
    pub(crate) active: bool,
    pub(crate) national_learner_number: Option<String>,
    pub(crate) token_generation: i64,
    pub(crate) created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = role_grants)]
pub(super) struct GrantRow {
    pub(super) id: RoleGrantId,
    pub(super) user_id: UserId,
    pub(super) org_id: OrgId,
    pub(super) role: String,
    pub(super) expires_at: Option<NaiveDateTime>,
    pub(super) created_at: NaiveDateTime,
}

/// A role grant as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GrantView {
    /// The organisation.
    #[schema(value_type = String)]
    pub org_id: OrgId,
    /// The role name.
    pub role: String,
    /// When the grant stops counting, if ever.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A user as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct User {
    /// Their id.
    #[schema(value_type = uuid::Uuid)]
    pub id: UserId,
    /// Their email, lower-cased.
    pub email: String,
    /// Their name as they write it.
    pub name: String,
    /// False once deactivated.
    pub active: bool,
    /// NZ National Student Number or Scottish Candidate Number, for candidates.
    pub national_learner_number: Option<String>,
    /// Their roles.
    pub grants: Vec<GrantView>,
}

/// What is needed to create a user in an organisation with a first role.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// Email, unique regardless of case.
    pub email: String,
    /// Name.
    pub name: String,
    /// Password: at least 10 characters, not a common one. Leave it out to invite the person
    /// instead: they choose their own through a one-time link, so nobody else ever knows it.
    #[serde(default)]
    pub password: Option<String>,
    /// First role in the organisation.
    pub role: String,
    /// For candidates: NSN or SCN.
    #[serde(default)]
    pub national_learner_number: Option<String>,
}
