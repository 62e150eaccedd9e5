//! Statements of competence: issued once the sign-off chain is complete, kept as their content so
//! the same PDF renders again byte for byte, verifiable by code, revocable with a reason.

mod content;
mod issue;
mod rendering;
mod revoke;

use crate::db::FirstRow;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use crate::action::ActionError;
use crate::db::DbConnection;
use crate::db::ids::{EnrolmentId, StatementId, UserId};
use crate::db::schema::{enrolments, statements};
use crate::output::pdf::StatementView;

pub use content::build_view;
pub use issue::issue;
pub use rendering::{render_pdf, stored_pdf};
pub use revoke::revoke;

/// A statement as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = statements)]
pub struct StatementRow {
    pub(crate) id: StatementId,
    pub(crate) enrolment_id: EnrolmentId,
    pub(crate) code: String,
    pub(crate) content: String,
    pub(crate) content_hash: String,
    pub(crate) missing_chars: String,
    pub(crate) issued_at: NaiveDateTime,
    pub(crate) issued_by: UserId,
    pub(crate) revoked_at: Option<NaiveDateTime>,
    pub(crate) revoked_by: Option<UserId>,
    pub(crate) revoke_reason: Option<String>,
}

/// A statement as the API and the verification page show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Statement {
    /// The verification code.
    pub code: String,
    /// valid or revoked.
    pub status: String,
    /// The enrolment it certifies.
    #[schema(value_type = String)]
    pub enrolment_id: EnrolmentId,
    /// The candidate's name.
    pub candidate: String,
    /// The unit, e.g. "NZQA 28268 v2 Communicate with contact centre customers…".
    pub unit: String,
    /// The organisation.
    pub organisation: String,
    /// The issue date.
    pub issued: NaiveDate,
    /// SHA-256 of the statement's content.
    pub content_hash: String,
    /// Characters no font could show (the admin is told; the statement shows a replacement mark).
    pub missing_characters: String,
    /// When revoked.
    #[serde(serialize_with = "crate::db::utc::serialize_option")]
    pub revoked_at: Option<NaiveDateTime>,
    /// Why.
    pub revoke_reason: Option<String>,
    /// Where anyone can check it.
    pub verification_url: String,
}

impl StatementRow {
    /// The stored content.
    pub fn view(&self) -> Result<StatementView, ActionError> {
        serde_json::from_str(&self.content).map_err(|e| {
            ActionError::Db(crate::db::DbError::Query(
                diesel::result::Error::DeserializationError(Box::new(e)),
            ))
        })
    }

    /// What the API shows.
    pub fn summary(&self) -> Result<Statement, ActionError> {
        let view = self.view()?;
        Ok(Statement {
            code: self.code.clone(),
            status: if self.revoked_at.is_some() {
                "revoked"
            } else {
                "valid"
            }
            .to_owned(),
            enrolment_id: self.enrolment_id,
            candidate: view.candidate.name.clone(),
            unit: format!(
                "{} {} v{} {}",
                view.unit.framework, view.unit.code, view.unit.version, view.unit.title
            ),
            organisation: view.organisation.name.clone(),
            issued: view.issued,
            content_hash: self.content_hash.clone(),
            missing_characters: self.missing_chars.clone(),
            revoked_at: self.revoked_at,
            revoke_reason: self.revoke_reason.clone(),
            verification_url: view.verification_url,
        })
    }
}

/// The enrolment's statement, if issued.
pub fn current(
    conn: &mut DbConnection,
    enrolment_id: EnrolmentId,
) -> Result<Option<StatementRow>, ActionError> {
    Ok(statements::table
        .filter(statements::enrolment_id.eq(enrolment_id))
        .order(statements::issued_at.desc())
        .select(StatementRow::as_select())
        .first_row(conn)
        .optional()?)
}

/// A statement by its verification code (any case, with or without dashes).
pub fn by_code(conn: &mut DbConnection, code: &str) -> Result<StatementRow, ActionError> {
    let compact: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase();
    if compact.len() != 12 {
        return Err(ActionError::NotFound);
    }
    let formatted = compact
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-");
    Ok(statements::table
        .filter(statements::code.eq(formatted))
        .select(StatementRow::as_select())
        .first_row(conn)?)
}

/// Every statement issued for an organisation's enrolments, newest first.
pub fn list_for_org(
    conn: &mut DbConnection,
    org_id: crate::db::ids::OrgId,
) -> Result<Vec<StatementRow>, ActionError> {
    // A subquery, not a list of ids: an organisation can hold more enrolments than SQLite takes
    // bound parameters.
    let ids = enrolments::table
        .filter(enrolments::org_id.eq(org_id))
        .select(enrolments::id);
    Ok(statements::table
        .filter(statements::enrolment_id.eq_any(ids))
        .order(statements::issued_at.desc())
        .select(StatementRow::as_select())
        .load(conn)?)
}
