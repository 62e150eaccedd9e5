//! The report-once ledger: a recorded results export is a batch, every result written in it is a
//! reported result, and the next export leaves reported results out unless asked. Reversing a batch
//! makes its results reportable again. Recording and reversing write the audit trail in the same
//! transaction.

use std::collections::HashMap;
use std::io::{BufWriter, Write};
use std::path::Path;

use crate::db::FirstRow;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::Text;
use serde::Serialize;

use super::ExportFailure;
use super::results::{ResultsFilter, ResultsQuery, Selection, for_each_page};
use crate::action::ActionError;
use crate::audit::{self, Change};
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::{EnrolmentId, ExportBatchId, OrgId};
use crate::db::schema::{enrolments, export_batches, reported_results};
use crate::keys::KeyRing;
use crate::output::formats::results::{
    ExportError, ExportSummary, ResultRow, ResultsFormat, RowOutcome, results_writer,
};
use crate::storage::{BlobStore, Receiving, copy_verified};

/// A recorded export.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = export_batches)]
pub struct Batch {
    /// Its id.
    #[schema(value_type = String)]
    pub id: ExportBatchId,
    /// The organisation.
    #[schema(value_type = String)]
    pub org_id: OrgId,
    /// When it was recorded (UTC).
    #[serde(serialize_with = "crate::db::utc::serialize")]
    pub created_at: NaiveDateTime,
    /// Who recorded it (none for a command run without a user).
    pub created_by: Option<String>,
    /// csv, json or nzqa.
    pub format: String,
    /// The filters it was made with (JSON text).
    pub filters: String,
    /// Results written (and recorded as reported).
    pub row_count: i64,
    /// When it was reversed.
    #[serde(serialize_with = "crate::db::utc::serialize_option")]
    pub reversed_at: Option<NaiveDateTime>,
    /// Who reversed it.
    pub reversed_by: Option<String>,
    /// Why.
    pub reverse_reason: Option<String>,
    /// SHA-256 of the file as recorded (none for a batch recorded before files were kept).
    pub file_sha256: Option<String>,
    /// Its size in bytes.
    pub file_size: Option<i64>,
    /// The signed audit checkpoint taken when it was recorded, its own record included (none for
    /// a batch recorded before batches carried one): keep it with the file, and
    /// `attest audit verify --checkpoint` finds a trail cut or rewritten since.
    pub audit_checkpoint: Option<String>,
}

impl Batch {
    /// The format it was written in.
    pub fn results_format(&self) -> ResultsFormat {
        self.format.parse().unwrap_or(ResultsFormat::Csv)
    }
}

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
    let actor_id = record.and_then(|r| r.actor_id);
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
        let file = file.seal(filter.format.media_type())?;
        r.store.put(&file.path, &file.sha256)?;
        batch.row_count = i64::try_from(summary.written).unwrap_or(i64::MAX);
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
                actor_id,
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
    }
    Ok((batch, summary))
}

/// What the live batches reported for some enrolments: the latest batch's id and its result
/// (none for results recorded before the ledger kept them).
#[derive(Default)]
pub(crate) struct Reported(HashMap<EnrolmentId, (ExportBatchId, Option<String>)>);

/// The latest live report of each of `ids`.
pub(crate) fn reported_of(
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
pub(crate) fn against_ledger(
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

/// Writes a recorded batch again: the very file that was recorded, checked against its hash. A
/// batch recorded before files were kept is made again from the results it recorded, as they
/// stand now.
pub fn download_batch<W: Write>(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    store: &dyn BlobStore,
    batch: &Batch,
    mut out: W,
) -> Result<(), ExportFailure> {
    if let Some(sha256) = &batch.file_sha256 {
        copy_verified(store, sha256, &mut out)?;
        out.flush().map_err(ExportError::from)?;
        return Ok(());
    }
    let mut writer = results_writer(batch.results_format(), out)?;
    for_each_page(
        conn,
        catalogue,
        &Selection::Batch(batch.id),
        |_, rows| -> Result<(), ExportFailure> {
            for (_, row) in rows {
                writer.write_row(&row)?;
            }
            Ok(())
        },
    )?;
    writer.finish()?;
    Ok(())
}

/// One batch.
pub fn load_batch(conn: &mut DbConnection, id: ExportBatchId) -> Result<Batch, ActionError> {
    Ok(export_batches::table
        .find(id)
        .select(Batch::as_select())
        .first_row(conn)?)
}

/// The organisation's batches, newest first.
pub fn list_batches(conn: &mut DbConnection, org_id: OrgId) -> Result<Vec<Batch>, ActionError> {
    Ok(export_batches::table
        .filter(export_batches::org_id.eq(org_id))
        .order((export_batches::created_at.desc(), export_batches::id.desc()))
        .select(Batch::as_select())
        .load(conn)?)
}

/// Reverses a batch, with a reason (audited): its results become reportable again.
pub fn reverse_batch(
    conn: &mut DbConnection,
    actor_id: Option<&str>,
    batch: &Batch,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Batch, ActionError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ActionError::invalid(
            "reason",
            "say why the batch is reversed",
        ));
    }
    if batch.reversed_at.is_some() {
        return Err(ActionError::Conflict(
            "the batch has already been reversed".into(),
        ));
    }
    let at = now.naive_utc();
    // Only a batch not yet reversed changes, so of two reversals at once exactly one counts.
    let changed = diesel::update(
        export_batches::table
            .find(batch.id)
            .filter(export_batches::reversed_at.is_null()),
    )
    .set((
        export_batches::reversed_at.eq(at),
        export_batches::reversed_by.eq(actor_id),
        export_batches::reverse_reason.eq(reason),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(ActionError::Conflict(
            "the batch has already been reversed".into(),
        ));
    }
    audit::append(
        conn,
        Change {
            actor_id,
            action: "export.reverse",
            entity: "export_batch",
            entity_id: &batch.id.to_string(),
            before: Some(serde_json::json!({ "reversed": false })),
            after: Some(serde_json::json!({ "reversed": true, "reason": reason })),
        },
    )?;
    load_batch(conn, batch.id)
}
