//! Asking a witness to attest to testimony, listing the requests, and withdrawing a link.

use crate::db::FirstRow;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use super::{LINK_DAYS, RequestInput, WitnessRequest, WitnessRequestStatus, token_hash};
use crate::action::{ActionError, Problems};
use crate::audit::{self, Change};
use crate::db::DbConnection;
use crate::db::ids::{EnrolmentId, EvidenceId, UserId, WitnessId, WitnessRequestId};
use crate::db::schema::{approved_witnesses, users, witness_requests};
use crate::notify::{self, Event};
use crate::portfolio::enrolment::{Enrolment, touch};
use crate::portfolio::evidence::{EvidenceRecord, Witness, load_evidence};

/// Whether `text` reads as an email address, by the same rule as people's accounts.
fn looks_like_email(text: &str) -> bool {
    crate::identity::valid_email(&text.trim().to_lowercase())
}

fn testimony_evidence(
    conn: &mut DbConnection,
    enrolment: &Enrolment,
    evidence_id: EvidenceId,
) -> Result<EvidenceRecord, ActionError> {
    let record = load_evidence(conn, enrolment.id, evidence_id)?;
    if record.details.witness.is_none() {
        return Err(ActionError::Conflict(
            "only witness testimony is attested by a witness".into(),
        ));
    }
    Ok(record)
}

/// Asks a witness to attest (audited): revokes any open link for the evidence, makes a new one,
/// puts the mail with the link in the outbox, and tells the assessor (flagging a witness who is not
/// on the approved list). Returns the request; the token goes only to the witness.
pub fn request_testimony(
    conn: &mut DbConnection,
    base: &str,
    enrolment: &Enrolment,
    evidence_id: EvidenceId,
    actor: UserId,
    input: RequestInput,
    now: DateTime<Utc>,
) -> Result<WitnessRequest, ActionError> {
    let record = testimony_evidence(conn, enrolment, evidence_id)?;
    let on_record = record
        .details
        .witness
        .clone()
        .unwrap_or_else(unreachable_witness);
    if on_record.declaration {
        return Err(ActionError::Conflict(
            "the witness has already confirmed this testimony".into(),
        ));
    }
    let mut problems = Problems::default();
    let (name, email, approved_id) = match input.approved_witness_id.as_deref() {
        // A malformed id names none of them, like a well-formed one not on the list.
        Some(id) => {
            let id = id.parse::<WitnessId>().ok();
            let found: Option<(String, String)> = approved_witnesses::table
                .filter(approved_witnesses::id.nullable().eq(id))
                .filter(approved_witnesses::org_id.eq(&enrolment.org_id))
                .select((approved_witnesses::name, approved_witnesses::contact))
                .first_row(conn)
                .optional()?;
            match found {
                Some((name, contact)) if looks_like_email(&contact) => {
                    (name, contact.trim().to_owned(), id)
                }
                Some(_) => {
                    problems.add(
                        "approved_witness_id",
                        "this witness has no email address on the approved list: ask an admin to add one",
                    );
                    (String::new(), String::new(), None)
                }
                None => {
                    problems.add(
                        "approved_witness_id",
                        "is not one of the approved witnesses",
                    );
                    (String::new(), String::new(), None)
                }
            }
        }
        None => {
            let name = input
                .name
                .unwrap_or(on_record.name.clone())
                .trim()
                .to_owned();
            let email = input
                .email
                .unwrap_or(on_record.contact.clone())
                .trim()
                .to_owned();
            if name.is_empty() {
                problems.add("name", "is required");
            }
            if !looks_like_email(&email) {
                problems.add(
                    "email",
                    "give the witness's email address: the link is sent there",
                );
            }
            // A witness on the approved list counts as approved however they were named.
            let approved: Option<WitnessId> = approved_witnesses::table
                .filter(approved_witnesses::org_id.eq(&enrolment.org_id))
                .select((approved_witnesses::id, approved_witnesses::contact))
                .load::<(WitnessId, String)>(conn)?
                .into_iter()
                .find(|(_, contact)| contact.trim().eq_ignore_ascii_case(&email))
                .map(|(id, _)| id);
            (name, email, approved)
        }
    };
    problems.finish()?;

    let timestamp = now.naive_utc();
    let revoked = diesel::update(
        witness_requests::table
            .filter(witness_requests::evidence_id.eq(evidence_id))
            .filter(witness_requests::status.eq(WitnessRequestStatus::Open)),
    )
    .set((
        witness_requests::status.eq(WitnessRequestStatus::Revoked),
        witness_requests::closed_at.eq(timestamp),
    ))
    .execute(conn)?;
    let (token, _) = crate::auth::one_time::new_token();
    let request_id = WitnessRequestId::random();
    let expires = now + Duration::days(LINK_DAYS);
    diesel::insert_into(witness_requests::table)
        .values((
            witness_requests::id.eq(request_id),
            witness_requests::enrolment_id.eq(&enrolment.id),
            witness_requests::evidence_id.eq(evidence_id),
            witness_requests::token_hash.eq(token_hash(&token)),
            witness_requests::witness_name.eq(&name),
            witness_requests::witness_email.eq(&email),
            witness_requests::approved_witness_id.eq(&approved_id),
            witness_requests::requested_by.eq(actor),
            witness_requests::requested_at.eq(timestamp),
            witness_requests::expires_at.eq(expires.naive_utc()),
            witness_requests::status.eq(WitnessRequestStatus::Open),
        ))
        .execute(conn)?;
    let candidate: String = users::table
        .find(&enrolment.candidate_id)
        .select(users::name)
        .first_row(conn)?;
    let body = format!(
        "Hello {name},\n\n{candidate} has asked you to confirm witness testimony about their work \
         on {date} for unit {code}.\n\nRead what they say they did, correct it if needed, and \
         confirm it here (no account needed; the link works once, until {until}):\n\n{base}/witness/{token}\n\n\
         If you do not know {candidate} or did not see this work, ignore this mail.\n",
        date = record.instance.date,
        code = enrolment.standard_code,
        until = expires.format("%Y-%m-%d %H:%M UTC"),
    );
    notify::enqueue(
        conn,
        Some(enrolment.org_id),
        &email,
        &format!("Please confirm testimony for {candidate}"),
        &body,
        "witness_request",
        now,
    )?;
    audit::append(
        conn,
        Change {
            actor_id: Some(&actor.to_string()),
            action: "witness.request",
            entity: "enrolment",
            entity_id: &enrolment.id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "evidence_id": evidence_id,
                "request_id": request_id,
                "witness_name": name,
                "witness_email": email,
                "approved_witness_id": approved_id,
                "revoked_open_links": revoked,
                "expires_at": expires.to_rfc3339(),
            })),
        },
    )?;
    if let Some(assessor) = enrolment.assessor_id.filter(|a| *a != actor) {
        let flag = if approved_id.is_some() {
            ""
        } else {
            " — an unapproved witness, not on the organisation's list"
        };
        notify::notify(
            conn,
            base,
            enrolment.org_id,
            assessor,
            Event::WitnessRequested,
            &format!("{candidate} asked {name} for witness testimony{flag}"),
            &format!(
                "/enrolments/{}/evidence/{evidence_id}/witness",
                enrolment.id
            ),
            now,
        )?;
    }
    touch(conn, enrolment.id, timestamp)?;
    load_request(conn, request_id)
}

