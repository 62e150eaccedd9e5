//! Erasing a person's data on request: content goes, ids and links stay.

use std::collections::BTreeMap;

use crate::db::FirstRow;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::clearing::{clear_answers, clear_content, remove_files};
use super::retention::CLOSED;
use crate::action::ActionError;
use crate::audit::{self, Change};
use crate::db::DbConnection;
use crate::db::ids::UserId;
use crate::db::schema::{
    enrolments, erasures, evidence, login_failures, recovery_codes, two_factor, users,
};

/// What an erasure did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Erasure {
    /// The person's id (kept: records refer to it).
    #[schema(value_type = String)]
    pub user_id: UserId,
    /// When.
    pub erased_at: DateTime<Utc>,
    /// Evidence records whose content and files were removed.
    pub evidence_cleared: usize,
    /// Answers to questions whose text, recording and comment were removed (their marks stay).
    pub answers_cleared: usize,
    /// Enrolments kept as certification records (without the person's name on the account).
    pub enrolments_kept: usize,
    /// Audit entries whose personal content was anonymised (each keeps its hash; one
    /// `audit.erase` entry names them).
    pub audit_entries_anonymised: usize,
}

/// The name an erased account shows.
pub const ERASED_NAME: &str = "Erased person";

/// Erases a person's personal data on request: the account's name, email, learner number,
/// password and two-factor secrets; the content and files of the evidence of their enrolments;
/// their answers to questions (text, recordings, the assessor's comments; the marks stay).
/// Kept: the rows and ids (enrolments, sign-offs, statements and credentials — the certification
/// record — and the audit trail, whose entries are not rewritten). Refused for someone who is
/// still active in an enrolment that is not closed. Audited without personal data.
pub fn erase_person(
    conn: &mut DbConnection,
    actor_id: Option<&str>,
    user_id: UserId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Erasure, ActionError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ActionError::Invalid(BTreeMap::from([(
            "reason".to_owned(),
            "say why (the request, the law it rests on); kept in the audit trail".to_owned(),
        )])));
    }
    let (email, name, learner_number): (String, String, Option<String>) = users::table
        .find(user_id)
        .select((users::email, users::name, users::national_learner_number))
        .first_row(conn)
        .optional()?
        .ok_or(ActionError::NotFound)?;
    let done: i64 = erasures::table.find(user_id).count().get_result(conn)?;
    if done > 0 {
        return Err(ActionError::Conflict(
            "this person's data is already erased".into(),
        ));
    }
    let open: i64 = enrolments::table
        .filter(enrolments::candidate_id.eq(user_id))
        .filter(enrolments::status.ne_all(CLOSED))
        .count()
        .get_result(conn)?;
    if open > 0 {
        return Err(ActionError::Conflict(format!(
            "{open} of their enrolments are still open: withdraw them first"
        )));
    }
    let enrolment_ids: Vec<String> = enrolments::table
        .filter(enrolments::candidate_id.eq(user_id))
        .select(enrolments::id)
        .load(conn)?;
    let evidence_ids: Vec<String> = evidence::table
        .filter(evidence::enrolment_id.eq_any(&enrolment_ids))
        .select(evidence::id)
        .load(conn)?;
    remove_files(conn, &evidence_ids)?;
    clear_content(conn, &evidence_ids)?;
    let answers_cleared = clear_answers(conn, &enrolment_ids)?;
    let personal = Personal {
        user_id,
        name,
        email: email.clone(),
        learner_number,
        enrolments: enrolment_ids.clone(),
    };
    let trail_entries = erase_from_trail(conn, actor_id, &personal)?;

    diesel::update(users::table.find(user_id))
        .set((
            users::name.eq(ERASED_NAME),
            users::email.eq(format!("erased-{user_id}@erased.invalid")),
            users::national_learner_number.eq(None::<String>),
            // No password hash verifies against this: the account cannot sign in.
            users::password_hash.eq("!erased"),
            users::active.eq(false),
            users::token_generation.eq(users::token_generation + 1),
        ))
        .execute(conn)?;
    diesel::delete(two_factor::table.filter(two_factor::user_id.eq(user_id))).execute(conn)?;
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id)))
        .execute(conn)?;
    diesel::delete(login_failures::table.filter(login_failures::subject.eq(&email)))
        .execute(conn)?;
    diesel::insert_into(erasures::table)
        .values((
            erasures::user_id.eq(user_id),
            erasures::erased_at.eq(now.naive_utc()),
            erasures::erased_by.eq(actor_id),
            erasures::reason.eq(reason),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id,
            action: "user.erase",
            entity: "user",
            entity_id: &user_id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "reason": reason,
                "evidence_cleared": evidence_ids.len(),
                "answers_cleared": answers_cleared,
                "enrolments_kept": enrolment_ids.len(),
                "audit_entries_anonymised": trail_entries,
            })),
        },
    )?;
    Ok(Erasure {
        user_id,
        erased_at: now,
        evidence_cleared: evidence_ids.len(),
        answers_cleared,
        enrolments_kept: enrolment_ids.len(),
        audit_entries_anonymised: trail_entries,
    })
}

/// What erasing from the audit trail looks for: the person's id, enrolments and personal values
/// as they were before the account was anonymised.
struct Personal {
    user_id: UserId,
    name: String,
    email: String,
    learner_number: Option<String>,
    enrolments: Vec<String>,
}

/// What an anonymised value becomes in the audit trail.
pub const ERASED_VALUE: &str = "[erased]";

