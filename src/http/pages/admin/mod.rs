//! The provider admin's pages: people and their roles, enrolments.

mod enrolments;
mod people;

use std::collections::BTreeMap;

use chrono::Utc;
use serde::Serialize;
use uuid::Uuid;

use super::rows::unit_name;
use crate::auth::policy::Role;
use crate::identity::User;

pub use enrolments::*;
pub use people::*;

/// One choice of a `<select>`.
#[derive(Debug, Clone, Serialize)]
pub(super) struct SelectOption {
    pub(super) value: String,
    pub(super) label: String,
}

/// The active users holding `role` in `org` now, as choices "Name (email)".
pub(super) fn holding(
    users: &[User],
    org: &str,
    role: Role,
    now: chrono::DateTime<Utc>,
) -> Vec<SelectOption> {
    users
        .iter()
        .filter(|u| {
            u.active
                && u.grants.iter().any(|g| {
                    g.org_id == org
                        && g.role == role.as_str()
                        && g.expires_at.is_none_or(|t| t > now)
                })
        })
        .map(|u| option(u.id.to_string(), format!("{} ({})", u.name, u.email)))
        .collect()
}

/// The catalogue's standards that `keep` keeps, as choices: `CODE@VERSION`, shown as the unit's
/// name and title (so nobody has to type a code the way the catalogue spells it).
pub(super) fn standard_choices(
    catalogue: &crate::catalogue::Catalogue,
    keep: impl Fn(&crate::standards::Standard) -> bool,
) -> Vec<SelectOption> {
    catalogue
        .all()
        .iter()
        .map(|l| &l.standard)
        .filter(|s| keep(s))
        .map(|s| {
            option(
                format!("{}@{}", s.code, s.version),
                format!("{} — {}", unit_name(s), s.title),
            )
        })
        .collect()
}

fn option(value: impl Into<String>, label: impl Into<String>) -> SelectOption {
    SelectOption {
        value: value.into(),
        label: label.into(),
    }
}

/// The id chosen in a `<select>` of people as posted (blank: none chosen); a value not from the
/// list is a field problem.
pub(super) fn chosen_id(
    value: &str,
    name: &str,
    errors: &mut BTreeMap<String, String>,
) -> Option<Uuid> {
    let text = value.trim();
    if text.is_empty() {
        return None;
    }
    match Uuid::parse_str(text) {
        Ok(id) => Some(id),
        Err(_) => {
            errors.insert(name.to_owned(), "Choose someone from the list".to_owned());
            None
        }
    }
}

/// A text field's value trimmed, when not blank (what an optional field left empty sends).
pub(in crate::http::pages) fn filled(value: String) -> Option<String> {
    let trimmed = value.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}
