//! Gathers what the export writers in `output::export` need from the database: a candidate's
//! portfolio archive (their own copy of their data, and the external verifier's pack).

use chrono::{DateTime, Utc};

use crate::action::ActionError;
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::identity;
use crate::output::export::archive::{
    ArchiveCandidate, ArchiveCriterion, ArchiveFile, ArchiveInput, ArchiveOutcome, ArchiveStandard,
};
use crate::output::export::results::{LearnerNumber, LearnerNumberScheme, UnitLevel};
use crate::portfolio;
use crate::signoff::chain::sign_offs_of;
use crate::signoff::plans::samples_of;

/// Everything the archive of one enrolment holds, except the file bytes (read from the store).
pub fn archive_input(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    enrolment_id: &str,
    now: DateTime<Utc>,
) -> Result<ArchiveInput, ActionError> {
    let enrolment = portfolio::load_enrolment(conn, enrolment_id)?;
    let version = u32::try_from(enrolment.standard_version).unwrap_or(0);
    let standard = &catalogue
        .get(&enrolment.standard_code, version)
        .ok_or_else(|| {
            ActionError::Conflict(format!(
                "standard {} v{version} is not in the catalogue",
                enrolment.standard_code
            ))
        })?
        .standard;
    let candidate = identity::load_user(conn, &enrolment.candidate_id)?;
    let records = portfolio::list_evidence(conn, &enrolment.id)?;
    let scheme = if standard.framework.eq_ignore_ascii_case("NZQA") {
        LearnerNumberScheme::Nsn
    } else {
        LearnerNumberScheme::Scn
    };
    let mut sign_offs: Vec<serde_json::Value> = sign_offs_of(conn, &enrolment.id)?
        .into_iter()
        .map(|s| serde_json::to_value(s).unwrap_or_default())
        .collect();
    sign_offs.extend(
        samples_of(conn, &enrolment.id)?
            .into_iter()
            .map(|s| serde_json::json!({ "internal_verification": s })),
    );
    Ok(ArchiveInput {
        generated_at: now,
        candidate: ArchiveCandidate {
            id: candidate.id.to_string(),
            name: candidate.name,
            learner_number: candidate
                .national_learner_number
                .map(|value| LearnerNumber { scheme, value }),
        },
        standard: ArchiveStandard {
            framework: standard.framework.clone(),
            code: standard.code.clone(),
            version: standard.version,
            title: standard.title.clone(),
            level: standard.level.as_ref().map(|l| UnitLevel {
                scheme: l.scheme,
                value: l.value,
            }),
            credits: standard.credits.as_ref().map(|c| c.value),
            content_hash: enrolment.standard_hash.clone(),
        },
        outcomes: standard
            .outcomes
            .iter()
            .map(|o| ArchiveOutcome {
                reference: o.label.clone().unwrap_or_else(|| o.id.clone()),
                title: o.title.clone(),
                criteria: o
                    .criteria
                    .iter()
                    .map(|c| ArchiveCriterion {
                        reference: c.id.clone(),
                        text: c.text.clone(),
                    })
                    .collect(),
            })
            .collect(),
        evidence: records
            .iter()
            .map(|r| serde_json::to_value(&r.instance).unwrap_or_default())
            .collect(),
        sign_offs,
        files: records
            .iter()
            .filter_map(|r| {
                let file = r.file.as_ref()?;
                Some(ArchiveFile {
                    name: file.name.clone(),
                    sha256: file.sha256.clone(),
                    size: u64::try_from(file.size).unwrap_or(0),
                    evidence_id: Some(r.id.clone()),
                    media_type: Some(file.content_type.clone()),
                })
            })
            .collect(),
    })
}
