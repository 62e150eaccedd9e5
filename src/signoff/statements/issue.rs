//! Issuing a statement once the sign-off chain is complete, with its signed credential.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::{StatementRow, build_view, current};
use crate::action::ActionError;
use crate::audit::{self, Change};
use crate::auth::policy::EnrolmentStatus;
use crate::checkpoints;
use crate::credentials;
use crate::db::DbConnection;
use crate::db::ids::{StatementId, UserId};
use crate::db::schema::{enrolments, statements};
use crate::keys::KeyRing;
use crate::output::pdf::{self, FontSet};
use crate::portfolio::Enrolment;
use crate::signoff::chain::{chain_status, sign_offs_of};
use crate::standards::Standard;

/// A verification code people can read out: 12 characters of Crockford base32 in groups of four.
fn new_code() -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let bytes: [u8; 12] = rand::random();
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(b % 32)] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Issues the statement: refused while any sign-off is missing (with the list). Signs its Open
/// Badges credential under a fresh audit checkpoint. Returns the stored statement; its PDF is
/// rendered when it is downloaded ([`render_pdf`]), never while the transaction holds the database.
#[allow(clippy::too_many_arguments)]
pub fn issue(
    conn: &mut DbConnection,
    keys: &KeyRing,
    standard: &Standard,
    enrolment: &Enrolment,
    actor: UserId,
    public_url: &str,
    fonts: &FontSet,
    now: DateTime<Utc>,
) -> Result<StatementRow, ActionError> {
    // A revoked statement does not stand in the way of a corrected one.
    if let Some(existing) = current(conn, enrolment.id)?.filter(|s| s.revoked_at.is_none()) {
        return Err(ActionError::Conflict(format!(
            "statement {} has already been issued",
            existing.code
        )));
    }
    let status = chain_status(conn, standard, enrolment)?;
    if !status.can_issue || enrolment.status() != EnrolmentStatus::Sampled {
        let mut missing = status.missing.clone();
        if missing.is_empty() {
            missing.push(format!(
                "the portfolio is {}, not yet sampled by the internal verifier",
                enrolment.status
            ));
        }
        return Err(ActionError::Incomplete(missing));
    }
    let code = new_code();
    let view = build_view(
        conn,
        standard,
        enrolment,
        &code,
        public_url,
        now.date_naive(),
    )?;
    let id = StatementId::random();
    // Taken before this issue is recorded: the statement vouches for the trail as it stood.
    let checkpoint = checkpoints::take(conn, keys, public_url, now)?;
    let evidence_hash = sign_offs_of(conn, enrolment.id)?
        .into_iter()
        .rev()
        .find(|s| s.role == "assessor")
        .map(|s| s.snapshot_hash);
    let credential = credentials::sign(
        conn,
        keys,
        credentials::Issue {
            statement_id: id,
            code: &code,
            view: &view,
            standard,
            enrolment,
            evidence_hash,
            public_url,
            checkpoint,
        },
        now,
    )?;
    // Laid out, not written: the PDF is rendered when it is downloaded, outside any transaction.
    let missing_chars = pdf::missing_chars(&view, fonts)
        .map_err(|e| ActionError::Conflict(format!("the statement did not render: {e}")))?;
    let row = StatementRow {
        id,
        enrolment_id: enrolment.id,
        code,
        content: crate::db::json::to_text(&view)?,
        content_hash: pdf::content_hash(&view),
        missing_chars: missing_chars.iter().collect(),
        issued_at: now.naive_utc(),
        issued_by: actor,
        revoked_at: None,
        revoked_by: None,
        revoke_reason: None,
    };
    diesel::insert_into(statements::table)
        .values(&row)
        .execute(conn)?;
    credentials::store(conn, &credential)?;
    diesel::update(enrolments::table.find(&enrolment.id))
        .set((
            enrolments::status.eq(EnrolmentStatus::Certified.as_str()),
            enrolments::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(&actor.to_string()),
            action: "statement.issue",
            entity: "enrolment",
            entity_id: &enrolment.id.to_string(),
            before: Some(serde_json::json!({ "status": enrolment.status })),
            after: Some(serde_json::json!({
                "status": "certified", "code": row.code, "content_hash": row.content_hash,
                "credential_key": credential.kid, "status_index": credential.status_index,
            })),
        },
    )?;
    crate::notify::events::statement_issued(conn, public_url, enrolment, &row.code, now)?;
    Ok(row)
}
