//! Retention and erasure: per-organisation rules for how long records are kept after an enrolment
//! closes, applied by `attest retention apply`; the erasure of a person's data on request; the
//! subject-access export. See docs/privacy.md.
//!
//! What regulators require is kept: the certification record (enrolment, sign-offs, statement and
//! its credential) and the audit trail. Erasure removes content, never links: rows keep their ids,
//! so every reference and the audit hash chain stay intact.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::action::ActionError;
use crate::audit::{self, Change};
use crate::db::DbConnection;
use crate::db::schema::{
    enrolments, erasures, evidence, files, login_failures, question_answers, question_requests,
    recovery_codes, retention_rules, role_grants, two_factor, users,
};

/// The record types a rule can name.
pub const RECORD_TYPES: &[RecordType] = &[
    RecordType::EvidenceFiles,
    RecordType::Portfolios,
    RecordType::CertificationRecords,
    RecordType::Audit,
];

/// A kind of record a retention rule applies to.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RecordType {
    /// The evidence files (uploads) of closed enrolments: removed when the period has passed.
    EvidenceFiles,
    /// The evidence records (the portfolio's content) of closed enrolments: their content is
    /// cleared when the period has passed; the record ids stay.
    Portfolios,
    /// Enrolments, sign-offs, statements and credentials: kept at least this long; never removed
    /// by `retention apply` (the rule is the period the provider commits to).
    CertificationRecords,
    /// The audit trail: kept at least this long; never removed by `retention apply` (removing
    /// entries would break the hash chain).
    Audit,
}

impl RecordType {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EvidenceFiles => "evidence_files",
            Self::Portfolios => "portfolios",
            Self::CertificationRecords => "certification_records",
            Self::Audit => "audit",
        }
    }

    /// From the stored name.
    pub fn parse(text: &str) -> Option<Self> {
        RECORD_TYPES.iter().copied().find(|t| t.as_str() == text)
    }

    /// Whether `retention apply` removes anything of this type.
    pub fn removable(self) -> bool {
        matches!(self, Self::EvidenceFiles | Self::Portfolios)
    }
}

/// An organisation's retention rules: days after an enrolment closes (certified or withdrawn),
/// by record type; a type without a rule is kept indefinitely.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetentionRules {
    /// Days to keep evidence files after the enrolment closes.
    #[schema(minimum = 1, maximum = 36500)]
    pub evidence_files: Option<i32>,
    /// Days to keep the portfolio's evidence records after the enrolment closes.
    #[schema(minimum = 1, maximum = 36500)]
    pub portfolios: Option<i32>,
    /// Days the certification records are kept at least (never removed by `retention apply`).
    #[schema(minimum = 1, maximum = 36500)]
    pub certification_records: Option<i32>,
    /// Days the audit trail is kept at least (never removed by `retention apply`).
    #[schema(minimum = 1, maximum = 36500)]
    pub audit: Option<i32>,
}

impl RetentionRules {
    fn get(&self, kind: RecordType) -> Option<i32> {
        match kind {
            RecordType::EvidenceFiles => self.evidence_files,
            RecordType::Portfolios => self.portfolios,
            RecordType::CertificationRecords => self.certification_records,
            RecordType::Audit => self.audit,
        }
    }

    /// Sets the days `kind` is kept (`None`: indefinitely).
    pub fn set(&mut self, kind: RecordType, days: Option<i32>) {
        match kind {
            RecordType::EvidenceFiles => self.evidence_files = days,
            RecordType::Portfolios => self.portfolios = days,
            RecordType::CertificationRecords => self.certification_records = days,
            RecordType::Audit => self.audit = days,
        }
    }

    /// Every field out of range, named.
    pub fn validate(&self) -> Result<(), ActionError> {
        let mut errors = BTreeMap::new();
        for kind in RECORD_TYPES {
            if let Some(days) = self.get(*kind)
                && !(1..=36_500).contains(&days)
            {
                errors.insert(
                    kind.as_str().to_owned(),
                    "must be a number of days from 1 to 36500 (or null to keep indefinitely)"
                        .to_owned(),
                );
            }
        }
        // Portfolio content goes no earlier than its files (a record without content but with a
        // file would make no sense).
        if let (Some(files), Some(portfolios)) = (self.evidence_files, self.portfolios)
            && portfolios < files
        {
            errors.insert(
                "portfolios".to_owned(),
                "must be at least as long as evidence_files".to_owned(),
            );
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ActionError::Invalid(errors))
        }
    }
}

