//! Whose data is where, and the subject-access export of one person's data.

use crate::db::FirstRow;
use diesel::prelude::*;

use crate::action::ActionError;
use crate::audit::{self, Change};
use crate::db::DbConnection;
use crate::db::ids::{EnrolmentId, OrgId, UserId};
use crate::db::schema::{enrolments, evidence, login_failures, role_grants, two_factor, users};

/// Whether the person has roles or enrolments in an organisation other than `org_id` (then only
/// the instance's operator erases them, with `attest erase`).
pub fn elsewhere(
    conn: &mut DbConnection,
    org_id: OrgId,
    user_id: UserId,
) -> Result<bool, ActionError> {
    let grants: i64 = role_grants::table
        .filter(role_grants::org_id.ne(org_id))
        .filter(role_grants::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    let enrolled: i64 = enrolments::table
        .filter(enrolments::org_id.ne(org_id))
        .filter(enrolments::candidate_id.eq(user_id))
        .count()
        .get_result(conn)?;
    Ok(grants + enrolled > 0)
}

/// Whether the person belongs to the organisation (any role grant, or an enrolment there).
pub fn belongs_to(
    conn: &mut DbConnection,
    org_id: OrgId,
    user_id: UserId,
) -> Result<bool, ActionError> {
    let grants: i64 = role_grants::table
        .filter(role_grants::org_id.eq(org_id))
        .filter(role_grants::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    let enrolled: i64 = enrolments::table
        .filter(enrolments::org_id.eq(org_id))
        .filter(enrolments::candidate_id.eq(user_id))
        .count()
        .get_result(conn)?;
    Ok(grants + enrolled > 0)
}

/// Which organisations' data a subject-access export holds: everything (the person themself, or
/// the instance's operator), or what the given organisations hold (their admin).
#[derive(Debug, Clone)]
pub enum SubjectScope {
    /// Everything held about the person.
    All,
    /// What these organisations hold: the account, and the roles, enrolments, mails and audit
    /// entries there.
    Orgs(Vec<OrgId>),
}

impl SubjectScope {
    fn holds(&self, org_id: Option<&str>) -> bool {
        match self {
            Self::All => true,
            Self::Orgs(orgs) => org_id.is_some_and(|o| orgs.iter().any(|x| *x == o)),
        }
    }

    fn holds_org(&self, org_id: OrgId) -> bool {
        match self {
            Self::All => true,
            Self::Orgs(orgs) => orgs.contains(&org_id),
        }
    }
}

/// The organisations the person belongs to (a role grant or an enrolment there), sorted.
pub fn orgs_of(conn: &mut DbConnection, user_id: UserId) -> Result<Vec<OrgId>, ActionError> {
    let mut orgs: Vec<OrgId> = role_grants::table
        .filter(role_grants::user_id.eq(user_id))
        .select(role_grants::org_id)
        .load(conn)?;
    orgs.extend(
        enrolments::table
            .filter(enrolments::candidate_id.eq(user_id))
            .select(enrolments::org_id)
            .load::<OrgId>(conn)?,
    );
    orgs.sort();
    orgs.dedup();
    Ok(orgs)
}

fn rfc3339(at: chrono::NaiveDateTime) -> String {
    at.and_utc().to_rfc3339()
}

/// The account data of a subject-access export: everything held about the person in `scope`
/// except the portfolios (which go as portfolio archives beside it): the account (without its
/// password hash or two-factor secret), roles, enrolments, sign-in records, notifications, the
/// mails sent to them, their declarations and acknowledgements, and the audit entries by them or
/// about them or their enrolments.
pub fn account_data(
    conn: &mut DbConnection,
    user_id: UserId,
    scope: &SubjectScope,
) -> Result<serde_json::Value, ActionError> {
    use crate::db::schema::{acknowledgements, audit_log, notifications, outbox};
    let user: (
        String,
        String,
        String,
        bool,
        Option<String>,
        chrono::NaiveDateTime,
    ) = users::table
        .find(user_id)
        .select((
            users::id,
            users::email,
            users::name,
            users::active,
            users::national_learner_number,
            users::created_at,
        ))
        .first_row(conn)
        .optional()?
        .ok_or(ActionError::NotFound)?;
    let grants: Vec<(
        String,
        String,
        Option<chrono::NaiveDateTime>,
        chrono::NaiveDateTime,
    )> = role_grants::table
        .filter(role_grants::user_id.eq(user_id))
        .select((
            role_grants::org_id,
            role_grants::role,
            role_grants::expires_at,
            role_grants::created_at,
        ))
        .load(conn)?;
    let grants: Vec<_> = grants
        .into_iter()
        .filter(|g| scope.holds(Some(&g.0)))
        .collect();
    let enrolled: Vec<(String, String, String, i32, String)> = enrolments::table
        .filter(enrolments::candidate_id.eq(user_id))
        .select((
            enrolments::id,
            enrolments::org_id,
            enrolments::standard_code,
            enrolments::standard_version,
            enrolments::status,
        ))
        .load(conn)?;
    let enrolled: Vec<_> = enrolled
        .into_iter()
        .filter(|e| scope.holds(Some(&e.1)))
        .collect();
    let enrolment_ids: Vec<String> = enrolled.iter().map(|e| e.0.clone()).collect();
    let two_factor_on: i64 = two_factor::table
        .filter(two_factor::user_id.eq(user_id))
        .filter(two_factor::confirmed_at.is_not_null())
        .count()
        .get_result(conn)?;
    let failed: Option<(i32, chrono::NaiveDateTime)> = login_failures::table
        .filter(login_failures::scope.eq("email"))
        .filter(login_failures::subject.eq(&user.1))
        .select((login_failures::failures, login_failures::last_failure))
        .first_row(conn)
        .optional()?;
    let trail: Vec<(
        i64,
        chrono::NaiveDateTime,
        Option<String>,
        String,
        String,
        String,
    )> = audit_log::table
        .filter(
            audit_log::entity
                .eq("user")
                .and(audit_log::entity_id.eq(user_id))
                .or(audit_log::entity
                    .eq("enrolment")
                    .and(audit_log::entity_id.eq_any(&enrolment_ids)))
                .or(audit_log::actor_id.eq(user_id).assume_not_null()),
        )
        .select((
            audit_log::seq,
            audit_log::at,
            audit_log::actor_id,
            audit_log::action,
            audit_log::entity,
            audit_log::entity_id,
        ))
        .order(audit_log::seq)
        .load(conn)?;
    // An operator's or the person's own export holds all of it; an organisation's admin gets the
    // entries about that organisation's enrolments and about the person's account there (grants
    // name the organisation), not what they did elsewhere.
    let trail: Vec<_> = match scope {
        SubjectScope::All => trail,
        SubjectScope::Orgs(_) => trail
            .into_iter()
            .filter(|t| {
                (t.4 == "enrolment" && enrolment_ids.contains(&t.5))
                    || (t.4 == "user" && user_id == t.5)
            })
            .collect(),
    };
    let sign_outs: Vec<String> = trail
        .iter()
        .filter(|t| t.3 == "session.logout")
        .map(|t| rfc3339(t.1))
        .collect();
    let notes: Vec<(
        String,
        String,
        String,
        chrono::NaiveDateTime,
        Option<chrono::NaiveDateTime>,
    )> = match scope {
        // Notifications are the person's, not an organisation's.
        SubjectScope::Orgs(_) => Vec::new(),
        SubjectScope::All => notifications::table
            .filter(notifications::user_id.eq(user_id))
            .select((
                notifications::kind,
                notifications::message,
                notifications::link,
                notifications::created_at,
                notifications::read_at,
            ))
            .order(notifications::created_at)
            .load(conn)?,
    };
    let mails: Vec<(
        Option<String>,
        String,
        String,
        String,
        chrono::NaiveDateTime,
        String,
    )> = outbox::table
        .filter(outbox::to_address.eq(&user.1))
        .select((
            outbox::org_id,
            outbox::subject,
            outbox::body,
            outbox::kind,
            outbox::created_at,
            outbox::status,
        ))
        .order(outbox::created_at)
        .load(conn)?;
    let mails: Vec<_> = mails
        .into_iter()
        .filter(|m| scope.holds(m.0.as_deref()))
        .collect();
    let declared: Vec<(String, String, Option<chrono::NaiveDateTime>)> = evidence::table
        .filter(evidence::enrolment_id.eq_any(&enrolment_ids))
        .filter(evidence::declared_at.is_not_null())
        .select((evidence::id, evidence::enrolment_id, evidence::declared_at))
        .order(evidence::declared_at)
        .load(conn)?;
    let acknowledged: Vec<(String, String, String, chrono::NaiveDateTime)> =
        acknowledgements::table
            .filter(acknowledgements::candidate_id.eq(user_id))
            .filter(acknowledgements::enrolment_id.eq_any(&enrolment_ids))
            .select((
                acknowledgements::evidence_id,
                acknowledgements::enrolment_id,
                acknowledgements::comment,
                acknowledgements::acknowledged_at,
            ))
            .load(conn)?;
    Ok(serde_json::json!({
        "scope": match scope {
            SubjectScope::All => serde_json::json!("everything held about the person"),
            SubjectScope::Orgs(orgs) => serde_json::json!({ "organisations": orgs }),
        },
        "account": {
            "id": user.0, "email": user.1, "name": user.2, "active": user.3,
            "national_learner_number": user.4, "created_at": rfc3339(user.5),
            "two_factor": two_factor_on > 0,
            "password": "kept only as an argon2 hash, which is not included",
        },
        "roles": grants.iter().map(|g| serde_json::json!({
            "org_id": g.0, "role": g.1,
            "expires_at": g.2.map(rfc3339),
            "granted_at": rfc3339(g.3),
        })).collect::<Vec<_>>(),
        "enrolments": enrolled.iter().map(|e| serde_json::json!({
            "id": e.0, "org_id": e.1, "standard": format!("{}@{}", e.2, e.3), "status": e.4,
        })).collect::<Vec<_>>(),
        "sign_in": {
            "successful_sign_ins": "not recorded: a session is a signed token, and no sign-in is logged",
            "failed_attempts": failed.map(|(n, at)| serde_json::json!({
                "count": n, "last": rfc3339(at),
            })),
            "sign_outs": sign_outs,
            "two_factor": two_factor_on > 0,
        },
        "notifications": notes.iter().map(|n| serde_json::json!({
            "kind": n.0, "message": n.1, "link": n.2, "at": rfc3339(n.3),
            "read_at": n.4.map(rfc3339),
        })).collect::<Vec<_>>(),
        "mails": mails.iter().map(|m| serde_json::json!({
            "org_id": m.0, "subject": m.1, "body": m.2, "kind": m.3, "at": rfc3339(m.4),
            "status": m.5,
        })).collect::<Vec<_>>(),
        "declarations": declared.iter().map(|d| serde_json::json!({
            "evidence_id": d.0, "enrolment_id": d.1,
            "declared_at": d.2.map(rfc3339),
            "declaration": "the evidence is the candidate's own work",
        })).collect::<Vec<_>>(),
        "acknowledgements": acknowledged.iter().map(|a| serde_json::json!({
            "evidence_id": a.0, "enrolment_id": a.1, "comment": a.2, "at": rfc3339(a.3),
        })).collect::<Vec<_>>(),
        "audit_trail": trail.iter().map(|t| serde_json::json!({
            "seq": t.0, "at": rfc3339(t.1), "actor_id": t.2, "action": t.3, "entity": t.4,
            "entity_id": t.5,
        })).collect::<Vec<_>>(),
    }))
}

/// The ids of the person's enrolments in `scope` (each exported as a portfolio archive).
pub fn enrolments_of(
    conn: &mut DbConnection,
    user_id: UserId,
    scope: &SubjectScope,
) -> Result<Vec<EnrolmentId>, ActionError> {
    let rows: Vec<(EnrolmentId, OrgId)> = enrolments::table
        .filter(enrolments::candidate_id.eq(user_id))
        .select((enrolments::id, enrolments::org_id))
        .order(enrolments::created_at)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(_, org)| scope.holds_org(*org))
        .map(|(id, _)| id)
        .collect())
}

/// Records that a subject-access export of `user_id` was given out (`user.subject_access`): who
/// asked, for which organisations, how many portfolio archives. No personal data.
pub fn record_subject_access(
    conn: &mut DbConnection,
    actor_id: Option<&str>,
    user_id: UserId,
    scope: &SubjectScope,
    archives: usize,
) -> Result<(), ActionError> {
    audit::append(
        conn,
        Change {
            actor_id,
            action: "user.subject_access",
            entity: "user",
            entity_id: &user_id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "scope": match scope {
                    SubjectScope::All => serde_json::json!("all"),
                    SubjectScope::Orgs(orgs) => serde_json::json!(orgs),
                },
                "portfolio_archives": archives,
            })),
        },
    )?;
    Ok(())
}
