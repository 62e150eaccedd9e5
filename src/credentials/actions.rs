//! Credentials and statements as others check them, one function per use case: the candidate's
//! signed badge (asks the policy), and the public checks of an uploaded credential and of a
//! statement's code (nobody signed in; no record is kept). The API, the pages and the CLI call
//! these and only translate requests and answers.

use chrono::Utc;
use serde_json::Value;

use super::status;
use super::verify::{self, Report, StatusList};
use crate::action::{Acting, ActionError, Services};
use crate::auth::policy::Action;
use crate::db::DbConnection;
use crate::db::ids::{EnrolmentId, OrgId};
use crate::keys;
use crate::signoff::statements::{self, Statement};

/// The enrolment's statement code and its signed Open Badges credential as a VC 2.0
/// `EnvelopedVerifiableCredential`, for someone who may read the statement. A revoked
/// statement, or one issued before signed credentials, has none to give (a conflict that says
/// why).
pub fn statement_credential(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
) -> Result<(String, Value), ActionError> {
    let row =
        crate::signoff::actions::statement_for(conn, acting, enrolment_id, Action::ReadStatement)?;
    if row.revoked_at.is_some() {
        return Err(ActionError::Conflict(format!(
            "statement {} was revoked; its credential is no longer valid (see /verify/{})",
            row.code, row.code
        )));
    }
    let credential = super::of_statement(conn, row.id)?.ok_or_else(|| {
        ActionError::Conflict(format!(
            "statement {} was issued before signed credentials; revoke it and issue it again to have one",
            row.code
        ))
    })?;
    Ok((row.code, credential.enveloped()))
}

/// Checks a credential (`token`, a compact JWS) with every key this instance has published and,
/// when it points at one of this instance's status lists, with that list. Public: an unreadable
/// token is a problem with the `file` sent.
pub fn check_credential(
    conn: &mut DbConnection,
    services: Services<'_>,
    token: &str,
) -> Result<Report, ActionError> {
    let published = keys::public_keys(conn, None)?;
    let unreadable = |e: verify::Unreadable| ActionError::invalid("file", e.to_string());
    let first = verify::check(token, &published, None).map_err(unreadable)?;
    let prefix = format!("{}/credentials/status/", services.public_url);
    let org = status::entry_of(&first.credential)
        .and_then(|(url, _)| url.strip_prefix(&prefix).map(str::to_owned))
        .and_then(|org| org.parse::<OrgId>().ok());
    let (verify::Verdict::Valid, Some(org)) = (first.verdict, org) else {
        return Ok(first);
    };
    let list = status::signed_list(conn, services.keys, services.public_url, org, Utc::now())?;
    verify::check(token, &published, Some(StatusList { jws: &list })).map_err(unreadable)
}

/// The statement with this verification code (as printed: case and separators do not matter),
/// for anyone who holds the code.
pub fn verify_statement(conn: &mut DbConnection, code: &str) -> Result<Statement, ActionError> {
    statements::by_code(conn, code)?.summary()
}
