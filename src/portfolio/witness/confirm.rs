//! What the witness does through their link: reads what they are asked to confirm, and confirms.

use crate::db::FirstRow;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::request::unreachable_witness;
use super::{Testimony, WitnessRequest, WitnessRequestStatus, WitnessView, token_hash};
use crate::action::{ActionError, Problems};
use crate::audit::{self, Change};
use crate::db::DbConnection;
use crate::db::ids::EvidenceId;
use crate::db::schema::{evidence, users, witness_requests};
use crate::notify::{self, Event};
use crate::portfolio::enrolment::touch;
use crate::portfolio::evidence::load_evidence;

/// The open, unexpired request a token opens; a used, revoked or expired link is refused with
/// a reason the witness can act on, an unknown one is not found.
fn open_request(
    conn: &mut DbConnection,
    token: &str,
    now: DateTime<Utc>,
) -> Result<WitnessRequest, ActionError> {
    let request: WitnessRequest = witness_requests::table
        .filter(witness_requests::token_hash.eq(token_hash(token)))
        .select(WitnessRequest::as_select())
        .first_row(conn)
        .optional()?
        .ok_or(ActionError::NotFound)?;
    match request.state(now) {
        "open" => Ok(request),
        "confirmed" => Err(ActionError::Conflict(
            "this testimony has already been confirmed: the link works only once".into(),
        )),
        "expired" => Err(ActionError::Conflict(
            "this link has expired: ask the candidate to send a new one".into(),
        )),
        _ => Err(ActionError::Conflict(
            "this link has been withdrawn: ask the candidate to send a new one".into(),
        )),
    }
}

/// What the witness reads through their link.
pub fn witness_view(
    conn: &mut DbConnection,
    token: &str,
    now: DateTime<Utc>,
) -> Result<WitnessView, ActionError> {
    let request = open_request(conn, token, now)?;
    let enrolment = crate::portfolio::load_enrolment(conn, request.enrolment_id)?;
    let record = load_evidence(conn, enrolment.id, request.evidence_id)?;
    let witness = record
        .details
        .witness
        .clone()
        .unwrap_or_else(unreachable_witness);
    let candidate: String = users::table
        .find(&enrolment.candidate_id)
        .select(users::name)
        .first_row(conn)?;
    Ok(WitnessView {
        request_id: request.id,
        candidate,
        unit: format!(
            "{} v{}",
            enrolment.standard_code, enrolment.standard_version
        ),
        date: record.instance.date.to_string(),
        title: record.instance.title.clone(),
        statement: witness.statement,
        witness_name: request.witness_name,
        relationship: witness.relationship,
        job_title: witness.job_title,
        criteria: record
            .instance
            .criteria
            .iter()
            .map(|c| c.criterion.clone())
            .collect(),
        expires_at: request.expires_at,
    })
}

/// What a confirmation is bound to, as canonical JSON (keys sorted by serde_json's map).
fn confirmed_content(view: &WitnessView, testimony: &Testimony, evidence_id: EvidenceId) -> String {
    serde_json::json!({
        "request_id": view.request_id,
        "evidence_id": evidence_id,
        "candidate": view.candidate,
        "unit": view.unit,
        "date": view.date,
        "criteria": view.criteria,
        "witness_name": view.witness_name,
        "statement": testimony.statement.trim(),
        "relationship": testimony.relationship.trim(),
        "job_title": testimony.job_title.trim(),
        "declaration": testimony.declaration,
    })
    .to_string()
}

/// The witness confirms (audited, no account): the testimony becomes theirs and counts. The link
/// is spent by a conditional update, so it works exactly once even if sent twice at the same time.
/// Returns the hash of what was confirmed.
pub fn confirm(
    conn: &mut DbConnection,
    base: &str,
    token: &str,
    testimony: Testimony,
    address: &str,
    now: DateTime<Utc>,
) -> Result<String, ActionError> {
    let view = witness_view(conn, token, now)?;
    let mut problems = Problems::default();
    for (field, value) in [
        ("statement", &testimony.statement),
        ("relationship", &testimony.relationship),
        ("job_title", &testimony.job_title),
    ] {
        if value.trim().is_empty() {
            problems.add(field, "is required");
        }
    }
    if crate::portfolio::is_relative(&testimony.relationship) {
        problems.add(
            "relationship",
            "testimony from a relative cannot be accepted",
        );
    }
    if !testimony.declaration {
        problems.add("declaration", "confirm that this testimony is true");
    }
    problems.finish()?;
    let request = open_request(conn, token, now)?;
    let content = confirmed_content(&view, &testimony, request.evidence_id);
    let hash = hex::encode(Sha256::digest(content.as_bytes()));
    let timestamp = now.naive_utc();
    let spent = diesel::update(
        witness_requests::table
            .find(request.id)
            .filter(witness_requests::status.eq(WitnessRequestStatus::Open))
            .filter(witness_requests::expires_at.gt(timestamp)),
    )
    .set((
        witness_requests::status.eq(WitnessRequestStatus::Confirmed),
        witness_requests::closed_at.eq(timestamp),
        witness_requests::confirmed_hash.eq(&hash),
        witness_requests::confirmed_address.eq(address),
    ))
    .execute(conn)?;
    if spent != 1 {
        return Err(ActionError::Conflict(
            "this testimony has already been confirmed: the link works only once".into(),
        ));
    }
    let enrolment = crate::portfolio::load_enrolment(conn, request.enrolment_id)?;
    let mut record = load_evidence(conn, enrolment.id, request.evidence_id)?;
    let before = crate::db::json::to_value(&record.details)?;
    if let Some(witness) = record.details.witness.as_mut() {
        witness.name = request.witness_name.clone();
        witness.contact = request.witness_email.clone();
        witness.statement = testimony.statement.trim().to_owned();
        witness.relationship = testimony.relationship.trim().to_owned();
        witness.job_title = testimony.job_title.trim().to_owned();
        witness.declaration = true;
        witness.declared_on = Some(now.date_naive());
    }
    diesel::update(evidence::table.find(&record.id))
        .set((
            evidence::details.eq(crate::db::json::to_text(&record.details)?),
            evidence::updated_at.eq(timestamp),
        ))
        .execute(conn)?;
    touch(conn, enrolment.id, timestamp)?;
    audit::append(
        conn,
        Change {
            actor_id: None,
            action: "witness.confirm",
            entity: "enrolment",
            entity_id: &enrolment.id.to_string(),
            before: Some(serde_json::json!({ "evidence_id": record.id, "details": before })),
            after: Some(serde_json::json!({
                "evidence_id": record.id,
                "request_id": request.id,
                "details": record.details,
                "confirmed_hash": hash,
                "confirmed_content": content,
                "address": address,
                "at": now.to_rfc3339(),
            })),
        },
    )?;
    let message = format!(
        "{} confirmed their witness testimony for {}",
        request.witness_name, view.candidate
    );
    let link = format!(
        "/enrolments/{}/evidence/{}/witness",
        enrolment.id, record.id
    );
    notify::notify(
        conn,
        base,
        enrolment.org_id,
        enrolment.candidate_id,
        Event::WitnessConfirmed,
        &message,
        &link,
        now,
    )?;
    if let Some(assessor) = enrolment.assessor_id {
        notify::notify(
            conn,
            base,
            enrolment.org_id,
            assessor,
            Event::EvidenceWaiting,
            &format!("{message}: it waits for your judgement"),
            &format!("/enrolments/{}/evidence/{}/judge", enrolment.id, record.id),
            now,
        )?;
    }
    Ok(hash)
}
