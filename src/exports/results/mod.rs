//! The results query: an organisation's unit results as [`ResultRow`]s, read from the database a
//! page at a time (keyset pagination on the enrolment id), so an export of any length holds one
//! page in memory.

mod filter;
mod rows;
mod selection;

use crate::auth::policy::EnrolmentStatus;
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::EnrolmentId;
use crate::output::formats::results::ResultRow;

pub use filter::{ResultsFilter, ResultsQuery};
pub use selection::Selection;

use rows::{iv_names, people, result_row, sampled, statements_of};
use selection::page;

/// Enrolments read per query.
pub const PAGE_SIZE: i64 = 500;

/// Statuses whose unit decision says the candidate achieved the unit.
const ACHIEVED: [EnrolmentStatus; 3] = [
    EnrolmentStatus::Assessed,
    EnrolmentStatus::Sampled,
    EnrolmentStatus::Certified,
];

/// Reads every result of `selection`, a page at a time, and hands each page to `on_page` with the
/// connection (to record the page in the ledger, or write it out). Rows come in enrolment id
/// order, each with its enrolment id.
pub fn for_each_page<E>(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    selection: &Selection<'_>,
    mut on_page: impl FnMut(&mut DbConnection, Vec<(EnrolmentId, ResultRow)>) -> Result<(), E>,
) -> Result<(), E>
where
    E: From<diesel::result::Error>,
{
    let mut after: Option<String> = None;
    loop {
        let enrolled = page(conn, selection, after.as_deref())?;
        let Some(last) = enrolled.last() else {
            return Ok(());
        };
        after = Some(last.id.to_string());
        let full = enrolled.len() as i64 == PAGE_SIZE;
        let ids: Vec<String> = enrolled.iter().map(|e| e.id.to_string()).collect();
        let people = people(conn, &enrolled)?;
        let sampled = sampled(conn, &ids)?;
        let ivs = iv_names(conn, &sampled)?;
        let statements = statements_of(conn, &ids)?;
        let rows = enrolled
            .into_iter()
            .map(|e| {
                let row = result_row(catalogue, &e, &people, &sampled, &ivs, &statements);
                (e.id, row)
            })
            .collect();
        on_page(conn, rows)?;
        if !full {
            return Ok(());
        }
    }
}
