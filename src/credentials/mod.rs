//! Credentials anyone can verify: each statement of competence is also an Open Badges 3.0
//! `OpenBadgeCredential` signed in the VC-JOSE form (a compact JWS, EdDSA) by the issuer's key,
//! with a bit in the organisation's revocation status list. Stored with the statement so the PDF
//! can carry it and the candidate can download it; checked offline by [`verify`].

pub mod actions;
pub mod status;
pub mod verify;

use crate::db::FirstRow;
use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use diesel::prelude::*;
use serde_json::{Value, json};

use crate::action::ActionError;
use crate::db::DbConnection;
use crate::db::ids::{OrgId, StatementId};
use crate::db::schema::{credentials, statements};
use crate::keys::{KeyRing, did_for};
use crate::output::formats::badges::{
    BadgeInput, BadgeIssuer, BadgeLearner, BadgeStatement, BadgeStatus, BadgeUnit,
    open_badge_credential,
};
use crate::output::formats::results::UnitLevel;
use crate::output::pdf::StatementView;
use crate::portfolio::Enrolment;
use crate::standards::Standard;

/// The media type of a credential in the VC-JOSE form (RFC 7515 compact serialisation).
pub const MEDIA_TYPE: &str = "application/vc+jwt";
/// The JWS `typ` of a credential.
pub const TYP: &str = "vc+jwt";

/// A statement's signed credential as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = credentials)]
pub struct CredentialRow {
    /// The statement it belongs to.
    pub statement_id: StatementId,
    /// The issuing organisation.
    pub org_id: OrgId,
    /// Its bit in the organisation's status list.
    pub status_index: i64,
    /// The key that signed it.
    pub kid: String,
    /// The credential, a compact JWS.
    pub jws: String,
    /// The signed audit checkpoint taken when it was issued.
    pub checkpoint: String,
    /// When.
    pub issued_at: NaiveDateTime,
}

impl CredentialRow {
    /// The credential as a VC 2.0 `EnvelopedVerifiableCredential`: JSON that a wallet takes, holding
    /// the signed credential unchanged.
    pub fn enveloped(&self) -> Value {
        enveloped(&self.jws)
    }
}

/// `jws` wrapped as a VC 2.0 `EnvelopedVerifiableCredential`.
pub fn enveloped(jws: &str) -> Value {
    json!({
        "@context": crate::output::formats::badges::VC_CONTEXT,
        "id": format!("data:{MEDIA_TYPE},{jws}"),
        "type": "EnvelopedVerifiableCredential",
    })
}

/// The URL of an organisation's revocation status list.
pub fn status_list_url(public_url: &str, org_id: OrgId) -> String {
    format!("{public_url}/credentials/status/{org_id}")
}

/// Everything the credential of a statement is made from.
pub struct Issue<'a> {
    /// The id of the statement being issued.
    pub statement_id: StatementId,
    /// Its verification code.
    pub code: &'a str,
    /// Its content.
    pub view: &'a StatementView,
    /// The standard achieved.
    pub standard: &'a Standard,
    /// The enrolment.
    pub enrolment: &'a Enrolment,
    /// SHA-256 of the portfolio snapshot the assessor's sign-off bound.
    pub evidence_hash: Option<String>,
    /// The public base URL.
    pub public_url: &'a str,
    /// The signed audit checkpoint to keep with it.
    pub checkpoint: String,
}

/// Signs the credential of a statement, with the next free bit of the organisation's status list;
/// [`store`] keeps it once the statement is stored. Call in the transaction that issues the statement.
pub fn sign(
    conn: &mut DbConnection,
    keys: &KeyRing,
    input: Issue<'_>,
    now: DateTime<Utc>,
) -> Result<CredentialRow, ActionError> {
    let org_id = input.enrolment.org_id;
    let key = keys.active(conn, &keys.scope_of(org_id))?;
    // `active` holds the audit chain lock, so no other issue takes the same index meanwhile.
    let last: Option<i64> = credentials::table
        .filter(credentials::org_id.eq(org_id))
        .select(diesel::dsl::max(credentials::status_index))
        .first_row(conn)?;
    let index = last.map_or(0, |i| i + 1);
    // The issuer's DID names the organisation as its key scope does (per organisation or not).
    let did = did_for(input.public_url, &org_id.to_string());
    let badge = badge_input(&input, &did, index, now);
    let credential = open_badge_credential(&badge).map_err(|e| {
        ActionError::Conflict(format!("the statement's credential cannot be made: {e}"))
    })?;
    let jws = key.sign(&format!("{did}#{}", key.kid), TYP, &credential)?;
    Ok(CredentialRow {
        statement_id: input.statement_id,
        org_id,
        status_index: index,
        kid: key.kid,
        jws,
        checkpoint: input.checkpoint,
        issued_at: now.naive_utc().trunc_subsecs(6),
    })
}

