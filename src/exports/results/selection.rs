//! Which enrolments an export reads, one keyset page at a time.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::auth::policy::EnrolmentStatus;
use crate::db::DbConnection;
use crate::db::ids::ExportBatchId;
use crate::db::schema::{enrolments, export_batches, reported_results};
use crate::portfolio::Enrolment;

use super::{ACHIEVED, PAGE_SIZE, ResultsFilter};

/// Which enrolments to read.
#[derive(Debug, Clone)]
pub enum Selection<'a> {
    /// Those that match a filter.
    Filter(&'a ResultsFilter),
    /// Those recorded in one batch, as they stand now (to download a recorded batch again).
    Batch(ExportBatchId),
}

fn start_of(date: NaiveDate) -> NaiveDateTime {
    date.and_time(chrono::NaiveTime::MIN)
}

/// One page of enrolments after `after`, in id order.
pub(super) fn page(
    conn: &mut DbConnection,
    selection: &Selection<'_>,
    after: Option<&str>,
) -> QueryResult<Vec<Enrolment>> {
    let mut query = enrolments::table.into_boxed();
    match selection {
        Selection::Batch(batch_id) => {
            query = query.filter(
                enrolments::id.eq_any(
                    reported_results::table
                        .filter(reported_results::batch_id.eq(*batch_id))
                        .select(reported_results::enrolment_id),
                ),
            );
        }
        Selection::Filter(filter) => {
            query = query.filter(enrolments::org_id.eq(filter.org_id));
            if filter.from.is_some() || filter.to.is_some() {
                // A date range is on the date achieved: only achieved results have one.
                query = query.filter(enrolments::status.eq_any(ACHIEVED));
            } else {
                query = query.filter(
                    enrolments::status
                        .eq_any(ACHIEVED)
                        .or(enrolments::status.eq(EnrolmentStatus::Withdrawn)),
                );
            }
            if let Some(from) = filter.from {
                query = query.filter(enrolments::submitted_at.ge(start_of(from)));
            }
            if let Some(to) = filter.to.and_then(|d| d.succ_opt()) {
                query = query.filter(enrolments::submitted_at.lt(start_of(to)));
            }
            if let Some(cohort) = filter.cohort_id {
                query = query.filter(enrolments::cohort_id.eq(cohort));
            }
            if let Some(code) = &filter.standard_code {
                query = query.filter(enrolments::standard_code.eq(code.clone()));
            }
            if let Some(version) = filter.standard_version {
                query = query.filter(enrolments::standard_version.eq(version));
            }
            if !filter.include_reported {
                // Results reported before the ledger kept what it reported cannot be compared
                // with their result now, so they stay out; the others are compared page by page
                // (`ledger::against_ledger`). Correlated, so each enrolment is one index lookup.
                query = query.filter(diesel::dsl::not(diesel::dsl::exists(
                    reported_results::table
                        .inner_join(export_batches::table)
                        .filter(reported_results::enrolment_id.eq(enrolments::id))
                        .filter(reported_results::result.is_null())
                        .filter(export_batches::reversed_at.is_null()),
                )));
            }
        }
    }
    if let Some(after) = after {
        query = query.filter(enrolments::id.gt(after.to_owned()));
    }
    query
        .order(enrolments::id.asc())
        .limit(PAGE_SIZE)
        .select(Enrolment::as_select())
        .load(conn)
}
