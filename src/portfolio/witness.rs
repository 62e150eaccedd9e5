//! Remote witness testimony (issue 15): the candidate (or assessor) asks a witness to attest to a
//! piece of witness-testimony evidence; the witness gets a one-time link (a random token; only its
//! SHA-256 is kept), reads what the candidate says they did, writes or corrects the testimony,
//! states their relationship and role, and confirms. The confirmation is bound to the hash of what
//! they confirmed, with the time and their address. Until then the evidence is "awaiting witness"
//! and does not count. Links expire, are single use, and can be revoked and sent again.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::enrolment::{Enrolment, touch};
use super::evidence::{EvidenceRecord, load_evidence};
use crate::action::{ActionError, Problems};
use crate::audit::{self, Change};
use crate::db::DbConnection;
use crate::db::schema::{approved_witnesses, evidence, users, witness_requests};
use crate::notify::{self, Event};

/// How long a link stays usable.
pub const LINK_DAYS: i64 = 14;

/// A request to a witness, as the candidate and staff see it (never the token).
#[derive(Debug, Clone, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = witness_requests)]
pub struct WitnessRequest {
    /// Its id.
    pub id: String,
    /// The enrolment.
    pub enrolment_id: String,
    /// The witness-testimony evidence it is for.
    pub evidence_id: String,
    /// SHA-256 of the link's token.
    #[serde(skip)]
    pub token_hash: String,
    /// The witness's name.
    pub witness_name: String,
    /// Where the link was sent.
    pub witness_email: String,
    /// The organisation's approved witness, when chosen from the list (else the witness is
    /// unapproved, and the assessor is told so).
    pub approved_witness_id: Option<String>,
    /// Who asked.
    pub requested_by: String,
    /// When.
    #[serde(serialize_with = "crate::db::utc::serialize")]
    pub requested_at: NaiveDateTime,
    /// Until when the link works.
    #[serde(serialize_with = "crate::db::utc::serialize")]
    pub expires_at: NaiveDateTime,
    /// open, confirmed or revoked (an open link past its time has expired).
    #[schema(value_type = String)]
    pub status: WitnessRequestStatus,
    /// When it was confirmed or revoked.
    #[serde(serialize_with = "crate::db::utc::serialize_option")]
    pub closed_at: Option<NaiveDateTime>,
    /// SHA-256 of exactly what the witness confirmed.
    pub confirmed_hash: Option<String>,
    /// The address the confirmation came from.
    pub confirmed_address: Option<String>,
}

crate::text_enum! {
    /// Where a request to a witness is, as stored in `witness_requests.status`.
    pub enum WitnessRequestStatus: "witness request status" {
        /// The link works until it expires.
        Open = "open",
        /// The witness confirmed the evidence.
        Confirmed = "confirmed",
        /// Staff or the candidate withdrew the link.
        Revoked = "revoked",
    }
}

impl WitnessRequest {
    /// open, confirmed, revoked or expired, at `now`.
    pub fn state(&self, now: DateTime<Utc>) -> &'static str {
        if self.status == WitnessRequestStatus::Open && self.expires_at <= now.naive_utc() {
            "expired"
        } else {
            self.status.as_str()
        }
    }
}

/// Whom to ask.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestInput {
    /// One of the organisation's approved witnesses (their contact must be an email address).
    #[serde(default)]
    pub approved_witness_id: Option<String>,
    /// A witness not on the list: their name (defaults to the one on the evidence).
    #[serde(default)]
    pub name: Option<String>,
    /// … and email address (defaults to the contact on the evidence).
    #[serde(default)]
    pub email: Option<String>,
}

/// The witness's testimony as they confirm it.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Testimony {
    /// The testimony in the witness's words (the candidate's account, corrected as needed).
    pub statement: String,
    /// Their relationship to the candidate (a relative is refused).
    pub relationship: String,
    /// Their role or job title.
    pub job_title: String,
    /// "I confirm this testimony is true."
    pub declaration: bool,
}

/// What the witness is shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WitnessView {
    /// The request.
    pub request_id: String,
    /// The candidate's name.
    pub candidate: String,
    /// The unit, by code and version.
    pub unit: String,
    /// The activity's date.
    pub date: String,
    /// The activity's title, when given.
    pub title: Option<String>,
    /// What the candidate says they did (the draft testimony).
    pub statement: String,
    /// The witness's name.
    pub witness_name: String,
    /// The relationship the candidate gave.
    pub relationship: String,
    /// The job title the candidate gave.
    pub job_title: String,
    /// The criteria the candidate says the witness saw.
    pub criteria: Vec<String>,
    /// Until when the link works.
    #[serde(serialize_with = "crate::db::utc::serialize")]
    pub expires_at: NaiveDateTime,
}

/// The SHA-256 (hex) of a link token (the one hash every one-time link stores).
pub fn token_hash(token: &str) -> String {
    crate::auth::one_time::hash_token(token)
}

/// Whether `text` reads as an email address, by the same rule as people's accounts.
fn looks_like_email(text: &str) -> bool {
    crate::identity::valid_email(&text.trim().to_lowercase())
}

