//! Gathers what the export writers in `output::formats` need from the database: a candidate's
//! portfolio archive (their own copy of their data, and the external verifier's pack).

use chrono::{DateTime, Utc};

use crate::action::ActionError;
use crate::catalogue::Catalogue;
use crate::credentials;
use crate::db::ids::{EnrolmentId, EvidenceId};
use crate::db::{DbConnection, FirstRow};
use crate::identity;
use crate::keys;
use crate::output::formats::archive::{
    ArchiveCandidate, ArchiveCriterion, ArchiveDocument, ArchiveFile, ArchiveInput, ArchiveOutcome,
    ArchiveStandard,
};
use crate::output::formats::results::{LearnerNumber, LearnerNumberScheme, UnitLevel};
use crate::output::pdf::FontSet;
use crate::portfolio;
use crate::portfolio::{acknowledgements, question_sets, time_points};
use crate::signoff::chain::sign_offs_of;
use crate::signoff::feedback;
use crate::signoff::plans::samples_of;
use crate::signoff::statements;

/// Everything the archive of one enrolment holds, except the file bytes (read from the store).
pub fn archive_input(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    fonts: &FontSet,
    enrolment_id: EnrolmentId,
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
    let candidate = identity::load_user(conn, enrolment.candidate_id)?;
    let records = portfolio::list_evidence(conn, enrolment.id)?;
    let scheme = if standard.framework.eq_ignore_ascii_case("NZQA") {
        LearnerNumberScheme::Nsn
    } else {
        LearnerNumberScheme::Scn
    };
    let mut sign_offs: Vec<serde_json::Value> = sign_offs_of(conn, enrolment.id)?
        .into_iter()
        .map(|s| crate::db::json::to_value(&s))
        .collect::<Result<_, _>>()?;
    sign_offs.extend(
        samples_of(conn, enrolment.id)?
            .into_iter()
            .map(|s| serde_json::json!({ "internal_verification": s })),
    );
    // The hand-offs around the decision (issue 15): the assessor's answers to the IV, "not yet
    // competent" decisions, and the candidate's acknowledgements of assessment records.
    sign_offs.extend(
        feedback::responses_of(conn, enrolment.id)?
            .into_iter()
            .map(|r| serde_json::json!({ "iv_response": r })),
    );
    sign_offs.extend(
        feedback::feedback_of(conn, enrolment.id)?
            .into_iter()
            .map(|f| serde_json::json!({ "not_yet_competent": f })),
    );
    sign_offs.extend(
        acknowledgements::acknowledgements_of(conn, enrolment.id)?
            .into_iter()
            .map(|a| serde_json::json!({ "candidate_acknowledgement": a })),
    );
    let points = time_points::of_enrolment(conn, enrolment.id)?;
    let questions = question_sets::requests_of(conn, enrolment.id)?;
    let recordings = recordings(conn, &questions)?;
    let documents = credential_documents(conn, fonts, &enrolment)?;
    let audit_checkpoint = crate::checkpoints::kept(conn)?.pop().map(|(_, _, jws)| jws);
    Ok(ArchiveInput {
        documents,
        audit_checkpoint,
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
            .map(|r| {
                Ok(with_observation(
                    with_time_points(&r.instance, r.id, &points)?,
                    r,
                ))
            })
            .collect::<Result<_, ActionError>>()?,
        sign_offs,
        questions: questions
            .iter()
            .map(crate::db::json::to_value)
            .collect::<Result<_, _>>()?,
        files: records
            .iter()
            .filter_map(|r| {
                let file = r.file.as_ref()?;
                Some(ArchiveFile {
                    name: file.name.clone(),
                    sha256: file.sha256.clone(),
                    size: u64::try_from(file.size).unwrap_or(0),
                    evidence_id: Some(r.id.to_string()),
                    media_type: Some(file.content_type.clone()),
                })
            })
            .chain(recordings)
            .collect(),
    })
}

