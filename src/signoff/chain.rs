//! The sign-off chain in the database: what each signature bound itself to (the portfolio snapshot's
//! hash), the assessor's unit decision, and the status of the chain for an enrolment.

use crate::db::FirstRow;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::requirements::{IvDecision, IvSampling, RecordedSignOff, SignOffRecord, SignOffStatus};
use super::snapshot::snapshot_hash;
use crate::action::ActionError;
use crate::audit::{self, Change};
use crate::auth::policy::EnrolmentStatus;
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::{EnrolmentId, SignOffId, UserId};
use crate::db::schema::{enrolments, samples, sign_offs};
use crate::identity;
use crate::portfolio::{self, Enrolment};
use crate::standards::{Role, Standard};

/// A recorded signature.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = sign_offs)]
pub struct SignOffRow {
    /// Its id.
    #[schema(value_type = String)]
    pub id: SignOffId,
    /// The enrolment.
    #[schema(value_type = String)]
    pub enrolment_id: EnrolmentId,
    /// candidate, assessor or internal_verifier.
    pub role: String,
    /// Who signed.
    #[schema(value_type = String)]
    pub user_id: UserId,
    /// Their name when they signed.
    pub user_name: String,
    /// When.
    #[serde(serialize_with = "crate::db::utc::serialize")]
    pub signed_at: NaiveDateTime,
    /// The date written beside the signature.
    pub signed_on: NaiveDate,
    /// SHA-256 of the portfolio snapshot signed.
    pub snapshot_hash: String,
    /// declared (candidate), competent (assessor), agree (IV).
    pub decision: String,
    /// Comments.
    pub comments: String,
}

/// The canonical snapshot of everything a signature vouches for: the enrolment's standard pin, every
/// evidence record as the engine reads it (with judgements), the kind-specific details, file hashes,
/// and the assessor's marks.
pub fn portfolio_snapshot(
    conn: &mut DbConnection,
    enrolment: &Enrolment,
) -> Result<serde_json::Value, ActionError> {
    let records = portfolio::list_evidence(conn, enrolment.id)?;
    // The stored document as it is (the snapshot hash covers it); unreadable is a corrupt row.
    let marks: serde_json::Value = crate::db::json::from_text(&enrolment.assessor_marks)?;
    Ok(serde_json::json!({
        "enrolment": enrolment.id,
        "candidate": enrolment.candidate_id,
        "standard": {
            "code": enrolment.standard_code,
            "version": enrolment.standard_version,
            "content_hash": enrolment.standard_hash,
        },
        "evidence": records.iter().map(|r| serde_json::json!({
            "id": r.id,
            "instance": r.instance,
            "details": r.details,
            "file_sha256": r.file.as_ref().map(|f| f.sha256.clone()),
            "recorded_by": r.recorded_by,
        })).collect::<Vec<_>>(),
        "marks": marks,
    }))
}

/// The snapshot's hash.
pub fn current_snapshot_hash(
    conn: &mut DbConnection,
    enrolment: &Enrolment,
) -> Result<String, ActionError> {
    Ok(snapshot_hash(&portfolio_snapshot(conn, enrolment)?))
}

/// Records a signature bound to the portfolio as it is now (audited).
pub fn record_sign_off(
    conn: &mut DbConnection,
    enrolment: &Enrolment,
    role: Role,
    signer: UserId,
    decision: &str,
    comments: &str,
    now: DateTime<Utc>,
) -> Result<SignOffRow, ActionError> {
    let user = identity::load_user(conn, signer)?;
    let row = SignOffRow {
        id: SignOffId::random(),
        enrolment_id: enrolment.id,
        role: role_name(role).to_owned(),
        user_id: signer,
        user_name: user.name,
        signed_at: now.naive_utc(),
        signed_on: now.date_naive(),
        snapshot_hash: current_snapshot_hash(conn, enrolment)?,
        decision: decision.to_owned(),
        comments: comments.trim().to_owned(),
    };
    diesel::insert_into(sign_offs::table)
        .values(&row)
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(&signer.to_string()),
            action: "signoff.record",
            entity: "enrolment",
            entity_id: &enrolment.id.to_string(),
            before: None,
            after: Some(crate::db::json::to_value(&row)?),
        },
    )?;
    Ok(row)
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Candidate => "candidate",
        Role::Assessor => "assessor",
        Role::InternalVerifier => "internal_verifier",
        Role::ExternalVerifier => "external_verifier",
    }
}

fn parse_role(name: &str) -> Option<Role> {
    [
        Role::Candidate,
        Role::Assessor,
        Role::InternalVerifier,
        Role::ExternalVerifier,
    ]
    .into_iter()
    .find(|r| role_name(*r) == name)
}

