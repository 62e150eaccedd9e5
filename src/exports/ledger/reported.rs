//! What the live batches reported, and the results whose report no longer stands.

use std::collections::HashMap;

use diesel::prelude::*;
use serde::Serialize;

use crate::action::ActionError;
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::{EnrolmentId, ExportBatchId, OrgId};
use crate::db::schema::{export_batches, reported_results};
use crate::exports::results::{ResultsQuery, Selection, for_each_page};
use crate::output::formats::results::ResultRow;

/// What the live batches reported for some enrolments: the latest batch's id and its result
/// (none for results recorded before the ledger kept them).
#[derive(Default)]
pub(super) struct Reported(HashMap<EnrolmentId, (ExportBatchId, Option<String>)>);

/// The latest live report of each of `ids`.
pub(super) fn reported_of(
    conn: &mut DbConnection,
    ids: impl Iterator<Item = EnrolmentId>,
) -> Result<Reported, diesel::result::Error> {
    let ids: Vec<EnrolmentId> = ids.collect();
    let rows: Vec<(EnrolmentId, ExportBatchId, Option<String>)> = reported_results::table
        .inner_join(export_batches::table)
        .filter(reported_results::enrolment_id.eq_any(ids))
        .filter(export_batches::reversed_at.is_null())
        .order((export_batches::created_at.asc(), export_batches::id.asc()))
        .select((
            reported_results::enrolment_id,
            export_batches::id,
            reported_results::result,
        ))
        .load(conn)?;
    let mut latest = HashMap::new();
    for (enrolment, batch, result) in rows {
        latest.insert(enrolment, (batch, result));
    }
    Ok(Reported(latest))
}

/// Whether a result goes in the next batch, and if so whether it corrects an earlier one:
/// `None` — reported already with the same result (or before results were kept), leave it out;
/// `Some(None)` — never reported; `Some(Some(batch))` — reported by `batch` as something else.
pub(super) fn against_ledger(
    reported: &Reported,
    enrolment_id: EnrolmentId,
    row: &ResultRow,
) -> Option<Option<ExportBatchId>> {
    match reported.0.get(&enrolment_id) {
        None => Some(None),
        Some((batch, Some(result))) if result != row.result.as_str() => Some(Some(*batch)),
        Some(_) => None,
    }
}

/// A result that changed after it was reported, waiting for the next batch.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PendingCorrection {
    /// The enrolment.
    #[schema(value_type = String)]
    pub enrolment_id: EnrolmentId,
    /// The candidate's name.
    pub candidate_name: String,
    /// The unit, as `CODE vVERSION`.
    pub unit: String,
    /// What the result is now.
    pub result: String,
    /// The batch that reported it otherwise.
    #[schema(value_type = String)]
    pub reported_in: ExportBatchId,
}

/// Every result of the organisation whose report no longer stands: the next batch (of any
/// format that can carry it) sends each as a correction. Read with the export's own query and
/// comparison, so the list and the next batch cannot disagree.
pub fn pending_corrections(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    org_id: OrgId,
) -> Result<Vec<PendingCorrection>, ActionError> {
    let filter = ResultsQuery::default().check(conn, catalogue, org_id)?;
    let mut found = Vec::new();
    for_each_page(
        conn,
        catalogue,
        &Selection::Filter(&filter),
        |conn, rows| -> Result<(), ActionError> {
            let reported = reported_of(conn, rows.iter().map(|(id, _)| *id))?;
            for (enrolment_id, row) in rows {
                if let Some(Some(batch)) = against_ledger(&reported, enrolment_id, &row) {
                    found.push(PendingCorrection {
                        enrolment_id,
                        candidate_name: row.candidate_name,
                        unit: format!("{} v{}", row.standard_code, row.standard_version),
                        result: row.result.as_str().replace('_', " "),
                        reported_in: batch,
                    });
                }
            }
            Ok(())
        },
    )?;
    Ok(found)
}
