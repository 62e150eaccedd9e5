//! Recording a batch: the results written, each recorded as reported, and the file kept.

use std::collections::HashMap;
use std::io::{BufWriter, Write};
use std::path::Path;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::action::ActionError;
use crate::audit::{self, Change};
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::{EnrolmentId, ExportBatchId, OrgId};
use crate::db::schema::{enrolments, export_batches, reported_results};
use crate::exports::ExportFailure;
use crate::exports::results::{ResultsFilter, ResultsQuery, Selection, for_each_page};
use crate::keys::KeyRing;
use crate::output::formats::results::{ExportError, ExportSummary, RowOutcome, results_writer};
use crate::storage::{BlobStore, Receiving};

use super::Batch;
use super::reported::{Reported, against_ledger, reported_of};

/// Who records a batch, when, and where its file is kept.
#[derive(Clone, Copy)]
pub struct Recording<'a> {
    /// The user (none for a command run without one).
    pub actor_id: Option<&'a str>,
    /// Now.
    pub now: DateTime<Utc>,
    /// Where the batch's file is kept, so downloading it again gives the same bytes.
    pub store: &'a dyn BlobStore,
    /// A folder for the file while it is written (on the store's file system).
    pub scratch_dir: &'a Path,
    /// The keys that sign the audit checkpoint the batch carries.
    pub keys: &'a KeyRing,
    /// The instance's public URL (the checkpoint's issuer).
    pub public_url: &'a str,
}

/// Writes the results `filter` selects to `out`. With `record`, the batch and every written result
/// are recorded in the ledger and the file is kept in the store (call inside a write transaction,
/// so a failed write records nothing). `progress` is called after each page with the rows read so
/// far.
pub fn export_results<W: Write>(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    filter: &ResultsFilter,
    record: Option<Recording<'_>>,
    mut out: W,
    mut progress: impl FnMut(u64),
) -> Result<(Option<Batch>, ExportSummary), ExportFailure> {
    let filters = crate::db::json::to_text(filter)?;
    let mut batch = record.map(|r| Batch {
        id: ExportBatchId::random(),
        org_id: filter.org_id,
        created_at: r.now.naive_utc(),
        created_by: r.actor_id.map(str::to_owned),
        format: filter.format.to_string(),
        filters: filters.clone(),
        row_count: 0,
        reversed_at: None,
        reversed_by: None,
        reverse_reason: None,
        file_sha256: None,
        file_size: None,
        audit_checkpoint: None,
    });
    if let Some(batch) = &batch {
        // Before anything is read: two recordings at once on PostgreSQL would otherwise both see
        // the same results as unreported. (SQLite writers are serialised already.)
        crate::db::lock_audit_chain(conn)?;
        diesel::insert_into(export_batches::table)
            .values(batch)
            .execute(conn)?;
    }
    let mut kept = match record {
        Some(r) => Some(Receiving::start(r.scratch_dir, u64::MAX)?),
        None => None,
    };
    let mut read = 0u64;
    let batch_id = batch.as_ref().map(|b| b.id);
    let summary = {
        let mut sink: Box<dyn Write + '_> = match kept.as_mut() {
            Some(file) => Box::new(Tee(&mut out, BufWriter::new(file))),
            None => Box::new(&mut out),
        };
        let mut writer = results_writer(filter.format, &mut sink)?;
        for_each_page(
            conn,
            catalogue,
            &Selection::Filter(filter),
            |conn, rows| -> Result<(), ExportFailure> {
                let reported = if filter.include_reported {
                    Reported::default()
                } else {
                    reported_of(conn, rows.iter().map(|(id, _)| *id))?
                };
                let mut written = Vec::new();
                for (enrolment_id, mut row) in rows {
                    let Some(correction_of) = against_ledger(&reported, enrolment_id, &row) else {
                        continue;
                    };
                    read += 1;
                    row.correction_of = correction_of.map(|batch| batch.to_string());
                    // Rows the NZQA file leaves out were not reported and stay reportable.
                    if writer.write_row(&row)? == RowOutcome::Written {
                        written.push((enrolment_id, row.result.as_str(), correction_of));
                    }
                }
                if let Some(batch_id) = batch_id {
                    record_page(conn, batch_id, written)?;
                }
                progress(read);
                Ok(())
            },
        )?;
        let summary = writer.finish()?;
        sink.flush().map_err(ExportError::from)?;
        summary
    };
    if batch.is_some() && summary.written == 0 {
        // An empty batch would only clutter the ledger; the transaction rolls back.
        return Err(nothing_to_report(filter, read).into());
    }
    if let (Some(batch), Some(r), Some(file)) = (&mut batch, record, kept) {
        complete_batch(conn, filter, batch, r, file, summary.written)?;
    }
    Ok((batch, summary))
}