/// The signatures on an enrolment, oldest first.
pub fn sign_offs_of(
    conn: &mut DbConnection,
    enrolment_id: EnrolmentId,
) -> Result<Vec<SignOffRow>, ActionError> {
    Ok(sign_offs::table
        .filter(sign_offs::enrolment_id.eq(enrolment_id))
        .order((sign_offs::signed_at.asc(), sign_offs::id.asc()))
        .select(SignOffRow::as_select())
        .load(conn)?)
}

/// The assessor's unit decision: allowed only when the engine reports every requirement met in the
/// confirmed view; otherwise refused with the gaps.
pub fn decide_unit(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    enrolment: &Enrolment,
    assessor: UserId,
    comments: &str,
    now: DateTime<Utc>,
) -> Result<Enrolment, ActionError> {
    let pinned = catalogue.pinned(enrolment)?;
    portfolio::expiry::check_assessable(conn, &pinned.standard, enrolment, now.date_naive())?;
    if enrolment.status() != EnrolmentStatus::Submitted {
        return Err(ActionError::Conflict(match enrolment.status() {
            EnrolmentStatus::Active => {
                "the candidate has not submitted the portfolio yet".to_owned()
            }
            other => format!(
                "the portfolio is {}: the unit decision has been made",
                other.as_str()
            ),
        }));
    }
    if super::feedback::pending(conn, enrolment.id)?.is_some() {
        return Err(ActionError::invalid(
            "responses",
            "answer each of the internal verifier's action points first",
        ));
    }
    let evaluation = portfolio::Evaluation::load(conn, catalogue, enrolment, None)?;
    let report = evaluation.report(crate::rules::View::Confirmed);
    if !report.complete {
        return Err(ActionError::Incomplete(
            report.gaps.iter().map(|g| g.message.to_string()).collect(),
        ));
    }
    record_sign_off(
        conn,
        enrolment,
        Role::Assessor,
        assessor,
        "competent",
        comments,
        now,
    )?;
    let timestamp = now.naive_utc();
    diesel::update(enrolments::table.find(&enrolment.id))
        .set((
            enrolments::status.eq(EnrolmentStatus::Assessed.as_str()),
            enrolments::decided_by.eq(assessor),
            enrolments::assessed_at.eq(timestamp),
            enrolments::updated_at.eq(timestamp),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(&assessor.to_string()),
            action: "enrolment.decide",
            entity: "enrolment",
            entity_id: &enrolment.id.to_string(),
            before: Some(serde_json::json!({ "status": enrolment.status })),
            after: Some(serde_json::json!({ "status": "assessed", "decision": "competent" })),
        },
    )?;
    portfolio::load_enrolment(conn, enrolment.id)
}

/// Where the sign-off chain stands for an enrolment.
pub fn chain_status(
    conn: &mut DbConnection,
    standard: &Standard,
    enrolment: &Enrolment,
) -> Result<SignOffStatus, ActionError> {
    let rows = sign_offs_of(conn, enrolment.id)?;
    let latest_sample: Option<(UserId, String, NaiveDate, String)> = samples::table
        .filter(samples::enrolment_id.eq(enrolment.id))
        .filter(samples::kind.eq("summative"))
        .order(samples::created_at.desc())
        .select((
            samples::iv_id,
            samples::decision,
            samples::date_sampled,
            samples::snapshot_hash,
        ))
        .first_row(conn)
        .optional()?;
    let sampling = match latest_sample {
        Some((iv_id, decision, date, hash)) => Some(IvSampling {
            user_name: identity::load_user(conn, iv_id)?.name,
            date_sampled: date,
            decision: if decision == "agree" {
                IvDecision::Agree
            } else {
                IvDecision::Disagree
            },
            snapshot_hash: hash,
        }),
        None => None,
    };
    let record = SignOffRecord {
        sign_offs: rows
            .iter()
            .filter_map(|row| {
                Some(RecordedSignOff {
                    role: parse_role(&row.role)?,
                    user_name: row.user_name.clone(),
                    date: row.signed_on,
                    snapshot_hash: row.snapshot_hash.clone(),
                })
            })
            .collect(),
        sampling,
        dates: Vec::new(),
        current_snapshot: Some(current_snapshot_hash(conn, enrolment)?),
    };
    Ok(super::requirements::check(standard, &record))
}

/// The candidate submits with their declaration of authenticity for the unit, which is their
/// signature on the portfolio as submitted.
pub fn candidate_submits(
    conn: &mut DbConnection,
    enrolment: &Enrolment,
    candidate: UserId,
    declaration: bool,
    now: DateTime<Utc>,
) -> Result<Enrolment, ActionError> {
    let submitted = portfolio::submit(conn, enrolment, candidate, declaration, now)?;
    record_sign_off(
        conn,
        &submitted,
        Role::Candidate,
        candidate,
        "declared",
        "",
        now,
    )?;
    Ok(submitted)
}