/// The organisation's rules.
pub fn rules(conn: &mut DbConnection, org_id: &str) -> Result<RetentionRules, ActionError> {
    let rows: Vec<(String, i32)> = retention_rules::table
        .filter(retention_rules::org_id.eq(org_id))
        .select((retention_rules::record_type, retention_rules::keep_days))
        .load(conn)?;
    let mut all = RetentionRules::default();
    for (kind, days) in rows {
        if let Some(kind) = RecordType::parse(&kind) {
            all.set(kind, Some(days));
        }
    }
    Ok(all)
}

/// Replaces the organisation's rules; audited with the old and new rules.
pub fn set_rules(
    conn: &mut DbConnection,
    actor_id: Option<&str>,
    org_id: &str,
    new: RetentionRules,
    now: DateTime<Utc>,
) -> Result<RetentionRules, ActionError> {
    new.validate()?;
    crate::identity::find_organisation(conn, org_id)?;
    let old = rules(conn, org_id)?;
    diesel::delete(retention_rules::table.filter(retention_rules::org_id.eq(org_id)))
        .execute(conn)?;
    for kind in RECORD_TYPES {
        if let Some(days) = new.get(*kind) {
            diesel::insert_into(retention_rules::table)
                .values((
                    retention_rules::org_id.eq(org_id),
                    retention_rules::record_type.eq(kind.as_str()),
                    retention_rules::keep_days.eq(days),
                    retention_rules::updated_at.eq(now.naive_utc()),
                ))
                .execute(conn)?;
        }
    }
    audit::append(
        conn,
        Change {
            actor_id,
            action: "retention.set",
            entity: "organisation",
            entity_id: org_id,
            before: Some(crate::db::json::to_value(&old)?),
            after: Some(crate::db::json::to_value(&new)?),
        },
    )?;
    Ok(new)
}

/// What one application of the rules did (or, dry, would do), per organisation.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RetentionReport {
    /// One line per organisation and record type acted on.
    pub actions: Vec<RetentionAction>,
}

/// What was done to one organisation's records of one type.
#[derive(Debug, Clone, Serialize)]
pub struct RetentionAction {
    /// The organisation.
    pub org_id: String,
    /// The record type.
    pub record_type: RecordType,
    /// The rule's days.
    pub keep_days: i32,
    /// Evidence records whose file (or content) was (or would be) removed.
    pub evidence: Vec<String>,
    /// Records past the period that are kept anyway (certification records and audit entries).
    pub kept_past_period: i64,
}

const CLOSED: &[&str] = &["certified", "withdrawn"];

/// Applies every organisation's rules at `now`: evidence files and portfolio content of
/// enrolments closed longer ago than the rule are removed (content, not rows); certification
/// records and audit entries are only counted. Each organisation's change is one audit entry.
/// Files no record refers to any more are left to `attest files gc` (which the CLI runs after).
pub fn apply(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    dry_run: bool,
) -> Result<RetentionReport, ActionError> {
    let all: Vec<(String, String, i32)> = retention_rules::table
        .select((
            retention_rules::org_id,
            retention_rules::record_type,
            retention_rules::keep_days,
        ))
        .order((retention_rules::org_id, retention_rules::record_type))
        .load(conn)?;
    let mut report = RetentionReport::default();
    for (org_id, kind, days) in all {
        let Some(kind) = RecordType::parse(&kind) else {
            continue;
        };
        let cutoff = (now - Duration::days(i64::from(days))).naive_utc();
        let closed: Vec<String> = enrolments::table
            .filter(enrolments::org_id.eq(&org_id))
            .filter(enrolments::status.eq_any(CLOSED))
            .filter(enrolments::updated_at.lt(cutoff))
            .select(enrolments::id)
            .load(conn)?;
        let mut action = RetentionAction {
            org_id: org_id.clone(),
            record_type: kind,
            keep_days: days,
            evidence: Vec::new(),
            kept_past_period: 0,
        };
        match kind {
            RecordType::EvidenceFiles => {
                action.evidence = evidence::table
                    .filter(evidence::enrolment_id.eq_any(&closed))
                    .filter(evidence::file_sha256.is_not_null())
                    .select(evidence::id)
                    .order(evidence::id)
                    .load(conn)?;
                if !dry_run {
                    remove_files(conn, &action.evidence)?;
                }
            }
            RecordType::Portfolios => {
                action.evidence = evidence::table
                    .filter(evidence::enrolment_id.eq_any(&closed))
                    .filter(evidence::details.ne(CLEARED))
                    .select(evidence::id)
                    .order(evidence::id)
                    .load(conn)?;
                if !dry_run {
                    remove_files(conn, &action.evidence)?;
                    clear_content(conn, &action.evidence)?;
                }
            }
            RecordType::CertificationRecords => {
                action.kept_past_period = i64::try_from(closed.len()).unwrap_or(i64::MAX);
            }
            RecordType::Audit => {
                action.kept_past_period = crate::db::schema::audit_log::table
                    .filter(crate::db::schema::audit_log::at.lt(cutoff))
                    .count()
                    .get_result(conn)?;
            }
        }
        if !dry_run && !action.evidence.is_empty() {
            audit::append(
                conn,
                Change {
                    actor_id: None,
                    action: "retention.apply",
                    entity: "organisation",
                    entity_id: &org_id,
                    before: None,
                    after: Some(serde_json::json!({
                        "record_type": kind.as_str(),
                        "keep_days": days,
                        "evidence": action.evidence,
                    })),
                },
            )?;
        }
        if !action.evidence.is_empty() || action.kept_past_period > 0 {
            report.actions.push(action);
        }
    }
    Ok(report)
}