/// Keeps the written file in the store and completes the batch's record: its count and file, its
/// audit entry, then the signed checkpoint that covers that entry.
fn complete_batch(
    conn: &mut DbConnection,
    filter: &ResultsFilter,
    batch: &mut Batch,
    r: Recording<'_>,
    file: Receiving,
    written: u64,
) -> Result<(), ExportFailure> {
    let file = file.seal(filter.format.media_type())?;
    r.store.put(&file.path, &file.sha256)?;
    batch.row_count = i64::try_from(written).unwrap_or(i64::MAX);
    batch.file_size = Some(i64::try_from(file.size).unwrap_or(i64::MAX));
    batch.file_sha256 = Some(file.sha256.clone());
    diesel::update(export_batches::table.find(batch.id))
        .set((
            export_batches::row_count.eq(batch.row_count),
            export_batches::file_sha256.eq(&batch.file_sha256),
            export_batches::file_size.eq(batch.file_size),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: r.actor_id,
            action: "export.record",
            entity: "export_batch",
            entity_id: &batch.id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "format": batch.format,
                "filters": crate::db::json::to_value(filter)?,
                "row_count": batch.row_count,
                "file_sha256": batch.file_sha256,
            })),
        },
    )?;
    // After its own entry, so the batch anchors the trail up to and including its record.
    let checkpoint = crate::checkpoints::take(conn, r.keys, r.public_url, r.now)
        .map_err(|e| ExportFailure::Action(e.into()))?;
    diesel::update(export_batches::table.find(batch.id))
        .set(export_batches::audit_checkpoint.eq(&checkpoint))
        .execute(conn)?;
    batch.audit_checkpoint = Some(checkpoint);
    Ok(())
}

/// Records the results a page wrote: what each reported, and what it corrects.
fn record_page(
    conn: &mut DbConnection,
    batch_id: ExportBatchId,
    written: Vec<(EnrolmentId, &'static str, Option<ExportBatchId>)>,
) -> Result<(), diesel::result::Error> {
    let mut plain: HashMap<&'static str, Vec<EnrolmentId>> = HashMap::new();
    for (enrolment_id, result, correction_of) in written {
        match correction_of {
            // Corrections are few: one row each.
            Some(earlier) => {
                diesel::insert_into(reported_results::table)
                    .values((
                        reported_results::batch_id.eq(batch_id),
                        reported_results::enrolment_id.eq(enrolment_id),
                        reported_results::result.eq(result),
                        reported_results::correction_of.eq(earlier),
                    ))
                    .execute(conn)?;
            }
            None => plain.entry(result).or_default().push(enrolment_id),
        }
    }
    for (result, ids) in plain {
        // One INSERT … SELECT per result and page: the multi-connection has no multi-row VALUES.
        diesel::insert_into(reported_results::table)
            .values(
                enrolments::table
                    .filter(enrolments::id.eq_any(ids))
                    .select((
                        batch_id.to_string().into_sql::<Text>(),
                        enrolments::id,
                        Some(result).into_sql::<diesel::sql_types::Nullable<Text>>(),
                    )),
            )
            .into_columns((
                reported_results::batch_id,
                reported_results::enrolment_id,
                reported_results::result,
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Writes every byte to both: the file sent and the copy kept.
struct Tee<A, B>(A, B);

impl<A: Write, B: Write> Write for Tee<A, B> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write_all(buf)?;
        self.1.write_all(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()?;
        self.1.flush()
    }
}

/// Records a batch of the results `query` selects in `org_id`, keeping its file in the store
/// without sending it anywhere: the API's and the exports page's "record a batch", whose file is
/// then downloaded from the ledger.
pub fn record_batch(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    org_id: OrgId,
    query: &ResultsQuery,
    recording: Recording<'_>,
) -> Result<Batch, ExportFailure> {
    let filter = query.check(conn, catalogue, org_id)?;
    let (batch, _) = export_results(
        conn,
        catalogue,
        &filter,
        Some(recording),
        std::io::sink(),
        |_| {},
    )?;
    batch.ok_or_else(|| ActionError::Conflict("the batch was not recorded".into()).into())
}

/// Why recording would give an empty batch, against the field that would change it.
fn nothing_to_report(filter: &ResultsFilter, read: u64) -> ActionError {
    if read > 0 {
        return ActionError::invalid(
            "format",
            format!(
                "None of the {read} results these filters select fit this file (the NZQA file \
                 needs a national student number and an NZQA standard); nothing was recorded"
            ),
        );
    }
    if filter.include_reported {
        return ActionError::invalid(
            "cohort",
            "No results match these filters; nothing was recorded",
        );
    }
    ActionError::invalid(
        "include_reported",
        "Nothing new to report: no result these filters select is waiting to be reported (none \
         is decided yet, or each was reported in an earlier batch: include results already \
         reported to export them again); nothing was recorded",
    )
}
