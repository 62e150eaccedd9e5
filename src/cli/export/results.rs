//! Results files and the report-once ledger from the command line: exporting results, fetching,
//! reversing and listing the recorded batches.

use std::path::Path;
use std::process::ExitCode;

use super::{ResultsRun, bar, failure, file_store, find_org, open_results, write_whole};
use crate::action::{Acting, ActionError};
use crate::cli::CliError;
use crate::config::Config;
use crate::db::ids::ExportBatchId;
use crate::db::write_transaction;
use crate::exports::actions::{self, Keeping};
use crate::exports::ledger;
use crate::exports::results::ResultsQuery;
use crate::setup;

/// `attest export results --org ORG [filters] [--format F] [--include-reported] [--dry-run] -o FILE`.
pub(in crate::cli) fn results(
    config: &Config,
    org: &str,
    query: ResultsQuery,
    dry_run: bool,
    out: &Path,
) -> Result<ExitCode, CliError> {
    let ResultsRun {
        mut conn,
        catalogue,
        acting,
        filter,
    } = open_results(config, org, &query)?;
    let store = file_store(config)?;
    let scratch_dir = crate::storage::staging_dir(config);
    let keys = setup::key_ring(config)?;
    let bar = bar(None, "results");
    // The file is written inside the transaction that records the batch (a failed write records
    // nothing); it is renamed into place once complete, and a copy is kept with the batch.
    let exported = write_whole(out, |file| {
        write_transaction(&mut conn, |conn| {
            actions::write_results(
                conn,
                &catalogue,
                &acting,
                &filter,
                (!dry_run).then(|| Keeping {
                    store: store.as_ref(),
                    scratch_dir: &scratch_dir,
                    keys: &keys,
                    public_url: &config.public_url,
                }),
                std::io::BufWriter::new(file),
                |read| bar.set_position(read),
            )
        })
        .map_err(failure)
    });
    bar.finish_and_clear();
    let (batch, summary) = exported?;
    let left_out = if summary.left_out > 0 {
        format!(", {} left out and still reportable", summary.left_out)
    } else {
        String::new()
    };
    match batch {
        Some(batch) => {
            println!(
                "wrote {} ({} results{left_out}); recorded as batch {}",
                out.display(),
                summary.written,
                batch.id
            );
            keep_checkpoint(&batch, out)?;
        }
        None => println!(
            "wrote {} ({} results{left_out}); dry run, nothing recorded",
            out.display(),
            summary.written
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// Names the argument when there is no batch `batch_id` (a malformed one clap refused already).
fn no_batch(batch_id: ExportBatchId) -> impl Fn(ActionError) -> ActionError {
    move |e| match e {
        ActionError::NotFound => ActionError::invalid("BATCH_ID", format!("no batch {batch_id}")),
        other => other,
    }
}

/// `attest export batch BATCH_ID -o FILE`: the recorded file, checked against its hash.
pub(in crate::cli) fn batch(
    config: &Config,
    batch_id: ExportBatchId,
    out: &Path,
) -> Result<ExitCode, CliError> {
    let db = setup::open_database(config, true)?;
    let catalogue = setup::load_catalogue(config, &db)?;
    let store = file_store(config)?;
    let mut conn = db.conn().map_err(|e| CliError::Runtime(e.to_string()))?;
    let acting = Acting::console(chrono::Utc::now());
    let batch = actions::batch(&mut conn, &acting, batch_id).map_err(no_batch(batch_id))?;
    write_whole(out, |file| {
        ledger::download_batch(
            &mut conn,
            &catalogue,
            store.as_ref(),
            &batch,
            std::io::BufWriter::new(file),
        )
        .map_err(failure)
    })?;
    match &batch.file_sha256 {
        Some(sha256) => println!(
            "wrote {} ({} results, as recorded {}; sha256 {sha256})",
            out.display(),
            batch.row_count,
            batch.created_at.format("%Y-%m-%d %H:%M")
        ),
        None => println!(
            "wrote {} (recorded before files were kept: its results as they stand now)",
            out.display()
        ),
    }
    keep_checkpoint(&batch, out)?;
    Ok(ExitCode::SUCCESS)
}

/// Writes the batch's signed audit checkpoint beside its file (`FILE.audit-checkpoint.jwt`), for
/// `attest audit verify --checkpoint`.
fn keep_checkpoint(batch: &ledger::Batch, out: &Path) -> Result<(), CliError> {
    let Some(checkpoint) = &batch.audit_checkpoint else {
        return Ok(());
    };
    let mut name = out.as_os_str().to_owned();
    name.push(".audit-checkpoint.jwt");
    let path = std::path::PathBuf::from(name);
    std::fs::write(&path, format!("{checkpoint}\n"))
        .map_err(|e| CliError::Input(format!("{}: {e}", path.display())))?;
    println!("wrote its audit checkpoint to {}", path.display());
    Ok(())
}

/// `attest export reverse BATCH_ID --reason TEXT`.
pub(in crate::cli) fn reverse(
    config: &Config,
    batch_id: ExportBatchId,
    reason: &str,
) -> Result<ExitCode, CliError> {
    let db = setup::open_database(config, true)?;
    let mut conn = db.conn().map_err(|e| CliError::Runtime(e.to_string()))?;
    let acting = Acting::console(chrono::Utc::now());
    let batch = write_transaction(&mut conn, |conn| {
        actions::reverse_batch(conn, &acting, batch_id, reason).map_err(no_batch(batch_id))
    })?;
    println!(
        "reversed batch {}: its {} results are reportable again",
        batch.id, batch.row_count
    );
    Ok(ExitCode::SUCCESS)
}

/// `attest export batches --org ORG`.
pub(in crate::cli) fn batches(config: &Config, org: &str) -> Result<ExitCode, CliError> {
    let db = setup::open_database(config, true)?;
    let mut conn = db.conn().map_err(|e| CliError::Runtime(e.to_string()))?;
    let org = find_org(&mut conn, org)?;
    let acting = Acting::console(chrono::Utc::now());
    let all = actions::list_batches(&mut conn, &acting, org.id)?;
    if all.is_empty() {
        println!("no batches recorded for {}", org.name);
    }
    for batch in all {
        let state = match (&batch.reversed_at, &batch.reverse_reason) {
            (Some(at), reason) => format!(
                "reversed {} ({})",
                at.format("%Y-%m-%d %H:%M"),
                reason.as_deref().unwrap_or("")
            ),
            (None, _) => "reported".to_owned(),
        };
        println!(
            "{}  {}  {:<5} {:>7} results  {state}",
            batch.id,
            batch.created_at.format("%Y-%m-%d %H:%M"),
            batch.format,
            batch.row_count
        );
    }
    Ok(ExitCode::SUCCESS)
}
