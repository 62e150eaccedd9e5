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
    /// The statement fonts could not be parsed when first used (a fault on our side).
    #[error(transparent)]
    Fonts(#[from] crate::output::pdf::PdfError),
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

/// Who acts, and when: the person as the policy sees them (grants and assignments read in the
/// transaction that acts, so the facts cannot change underneath the decision) and the moment the
/// action is dated. Every action takes one and asks the policy itself, so the API, the pages and
/// the CLI cannot disagree about who may do what.
#[derive(Debug, Clone, Copy)]
pub struct Acting<'a> {
    /// The person, as the policy sees them.
    pub actor: &'a crate::auth::policy::Actor,
    /// Their id, as stored.
    pub user_id: &'a str,
    /// When they act.
    pub now: chrono::DateTime<chrono::Utc>,
}

/// The console operator as the policy sees them: no grants of their own (see [`Acting::console`]).
static CONSOLE_ACTOR: crate::auth::policy::Actor = crate::auth::policy::Actor {
    user_id: uuid::Uuid::nil(),
    active: true,
    grants: Vec::new(),
    verifies: Vec::new(),
};

/// The id [`Acting::console`] carries: not a uuid, so no stored user can ever carry it.
pub const CONSOLE: &str = "console";

impl Acting<'static> {
    /// The console operator: whoever runs `attest` at the server's shell.
    ///
    /// They already hold what the policy guards: the configuration, the database and the issuer
    /// keys (a shell on the server can read or change any row). Refusing them would protect
    /// nothing, and granting them roles in every organisation would invent grants that are not
    /// in the database. So the console is its own principal: [`Acting::require`] lets it do
    /// what it asks, and the audit trail names it as it always has, with no user
    /// ([`Acting::audit_actor`] is `None`: "the system itself, e.g. a CLI command"). The console
    /// is recognised by identity (this very actor *and* the [`CONSOLE`] id, which no session
    /// can carry), never by anything a request could supply.
    pub fn console(now: chrono::DateTime<chrono::Utc>) -> Self {
        Acting {
            actor: &CONSOLE_ACTOR,
            user_id: CONSOLE,
            now,
        }
    }
}

impl Acting<'_> {
    /// Asks the policy; a refusal becomes [`ActionError::Forbidden`] or [`ActionError::NotFound`].
    /// The console operator ([`Acting::console`]) is never refused.
    pub fn require(
        &self,
        action: crate::auth::policy::Action,
        resource: &crate::auth::policy::Resource,
    ) -> Result<(), ActionError> {
        if self.is_console() {
            return Ok(());
        }
        Ok(crate::auth::policy::can(self.actor, action, resource, self.now).require()?)
    }

    /// Refuses anyone but the console operator: what only the instance's operator does (creating
    /// organisations, applying every organisation's retention rules, erasing or disabling an
    /// account whatever organisations it belongs to) has no grant that allows it.
    pub fn require_console(&self) -> Result<(), ActionError> {
        if self.is_console() {
            Ok(())
        } else {
            Err(ActionError::Forbidden(
                "only the instance's operator does this, at the server's shell".into(),
            ))
        }
    }

    /// Whether this is the console operator ([`Acting::console`]).
    pub fn is_console(&self) -> bool {
        std::ptr::eq(self.actor, &CONSOLE_ACTOR) && self.user_id == CONSOLE
    }

    /// Who the audit trail names: the person's id, or `None` for the console operator.
    pub fn audit_actor(&self) -> Option<&str> {
        (!self.is_console()).then_some(self.user_id)
    }

    /// The acting person's typed id, or `None` for the console operator, who is no person (the
    /// same answer as [`Acting::audit_actor`]).
    pub fn person(&self) -> Option<crate::db::ids::UserId> {
        (!self.is_console()).then(|| crate::db::ids::UserId::from(self.actor.user_id))
    }

    /// The acting person's typed id, for what only a person does (what is recorded as asked,
    /// marked, decided or signed by someone). The console operator is refused: no command
    /// reaches these actions, and a row must never name a person who does not exist.
    pub fn user(&self) -> Result<crate::db::ids::UserId, ActionError> {
        self.person().ok_or_else(|| {
            ActionError::Forbidden("the instance's operator acts as no person here".into())
        })
    }
}

/// What actions need from the running service besides the database: the loaded standards, the
/// issuer keys, the statement fonts, and the public address that links in mails and credentials
/// are built from.
#[derive(Clone, Copy)]
pub struct Services<'a> {
    /// The loaded standards.
    pub catalogue: &'a crate::catalogue::Catalogue,
    /// The issuer keys that sign statements and credentials.
    pub keys: &'a crate::keys::KeyRing,
    /// Fonts for statements of competence.
    pub fonts: &'a crate::output::pdf::Fonts,
    /// The service's public address (no trailing slash).
    pub public_url: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::policy::{Action, Actor, Resource};

    fn export() -> Resource {
        Resource::Export {
            org_id: uuid::Uuid::new_v4(),
        }
    }

    #[test]
    fn the_console_may_act_and_the_trail_names_no_user() {
        let console = Acting::console(chrono::Utc::now());
        assert!(console.is_console());
        assert!(console.require(Action::RecordExport, &export()).is_ok());
        assert!(console.require_console().is_ok());
        assert_eq!(console.audit_actor(), None);
    }

    #[test]
    fn a_person_is_never_the_console_whatever_their_id() {
        let nobody = Actor {
            user_id: uuid::Uuid::nil(),
            active: true,
            grants: Vec::new(),
            verifies: Vec::new(),
        };
        let acting = Acting {
            actor: &nobody,
            user_id: CONSOLE,
            now: chrono::Utc::now(),
        };
        assert!(!acting.is_console());
        assert!(acting.require(Action::RecordExport, &export()).is_err());
        assert!(acting.require_console().is_err());
        assert_eq!(acting.audit_actor(), Some(CONSOLE));
    }
}
