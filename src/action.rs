//! The error type of the action layer: everything that changes or reads the database on a user's
//! behalf (identity, portfolio, sign-off) fails with [`ActionError`]. HTTP maps it once; the CLI
//! prints it.

use std::collections::BTreeMap;

use crate::auth::policy::Denied;
use crate::db::DbError;

/// Why an action did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// Input failed validation: field (dotted path) → reason.
    #[error("{}", describe(.0))]
    Invalid(BTreeMap<String, String>),
    /// Not there, or not visible to this actor.
    #[error("not found")]
    NotFound,
    /// Visible, but this actor may not do it.
    #[error("{0}")]
    Forbidden(String),
    /// The current state does not allow it (locked, already exists, …).
    #[error("{0}")]
    Conflict(String),
    /// The unit is not complete: the engine's gaps, most useful first.
    #[error("the unit is not complete: {}", .0.join("; "))]
    Incomplete(Vec<String>),
    /// Credentials are missing, wrong, expired or revoked.
    #[error("{0}")]
    Unauthenticated(String),
    /// Too many failed attempts; retry after this many seconds.
    #[error("too many failed attempts; try again in {0} s")]
    Throttled(u64),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// An issuer key could not be had or used (a fault on our side, not the caller's).
    #[error(transparent)]
    Keys(crate::keys::KeyError),
}

impl From<crate::keys::KeyError> for ActionError {
    fn from(err: crate::keys::KeyError) -> Self {
        match err {
            crate::keys::KeyError::Db(db) => db.into(),
            other => Self::Keys(other),
        }
    }
}

fn describe(errors: &BTreeMap<String, String>) -> String {
    errors
        .iter()
        .map(|(field, reason)| format!("{field}: {reason}"))
        .collect::<Vec<_>>()
        .join("; ")
}

impl ActionError {
    /// One invalid field.
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid(BTreeMap::from([(field.into(), reason.into())]))
    }
}

impl From<diesel::result::Error> for ActionError {
    fn from(err: diesel::result::Error) -> Self {
        match err {
            diesel::result::Error::NotFound => Self::NotFound,
            other => Self::Db(DbError::from(other)),
        }
    }
}

impl From<Denied> for ActionError {
    fn from(denied: Denied) -> Self {
        match denied {
            Denied::Forbidden => Self::Forbidden("you are not allowed to do this".into()),
            Denied::NotFound => Self::NotFound,
        }
    }
}

/// Collects field errors so a form can show all of them at once.
#[derive(Debug, Default)]
pub struct Problems(BTreeMap<String, String>);

impl Problems {
    /// Records `reason` for `field` (the first reason per field wins).
    pub fn add(&mut self, field: &str, reason: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_insert_with(|| reason.into());
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Field → reason, for a form to show.
    pub fn into_map(self) -> BTreeMap<String, String> {
        self.0
    }

    /// `Ok` when nothing was recorded.
    pub fn finish(self) -> Result<(), ActionError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ActionError::Invalid(self.0))
        }
    }
}
