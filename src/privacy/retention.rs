//! Retention rules per organisation and applying them (`attest retention apply`).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::clearing::{clear_content, remove_files};
use super::*;
use crate::action::ActionError;
use crate::audit::{self, Change};
use crate::db::DbConnection;
use crate::db::ids::OrgId;
use crate::db::schema::{enrolments, evidence, retention_rules};

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
pub fn rules(conn: &mut DbConnection, org_id: OrgId) -> Result<RetentionRules, ActionError> {
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
    org_id: OrgId,
    new: RetentionRules,
    now: DateTime<Utc>,
) -> Result<RetentionRules, ActionError> {
    new.validate()?;
    crate::identity::load_organisation(conn, org_id)?;
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
            entity_id: &org_id.to_string(),
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

pub(super) const CLOSED: &[&str] = &["certified", "withdrawn"];

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
