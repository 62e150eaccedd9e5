//! Open Badges for an organisation's achieved units: the signed `OpenBadgeCredential` of every
//! achieved result that has a valid statement, as issued with the statement (see `credentials`).

use std::collections::HashMap;

use diesel::prelude::*;

use super::ExportFailure;
use super::results::{ResultsFilter, Selection, for_each_page};
use crate::catalogue::Catalogue;
use crate::credentials::CredentialRow;
use crate::db::DbConnection;
use crate::db::schema::{credentials, statements};
use crate::output::formats::results::UnitResult;

/// Hands the signed credential of every achieved result `filter` selects that has a valid
/// statement to `on_badge`, with a file name (`<verification code>.json`), as a VC 2.0
/// `EnvelopedVerifiableCredential`. The ledger does not apply: badges are the learner's, not a
/// report. Statements issued before credentials existed have none and are left out. Returns how
/// many were handed over.
pub fn for_each_badge(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    filter: &ResultsFilter,
    mut on_badge: impl FnMut(String, serde_json::Value) -> Result<(), ExportFailure>,
) -> Result<u64, ExportFailure> {
    let filter = ResultsFilter {
        include_reported: true,
        ..filter.clone()
    };
    let mut made = 0;
    for_each_page(
        conn,
        catalogue,
        &Selection::Filter(&filter),
        |conn, rows| -> Result<(), ExportFailure> {
            let codes: Vec<String> = rows
                .iter()
                .filter(|(_, row)| row.result == UnitResult::Achieved)
                .filter_map(|(_, row)| row.verification_code.clone())
                .collect();
            let signed: HashMap<String, CredentialRow> = credentials::table
                .inner_join(statements::table)
                .filter(statements::code.eq_any(&codes))
                .select((statements::code, CredentialRow::as_select()))
                .load::<(String, CredentialRow)>(conn)
                .map_err(crate::action::ActionError::from)?
                .into_iter()
                .collect();
            for code in codes {
                if let Some(credential) = signed.get(&code) {
                    on_badge(format!("{code}.json"), credential.enveloped())?;
                    made += 1;
                }
            }
            Ok(())
        },
    )?;
    Ok(made)
}
