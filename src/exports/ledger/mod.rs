//! The report-once ledger: a recorded results export is a batch, every result written in it is a
//! reported result, and the next export leaves reported results out unless asked. Reversing a batch
//! makes its results reportable again. Recording and reversing write the audit trail in the same
//! transaction.

mod recording;
mod reported;

use std::io::Write;

use crate::db::FirstRow;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::action::ActionError;
use crate::audit::{self, Change};
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::{ExportBatchId, OrgId};
use crate::db::schema::export_batches;
use crate::exports::ExportFailure;
use crate::exports::results::{Selection, for_each_page};
use crate::output::formats::results::{ExportError, ResultsFormat, results_writer};
use crate::storage::{BlobStore, copy_verified};

pub use recording::{Recording, export_results, record_batch};
pub use reported::{PendingCorrection, pending_corrections};

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