pub(super) fn unreachable_witness() -> Witness {
    Witness {
        name: String::new(),
        job_title: String::new(),
        relationship: String::new(),
        contact: String::new(),
        statement: String::new(),
        declaration: false,
        declared_on: None,
    }
}

pub(super) fn load_request(
    conn: &mut DbConnection,
    id: WitnessRequestId,
) -> Result<WitnessRequest, ActionError> {
    witness_requests::table
        .find(id)
        .select(WitnessRequest::as_select())
        .first_row(conn)
        .optional()?
        .ok_or(ActionError::NotFound)
}

/// The requests for one piece of evidence, newest first.
pub fn requests_for(
    conn: &mut DbConnection,
    enrolment_id: EnrolmentId,
    evidence_id: EvidenceId,
) -> Result<Vec<WitnessRequest>, ActionError> {
    Ok(witness_requests::table
        .filter(witness_requests::enrolment_id.eq(enrolment_id))
        .filter(witness_requests::evidence_id.eq(evidence_id))
        .order((
            witness_requests::requested_at.desc(),
            witness_requests::id.asc(),
        ))
        .select(WitnessRequest::as_select())
        .load(conn)?)
}

/// Every request of an enrolment, newest first.
pub fn requests_of(
    conn: &mut DbConnection,
    enrolment_id: EnrolmentId,
) -> Result<Vec<WitnessRequest>, ActionError> {
    Ok(witness_requests::table
        .filter(witness_requests::enrolment_id.eq(enrolment_id))
        .order((
            witness_requests::requested_at.desc(),
            witness_requests::id.asc(),
        ))
        .select(WitnessRequest::as_select())
        .load(conn)?)
}

/// Revokes an open link (audited): it stops working at once.
pub fn revoke(
    conn: &mut DbConnection,
    enrolment: &Enrolment,
    request_id: WitnessRequestId,
    actor: UserId,
    now: DateTime<Utc>,
) -> Result<WitnessRequest, ActionError> {
    let request = load_request(conn, request_id)?;
    if enrolment.id != request.enrolment_id {
        return Err(ActionError::NotFound);
    }
    if request.status != WitnessRequestStatus::Open {
        return Err(ActionError::Conflict(format!(
            "this link is already {}",
            request.status
        )));
    }
    diesel::update(
        witness_requests::table
            .find(request_id)
            .filter(witness_requests::status.eq(WitnessRequestStatus::Open)),
    )
    .set((
        witness_requests::status.eq(WitnessRequestStatus::Revoked),
        witness_requests::closed_at.eq(now.naive_utc()),
    ))
    .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(&actor.to_string()),
            action: "witness.revoke",
            entity: "enrolment",
            entity_id: &enrolment.id.to_string(),
            before: Some(serde_json::json!({ "request_id": request_id, "status": "open" })),
            after: Some(serde_json::json!({
                "request_id": request_id,
                "evidence_id": request.evidence_id,
                "status": "revoked",
            })),
        },
    )?;
    load_request(conn, request_id)
}