/// The recordings given as answers, as archive files: size and type from the file store's record,
/// tied to the questioning evidence record the marking wrote (when there is one). A recording whose
/// file record is gone (erased) is left out.
fn recordings(
    conn: &mut DbConnection,
    questions: &[question_sets::QuestionRequest],
) -> Result<Vec<ArchiveFile>, ActionError> {
    use crate::db::schema::files;
    use diesel::prelude::*;
    let mut out = Vec::new();
    for request in questions {
        for answer in &request.answers {
            let Some(file) = &answer.file else { continue };
            let stored: Option<(i64, String)> = files::table
                .find(&file.sha256)
                .select((files::size, files::content_type))
                .first_row(conn)
                .optional()?;
            if let Some((size, content_type)) = stored {
                out.push(ArchiveFile {
                    name: file.name.clone(),
                    sha256: file.sha256.clone(),
                    size: u64::try_from(size).unwrap_or(0),
                    evidence_id: request.evidence_id.map(|id| id.to_string()),
                    media_type: Some(content_type),
                });
            }
        }
    }
    Ok(out)
}

/// The candidate's proof of the unit, when a valid statement stands: the statement PDF (carrying
/// its credential), the signed badge for a wallet, and the issuer's public keys to check both.
fn credential_documents(
    conn: &mut DbConnection,
    fonts: &FontSet,
    enrolment: &portfolio::Enrolment,
) -> Result<Vec<ArchiveDocument>, ActionError> {
    let Some(statement) =
        statements::current(conn, enrolment.id)?.filter(|s| s.revoked_at.is_none())
    else {
        return Ok(Vec::new());
    };
    let credential = credentials::of_statement(conn, statement.id)?;
    let pdf = statements::render_pdf(&statement.view()?, credential.as_ref(), fonts)?;
    let code = &statement.code;
    let mut documents = vec![ArchiveDocument {
        path: format!("credentials/statement-{code}.pdf"),
        media_type: "application/pdf".into(),
        bytes: pdf.bytes,
    }];
    if let Some(credential) = credential {
        let mut issuer_keys = keys::public_keys(conn, Some(&credential.org_id.to_string()))?;
        issuer_keys.extend(keys::public_keys(conn, Some(keys::INSTANCE))?);
        documents.push(ArchiveDocument {
            path: format!("credentials/badge-{code}.json"),
            media_type: "application/json".into(),
            bytes: pretty(&credential.enveloped())?,
        });
        documents.push(ArchiveDocument {
            path: "credentials/issuer-keys.json".into(),
            media_type: "application/jwk-set+json".into(),
            bytes: pretty(&keys::jwks(&issuer_keys))?,
        });
    }
    Ok(documents)
}

/// An observation's record beside the engine's reading: the outcomes observed, start and end, the
/// narrative, the feedback to the candidate and the checklist lines (`observation`, when any is
/// recorded).
fn with_observation(
    mut value: serde_json::Value,
    record: &portfolio::EvidenceRecord,
) -> serde_json::Value {
    let d = &record.details;
    let recorded = !d.outcomes.is_empty()
        || !d.checklist.is_empty()
        || d.start.is_some()
        || d.narrative.is_some()
        || d.feedback.is_some();
    if let (Some(object), true) = (value.as_object_mut(), recorded) {
        object.insert(
            "observation".to_owned(),
            serde_json::json!({
                "outcomes": d.outcomes, "start": d.start, "end": d.end,
                "narrative": d.narrative, "feedback": d.feedback, "checklist": d.checklist,
            }),
        );
    }
    value
}

/// An evidence record as the archive keeps it: the engine's reading, and a recording's time
/// points ("04:12 — 1.3") in playing order.
fn with_time_points(
    instance: &crate::rules::portfolio::Evidence,
    evidence_id: EvidenceId,
    points: &[time_points::TimePoint],
) -> Result<serde_json::Value, crate::db::DbError> {
    let mut value = crate::db::json::to_value(instance)?;
    let marked: Vec<serde_json::Value> = points
        .iter()
        .filter(|p| p.evidence_id == evidence_id)
        .map(|p| {
            serde_json::json!({
                "at": p.at(), "seconds": p.at_seconds, "mapping": p.mapping, "note": p.note,
                "marked_by": p.created_by,
                "marked_at": p.created_at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            })
        })
        .collect();
    if let (Some(object), false) = (value.as_object_mut(), marked.is_empty()) {
        object.insert("time_points".to_owned(), serde_json::Value::Array(marked));
    }
    Ok(value)
}

/// A document of the archive as indented JSON; one that does not serialise fails the archive
/// rather than leaving an empty file in it.
fn pretty<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, crate::db::DbError> {
    serde_json::to_vec_pretty(value).map_err(crate::db::DbError::Json)
}
