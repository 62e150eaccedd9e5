//! The one guard the export ledger puts on the portfolio and sign-off: a result an awarding body
//! holds is not taken back silently. It sits below `portfolio/`, `signoff/` and `exports/` (all
//! three use it) so no folder depends on one above it.

use crate::db::FirstRow;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::action::ActionError;
use crate::db::DbConnection;
use crate::db::ids::EnrolmentId;
use crate::db::schema::{export_batches, reported_results};

/// Refuses to take back a result that was reported in a batch not reversed: the awarding body holds
/// it, so the batch is reversed first (and the result withdrawn there), never silently.
pub fn refuse_when_reported(
    conn: &mut DbConnection,
    enrolment_id: EnrolmentId,
    change: &str,
) -> Result<(), ActionError> {
    let reported: Option<(String, NaiveDateTime)> = reported_results::table
        .inner_join(export_batches::table)
        .filter(reported_results::enrolment_id.eq(enrolment_id))
        .filter(export_batches::reversed_at.is_null())
        .select((export_batches::id, export_batches::created_at))
        .first_row(conn)
        .optional()?;
    match reported {
        None => Ok(()),
        Some((batch, at)) => Err(ActionError::Conflict(format!(
            "this result was reported in export batch {batch} on {}: reverse that batch before \
             you {change}",
            at.date()
        ))),
    }
}