/// Keeps a signed credential (its statement stored first).
pub fn store(conn: &mut DbConnection, row: &CredentialRow) -> Result<(), ActionError> {
    diesel::insert_into(credentials::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// The files a statement PDF carries: the signed credential and the audit checkpoint it was
/// issued under.
pub fn attachments<'a>(
    row: &'a CredentialRow,
    code: &str,
) -> [(String, &'static str, &'static str, &'a [u8]); 2] {
    [
        (
            format!("{code}{}", verify::ATTACHMENT_SUFFIX),
            MEDIA_TYPE,
            "The signed Open Badges 3.0 credential of this statement (VC-JOSE, EdDSA)",
            row.jws.as_bytes(),
        ),
        (
            crate::checkpoints::ATTACHMENT.to_owned(),
            "application/jwt",
            "A signed checkpoint of the issuer's audit trail when this statement was issued",
            row.checkpoint.as_bytes(),
        ),
    ]
}

fn badge_input(input: &Issue<'_>, did: &str, index: i64, now: DateTime<Utc>) -> BadgeInput {
    let standard = input.standard;
    let code = input.code;
    BadgeInput {
        credential_id: format!("urn:uuid:{}", input.statement_id),
        issuer: BadgeIssuer {
            id: did.to_owned(),
            name: input.view.organisation.name.clone(),
            url: None,
        },
        learner: BadgeLearner {
            id: format!("urn:uuid:{}", input.enrolment.candidate_id),
            name: Some(input.view.candidate.name.clone()),
        },
        unit: BadgeUnit {
            achievement_id: format!(
                "{}/api/standards/{}/{}",
                input.public_url,
                urlencode(&standard.code),
                standard.version
            ),
            framework: standard.framework.clone(),
            code: standard.code.clone(),
            version: standard.version,
            title: standard.title.clone(),
            description: None,
            level: standard.level.as_ref().map(|l| UnitLevel {
                scheme: l.scheme,
                value: l.value,
            }),
            credits: standard.credits.as_ref().map(|c| c.value),
            official_url: None,
            criteria_narrative: None,
        },
        date_achieved: input.enrolment.date_achieved().unwrap_or(input.view.issued),
        issued_at: now,
        statement: BadgeStatement {
            verification_url: input.view.verification_url.clone(),
            verification_code: code.to_owned(),
            evidence_hash: input.evidence_hash.clone(),
        },
        status: Some(BadgeStatus {
            list_url: status_list_url(input.public_url, input.enrolment.org_id),
            index: u64::try_from(index).unwrap_or_default(),
        }),
    }
}

/// Percent-encodes a path segment (standard codes may hold spaces, e.g. `H12H 04`).
fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// The credential of a statement, if it has one (statements issued before credentials existed do not).
pub fn of_statement(
    conn: &mut DbConnection,
    statement_id: StatementId,
) -> Result<Option<CredentialRow>, ActionError> {
    Ok(credentials::table
        .find(statement_id)
        .select(CredentialRow::as_select())
        .first_row(conn)
        .optional()?)
}

/// The credential of the statement with verification code `code` (as stored, with dashes).
pub fn of_code(conn: &mut DbConnection, code: &str) -> Result<Option<CredentialRow>, ActionError> {
    Ok(credentials::table
        .inner_join(statements::table)
        .filter(statements::code.eq(code))
        .select(CredentialRow::as_select())
        .first_row(conn)
        .optional()?)
}