/// Keys whose values are personal content in entries about the person (their account or their
/// enrolments): names, contact details, free text. Ids, dates, statuses, criteria and judgements
/// stay, so the trail still shows what was done and when.
const PERSONAL_KEYS: &[&str] = &[
    "name",
    "email",
    "national_learner_number",
    "title",
    "site",
    "notes",
    "note",
    "description",
    "comments",
    "comment",
    "witness",
    "statement",
    "contact",
    "job_title",
    "relationship",
    "details",
    "detail",
    "file_name",
    "reason",
    "feedback",
    "response",
    "message",
    // A typed answer to a question (`questions.draft` / `questions.answer`).
    "text",
    "answer_text",
];

fn personal_key(key: &str) -> bool {
    PERSONAL_KEYS.contains(&key)
        || key.ends_with("_name")
        || key.ends_with("_email")
        || key.ends_with("_note")
        || key.ends_with("_notes")
}

impl Personal {
    /// Whether a text is one of the person's values (their name as a whole, or text holding their
    /// email or learner number).
    fn names_them(&self, text: &str) -> bool {
        let lower = text.to_lowercase();
        (!self.name.trim().is_empty() && text.trim().eq_ignore_ascii_case(self.name.trim()))
            || lower.contains(&self.email.to_lowercase())
            || self
                .learner_number
                .as_deref()
                .is_some_and(|n| !n.is_empty() && text.contains(n))
    }

    /// Anonymises `value` in place; answers whether anything changed. `about_them`: the entry is
    /// about the person, so every [`PERSONAL_KEYS`] value goes, not only their own values.
    fn scrub(&self, value: &mut serde_json::Value, about_them: bool) -> bool {
        match value {
            serde_json::Value::String(text) if self.names_them(text) => {
                *value = serde_json::Value::String(ERASED_VALUE.into());
                true
            }
            serde_json::Value::Object(map) => {
                let mut changed = false;
                for (key, inner) in map.iter_mut() {
                    let gone = matches!(inner, serde_json::Value::Null)
                        || inner.as_str() == Some(ERASED_VALUE);
                    if about_them && personal_key(key) && !gone {
                        *inner = serde_json::Value::String(ERASED_VALUE.into());
                        changed = true;
                    } else {
                        changed |= self.scrub(inner, about_them);
                    }
                }
                changed
            }
            serde_json::Value::Array(items) => items.iter_mut().fold(false, |changed, item| {
                self.scrub(item, about_them) | changed
            }),
            _ => false,
        }
    }

    /// The entry's content anonymised, or none when nothing in it is personal.
    fn anonymise(&self, entry: &audit::Entry) -> Option<audit::Anonymised> {
        let about_them = (entry.entity == "user" && self.user_id == entry.entity_id)
            || (entry.entity == "enrolment" && self.enrolments.contains(&entry.entity_id));
        let mut changed = false;
        let mut one = |text: &Option<String>| {
            text.as_ref()
                .map(|t| match serde_json::from_str::<serde_json::Value>(t) {
                    Ok(mut value) => {
                        if self.scrub(&mut value, about_them) {
                            changed = true;
                        }
                        value.to_string()
                    }
                    // Not JSON (never written so): personal when it names them.
                    Err(_) if self.names_them(t) => {
                        changed = true;
                        serde_json::Value::String(ERASED_VALUE.into()).to_string()
                    }
                    Err(_) => t.clone(),
                })
        };
        let before = one(&entry.before_json);
        let after = one(&entry.after_json);
        changed.then_some((before, after))
    }
}

/// Anonymises the person's personal data in the audit trail: in entries about them (their
/// account, their enrolments) every personal field, in any other entry the values that are
/// theirs (name, email, learner number). Each entry keeps its hash and content digest; one
/// `audit.erase` entry names them all ([`audit::erase_content`]). Answers how many changed.
fn erase_from_trail(
    conn: &mut DbConnection,
    actor_id: Option<&str>,
    personal: &Personal,
) -> Result<usize, ActionError> {
    use crate::db::schema::audit_log;
    let mut seqs: Vec<i64> = audit_log::table
        .filter(
            audit_log::entity
                .eq("user")
                .and(audit_log::entity_id.eq(&personal.user_id))
                .or(audit_log::entity
                    .eq("enrolment")
                    .and(audit_log::entity_id.eq_any(&personal.enrolments))),
        )
        .select(audit_log::seq)
        .load(conn)?;
    // Elsewhere (an import, another person's entry naming them): found by their values. `_` and
    // `%` in a value only widen the search; `anonymise` decides.
    let mut patterns = vec![format!("%{}%", personal.email)];
    if !personal.name.trim().is_empty() {
        patterns.push(format!(
            "%{}%",
            serde_json::Value::String(personal.name.trim().to_owned())
        ));
    }
    if let Some(number) = personal.learner_number.as_deref().filter(|n| !n.is_empty()) {
        patterns.push(format!("%{number}%"));
    }
    for pattern in patterns {
        let found: Vec<i64> = audit_log::table
            .filter(
                audit_log::before_json
                    .like(pattern.clone())
                    .or(audit_log::after_json.like(pattern))
                    .assume_not_null(),
            )
            .select(audit_log::seq)
            .load(conn)?;
        seqs.extend(found);
    }
    seqs.sort_unstable();
    seqs.dedup();
    let done = audit::erase_content(
        conn,
        actor_id,
        "user",
        &personal.user_id.to_string(),
        &seqs,
        |entry| personal.anonymise(entry),
    )?;
    Ok(done.len())
}