/// What an evidence record's details become when its content is cleared.
pub const CLEARED: &str = r#"{"cleared":true}"#;

/// Drops the file reference of `ids` (the rows stay) and forgets file rows no record refers to.
fn remove_files(conn: &mut DbConnection, ids: &[String]) -> Result<(), ActionError> {
    let hashes: Vec<Option<String>> = evidence::table
        .filter(evidence::id.eq_any(ids))
        .select(evidence::file_sha256)
        .load(conn)?;
    diesel::update(evidence::table.filter(evidence::id.eq_any(ids)))
        .set((
            evidence::file_sha256.eq(None::<String>),
            evidence::file_name.eq(None::<String>),
        ))
        .execute(conn)?;
    forget_unused_files(conn, hashes.into_iter().flatten())
}

/// Forgets the file rows of `hashes` that no record refers to any more (evidence, an answer's
/// recording, an export batch), so `attest files gc` removes their stored content.
fn forget_unused_files(
    conn: &mut DbConnection,
    hashes: impl IntoIterator<Item = String>,
) -> Result<(), ActionError> {
    for sha256 in hashes {
        let still_used: i64 = evidence::table
            .filter(evidence::file_sha256.eq(&sha256))
            .count()
            .get_result(conn)?;
        let in_answers: i64 = question_answers::table
            .filter(question_answers::file_sha256.eq(&sha256))
            .count()
            .get_result(conn)?;
        let in_batches: i64 = crate::db::schema::export_batches::table
            .filter(crate::db::schema::export_batches::file_sha256.eq(&sha256))
            .count()
            .get_result(conn)?;
        if still_used == 0 && in_answers == 0 && in_batches == 0 {
            diesel::delete(files::table.find(&sha256)).execute(conn)?;
        }
    }
    Ok(())
}

/// Clears the candidate's answers to the questions sent on `enrolment_ids`: the typed text, the
/// recording (its file row goes when nothing else refers to it) and the assessor's comment. The
/// question as sent, what it covers, when it was answered and its mark stay: the questioning
/// evidence record the marks made is part of the certification record. Answers how many answers
/// had content to clear.
fn clear_answers(conn: &mut DbConnection, enrolment_ids: &[String]) -> Result<usize, ActionError> {
    let requests = question_requests::table
        .filter(question_requests::enrolment_id.eq_any(enrolment_ids))
        .select(question_requests::id);
    let given: Vec<(String, Option<String>)> = question_answers::table
        .filter(question_answers::request_id.eq_any(requests))
        .filter(
            question_answers::answer_text
                .is_not_null()
                .or(question_answers::file_sha256.is_not_null())
                .or(question_answers::comment.is_not_null()),
        )
        .select((question_answers::id, question_answers::file_sha256))
        .load(conn)?;
    let ids: Vec<&String> = given.iter().map(|(id, _)| id).collect();
    diesel::update(question_answers::table.filter(question_answers::id.eq_any(&ids)))
        .set((
            question_answers::answer_text.eq(None::<String>),
            question_answers::file_sha256.eq(None::<String>),
            question_answers::file_name.eq(None::<String>),
            question_answers::comment.eq(None::<String>),
        ))
        .execute(conn)?;
    let hashes: BTreeSet<String> = given.iter().filter_map(|(_, sha)| sha.clone()).collect();
    forget_unused_files(conn, hashes)?;
    Ok(given.len())
}