fn testimony_evidence(
    conn: &mut DbConnection,
    enrolment: &Enrolment,
    evidence_id: &str,
) -> Result<EvidenceRecord, ActionError> {
    let record = load_evidence(conn, &enrolment.id, evidence_id)?;
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
    evidence_id: &str,
    actor_id: &str,
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
        Some(id) => {
            let found: Option<(String, String)> = approved_witnesses::table
                .find(id)
                .filter(approved_witnesses::org_id.eq(&enrolment.org_id))
                .select((approved_witnesses::name, approved_witnesses::contact))
                .first(conn)
                .optional()?;
            match found {
                Some((name, contact)) if looks_like_email(&contact) => {
                    (name, contact.trim().to_owned(), Some(id.to_owned()))
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
            let approved: Option<String> = approved_witnesses::table
                .filter(approved_witnesses::org_id.eq(&enrolment.org_id))
                .select((approved_witnesses::id, approved_witnesses::contact))
                .load::<(String, String)>(conn)?
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
    let request_id = Uuid::new_v4().to_string();
    let expires = now + Duration::days(LINK_DAYS);
    diesel::insert_into(witness_requests::table)
        .values((
            witness_requests::id.eq(&request_id),
            witness_requests::enrolment_id.eq(&enrolment.id),
            witness_requests::evidence_id.eq(evidence_id),
            witness_requests::token_hash.eq(token_hash(&token)),
            witness_requests::witness_name.eq(&name),
            witness_requests::witness_email.eq(&email),
            witness_requests::approved_witness_id.eq(&approved_id),
            witness_requests::requested_by.eq(actor_id),
            witness_requests::requested_at.eq(timestamp),
            witness_requests::expires_at.eq(expires.naive_utc()),
            witness_requests::status.eq(WitnessRequestStatus::Open),
        ))
        .execute(conn)?;
    let candidate: String = users::table
        .find(&enrolment.candidate_id)
        .select(users::name)
        .first(conn)?;
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
        Some(&enrolment.org_id),
        &email,
        &format!("Please confirm testimony for {candidate}"),
        &body,
        "witness_request",
        now,
    )?;
    audit::append(
        conn,
        Change {
            actor_id: Some(actor_id),
            action: "witness.request",
            entity: "enrolment",
            entity_id: &enrolment.id,
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
    if let Some(assessor) = enrolment.assessor_id.as_deref().filter(|a| *a != actor_id) {
        let flag = if approved_id.is_some() {
            ""
        } else {
            " — an unapproved witness, not on the organisation's list"
        };
        notify::notify(
            conn,
            base,
            &enrolment.org_id,
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
    touch(conn, &enrolment.id, timestamp)?;
    load_request(conn, &request_id)
}

fn unreachable_witness() -> super::evidence::Witness {
    super::evidence::Witness {
        name: String::new(),
        job_title: String::new(),
        relationship: String::new(),
        contact: String::new(),
        statement: String::new(),
        declaration: false,
        declared_on: None,
    }
}

fn load_request(conn: &mut DbConnection, id: &str) -> Result<WitnessRequest, ActionError> {
    witness_requests::table
        .find(id)
        .select(WitnessRequest::as_select())
        .first(conn)
        .optional()?
        .ok_or(ActionError::NotFound)
}

/// The requests for one piece of evidence, newest first.
pub fn requests_for(
    conn: &mut DbConnection,
    enrolment_id: &str,
    evidence_id: &str,
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
    enrolment_id: &str,
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
    request_id: &str,
    actor_id: &str,
    now: DateTime<Utc>,
) -> Result<WitnessRequest, ActionError> {
    let request = load_request(conn, request_id)?;
    if request.enrolment_id != enrolment.id {
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
            actor_id: Some(actor_id),
            action: "witness.revoke",
            entity: "enrolment",
            entity_id: &enrolment.id,
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
        .first(conn)
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
    let enrolment = super::load_enrolment(conn, &request.enrolment_id)?;
    let record = load_evidence(conn, &enrolment.id, &request.evidence_id)?;
    let witness = record
        .details
        .witness
        .clone()
        .unwrap_or_else(unreachable_witness);
    let candidate: String = users::table
        .find(&enrolment.candidate_id)
        .select(users::name)
        .first(conn)?;
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
fn confirmed_content(view: &WitnessView, testimony: &Testimony, evidence_id: &str) -> String {
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
    if super::is_relative(&testimony.relationship) {
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
    let content = confirmed_content(&view, &testimony, &request.evidence_id);
    let hash = hex::encode(Sha256::digest(content.as_bytes()));
    let timestamp = now.naive_utc();
    let spent = diesel::update(
        witness_requests::table
            .find(&request.id)
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
    let enrolment = super::load_enrolment(conn, &request.enrolment_id)?;
    let mut record = load_evidence(conn, &enrolment.id, &request.evidence_id)?;
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
    touch(conn, &enrolment.id, timestamp)?;
    audit::append(
        conn,
        Change {
            actor_id: None,
            action: "witness.confirm",
            entity: "enrolment",
            entity_id: &enrolment.id,
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
        &enrolment.org_id,
        &enrolment.candidate_id,
        Event::WitnessConfirmed,
        &message,
        &link,
        now,
    )?;
    if let Some(assessor) = enrolment.assessor_id.as_deref() {
        notify::notify(
            conn,
            base,
            &enrolment.org_id,
            assessor,
            Event::EvidenceWaiting,
            &format!("{message}: it waits for your judgement"),
            &format!("/enrolments/{}/evidence/{}/judge", enrolment.id, record.id),
            now,
        )?;
    }
    Ok(hash)
}
