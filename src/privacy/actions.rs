//! Privacy as people (and the console operator) exercise it: an organisation's retention rules,
//! applying them, erasing a person's data on request, and the subject-access export. Each asks
//! the policy, acts and audits in the caller's transaction; the API, the settings page and the
//! CLI call these and only translate requests and answers.

use crate::action::{Acting, ActionError};
use crate::auth::policy::{Action, Resource};
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::{Id, OrgId, UserId};
use crate::exports::subject::SubjectExport;
use crate::output::pdf::FontSet;

use super::{Erasure, RetentionReport, RetentionRules, SubjectScope};

fn organisation(org_id: OrgId) -> Resource {
    Resource::Organisation {
        org_id: org_id.uuid(),
    }
}

/// The organisation's retention rules (days after an enrolment closes, by record type).
pub fn retention_rules(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
) -> Result<RetentionRules, ActionError> {
    acting.require(Action::ManageOrganisation, &organisation(org_id))?;
    super::rules(conn, org_id)
}

/// Replaces the organisation's retention rules (each field out of range named); audited with the
/// old and the new rules.
pub fn set_retention_rules(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
    rules: RetentionRules,
) -> Result<RetentionRules, ActionError> {
    acting.require(Action::ManageOrganisation, &organisation(org_id))?;
    super::set_rules(conn, acting.audit_actor(), org_id, rules, acting.now)
}

/// Applies every organisation's retention rules at the acting moment (`attest retention apply`;
/// the console operator's only). Dry: reports what would be cleared and changes nothing. Each
/// organisation's change is one audit entry.
pub fn apply_retention(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    dry_run: bool,
) -> Result<RetentionReport, ActionError> {
    acting.require_console()?;
    super::apply(conn, acting.now, dry_run)
}

/// Erases a person's data on request from one organisation (its admin's erasure): the person must
/// belong to it (else 404) and to no other (then only the instance's operator erases them, with
/// `attest erase`). See [`super::erase_person`] for what goes and what stays.
pub fn erase_in_organisation(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
    user_id: UserId,
    reason: &str,
) -> Result<Erasure, ActionError> {
    acting.require(
        Action::DeactivateUser,
        &Resource::User {
            org_id: org_id.uuid(),
            user_id: user_id.uuid(),
        },
    )?;
    if !super::belongs_to(conn, org_id, user_id)? {
        return Err(ActionError::NotFound);
    }
    if super::elsewhere(conn, org_id, user_id)? {
        return Err(ActionError::Conflict(
            "this person belongs to another organisation too: the instance's operator erases them with `attest erase`".into(),
        ));
    }
    super::erase_person(conn, acting.audit_actor(), user_id, reason, acting.now)
}

/// Erases a person's data on request wherever they belong (`attest erase`; the console
/// operator's only).
pub fn erase_anywhere(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    user_id: UserId,
    reason: &str,
) -> Result<Erasure, ActionError> {
    acting.require_console()?;
    super::erase_person(conn, acting.audit_actor(), user_id, reason, acting.now)
}

/// Which part of a person's data the actor may export: everything for the person themself (and
/// the console operator); for anyone else, what the organisations hold where they may read the
/// person's account (their provider admin). Refused (403, or 404 when the actor is in none of
/// the person's organisations) otherwise.
pub fn subject_scope(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    user_id: UserId,
) -> Result<SubjectScope, ActionError> {
    crate::identity::load_user(conn, user_id)?;
    if acting.is_console() || user_id == acting.user_id {
        return Ok(SubjectScope::All);
    }
    let mut allowed = Vec::new();
    let mut refusal = ActionError::NotFound;
    for org in super::orgs_of(conn, user_id)? {
        let resource = Resource::User {
            org_id: org.uuid(),
            user_id: user_id.uuid(),
        };
        match acting.require(Action::ReadUser, &resource) {
            Ok(()) => allowed.push(org),
            Err(e @ ActionError::Forbidden(_)) => refusal = e,
            Err(_) => {}
        }
    }
    if allowed.is_empty() {
        return Err(refusal);
    }
    Ok(SubjectScope::Orgs(allowed))
}

/// What the person's subject-access export holds for this actor (see [`subject_scope`]), read
/// from the database, and the scope it was read in. Writing the files happens outside the
/// transaction; [`record_subject_access`] records it once given out.
pub fn subject_export(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    fonts: &FontSet,
    acting: &Acting<'_>,
    user_id: UserId,
) -> Result<(SubjectExport, SubjectScope), ActionError> {
    let scope = subject_scope(conn, acting, user_id)?;
    let export = crate::exports::subject::gather(conn, catalogue, fonts, user_id, &scope)?;
    Ok((export, scope))
}

/// Records that a subject-access export of the person in `scope` was given out
/// (`user.subject_access`: who asked, for which organisations, how many portfolio archives; no
/// personal data).
pub fn record_subject_access(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    user_id: UserId,
    scope: &SubjectScope,
    archives: usize,
) -> Result<(), ActionError> {
    super::record_subject_access(conn, acting.audit_actor(), user_id, scope, archives)
}