/// Clears the free text of `ids` (titles, notes, witness details); the engine's view of which
/// criteria each record was judged against stays, so the certification record still reads.
fn clear_content(conn: &mut DbConnection, ids: &[String]) -> Result<(), ActionError> {
    let rows: Vec<(String, String)> = evidence::table
        .filter(evidence::id.eq_any(ids))
        .select((evidence::id, evidence::instance))
        .load(conn)?;
    for (id, instance) in rows {
        let mut value: serde_json::Value = crate::db::json::from_text(&instance)?;
        if let Some(object) = value.as_object_mut() {
            for key in FREE_TEXT {
                object.remove(*key);
            }
        }
        diesel::update(evidence::table.find(&id))
            .set((
                evidence::details.eq(CLEARED),
                evidence::instance.eq(value.to_string()),
            ))
            .execute(conn)?;
    }
    // A recording's time points keep where and what they point at; their notes are free text.
    diesel::update(
        crate::db::schema::evidence_time_points::table
            .filter(crate::db::schema::evidence_time_points::evidence_id.eq_any(ids)),
    )
    .set(crate::db::schema::evidence_time_points::note.eq(""))
    .execute(conn)?;
    Ok(())
}

/// The free-text fields of an evidence record's engine view that can name or describe people; the
/// structured fields (method, setting, dates, attributes, criteria and judgements) stay, so the
/// record still shows what the decision rested on.
const FREE_TEXT: &[&str] = &[
    "title",
    "site",
    "notes",
    "description",
    "comments",
    "witness",
];

/// What an erasure did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Erasure {
    /// The person's id (kept: records refer to it).
    pub user_id: String,
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
    user_id: &str,
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
        .first(conn)
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
        user_id: user_id.to_owned(),
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
            entity_id: user_id,
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
        user_id: user_id.to_owned(),
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
    user_id: String,
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
        let about_them = (entry.entity == "user" && entry.entity_id == self.user_id)
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
    let done = audit::erase_content(conn, actor_id, "user", &personal.user_id, &seqs, |entry| {
        personal.anonymise(entry)
    })?;
    Ok(done.len())
}

/// Whether the person has roles or enrolments in an organisation other than `org_id` (then only
/// the instance's operator erases them, with `attest erase`).
pub fn elsewhere(
    conn: &mut DbConnection,
    org_id: &str,
    user_id: &str,
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
    org_id: &str,
    user_id: &str,
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
    Orgs(Vec<String>),
}

impl SubjectScope {
    fn holds(&self, org_id: Option<&str>) -> bool {
        match self {
            Self::All => true,
            Self::Orgs(orgs) => org_id.is_some_and(|o| orgs.iter().any(|x| x == o)),
        }
    }
}

/// The organisations the person belongs to (a role grant or an enrolment there), sorted.
pub fn orgs_of(conn: &mut DbConnection, user_id: &str) -> Result<Vec<String>, ActionError> {
    let mut orgs: Vec<String> = role_grants::table
        .filter(role_grants::user_id.eq(user_id))
        .select(role_grants::org_id)
        .load(conn)?;
    orgs.extend(
        enrolments::table
            .filter(enrolments::candidate_id.eq(user_id))
            .select(enrolments::org_id)
            .load::<String>(conn)?,
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
    user_id: &str,
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
        .first(conn)
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
        .first(conn)
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
                    || (t.4 == "user" && t.5 == user_id)
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
    user_id: &str,
    scope: &SubjectScope,
) -> Result<Vec<String>, ActionError> {
    let rows: Vec<(String, String)> = enrolments::table
        .filter(enrolments::candidate_id.eq(user_id))
        .select((enrolments::id, enrolments::org_id))
        .order(enrolments::created_at)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(_, org)| scope.holds(Some(org)))
        .map(|(id, _)| id)
        .collect())
}

/// Records that a subject-access export of `user_id` was given out (`user.subject_access`): who
/// asked, for which organisations, how many portfolio archives. No personal data.
pub fn record_subject_access(
    conn: &mut DbConnection,
    actor_id: Option<&str>,
    user_id: &str,
    scope: &SubjectScope,
    archives: usize,
) -> Result<(), ActionError> {
    audit::append(
        conn,
        Change {
            actor_id,
            action: "user.subject_access",
            entity: "user",
            entity_id: user_id,
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
