//! Exports from the command line: results files and the report-once ledger, Open Badges,
//! portfolio archives (one enrolment's, or a cohort's), and checking an archive.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};

use super::CliError;
use crate::action::{Acting, ActionError};
use crate::config::Config;
use crate::db::ids::{EnrolmentId, ExportBatchId};
use crate::db::{DbConnection, write_transaction};
use crate::exports::ExportFailure;
use crate::exports::actions::{self, Keeping};
use crate::exports::archive_files::write_enrolment_archive;
use crate::exports::badges::for_each_badge;
use crate::exports::ledger;
use crate::exports::results::ResultsQuery;
use crate::identity::Organisation;
use crate::output::formats::archive::{ArchiveInput, verify_archive};
use crate::output::formats::results::ExportError;
use crate::setup;
use crate::storage::BlobStore;

/// `attest export archive ENROLMENT_ID -o FILE.zip`.
pub(super) fn archive(
    config: &Config,
    enrolment_id: EnrolmentId,
    out: &Path,
) -> Result<ExitCode, CliError> {
    let db = setup::open_database(config, true)?;
    let catalogue = setup::load_catalogue(config, &db)?;
    let mut conn = db.conn().map_err(|e| CliError::Runtime(e.to_string()))?;
    let store = file_store(config)?;
    let fonts = super::statements::fonts(config)?;
    let acting = Acting::console(chrono::Utc::now());
    let archive = actions::enrolment_archive(&mut conn, &catalogue, &fonts, &acting, enrolment_id)?;
    write_one_archive(store.as_ref(), &archive.input, out)?;
    println!(
        "wrote {} ({} evidence records, {} files)",
        out.display(),
        archive.input.evidence.len(),
        archive.input.files.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// `attest export archive --org ORG --cohort COHORT -o DIR`: one archive per enrolment of the
/// cohort, named after the candidate and the standard.
pub(super) fn cohort_archives(
    config: &Config,
    org: &str,
    cohort: &str,
    dir: &Path,
) -> Result<ExitCode, CliError> {
    let db = setup::open_database(config, true)?;
    let catalogue = setup::load_catalogue(config, &db)?;
    let mut conn = db.conn().map_err(|e| CliError::Runtime(e.to_string()))?;
    let org = find_org(&mut conn, org)?;
    let cohort = crate::portfolio::cohorts::find_cohort(&mut conn, org.id, cohort)
        .map_err(|_| CliError::Input(format!("--cohort: no cohort {cohort} in {}", org.name)))?;
    let fonts = super::statements::fonts(config)?;
    let acting = Acting::console(chrono::Utc::now());
    let (cohort, archives) =
        actions::cohort_archives(&mut conn, &catalogue, &fonts, &acting, cohort.id)?;
    let store = file_store(config)?;
    std::fs::create_dir_all(dir)
        .map_err(|e| CliError::Input(format!("-o {}: {e}", dir.display())))?;
    let bar = bar(Some(archives.len() as u64), "archives");
    for archive in &archives {
        write_one_archive(
            store.as_ref(),
            &archive.input,
            &dir.join(&archive.file_name),
        )?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    println!(
        "wrote {} archives of cohort {} to {}",
        archives.len(),
        cohort.name,
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn file_store(config: &Config) -> Result<std::sync::Arc<dyn BlobStore>, CliError> {
    crate::storage::open_store(config, false)
        .map_err(|e| CliError::Runtime(format!("file store: {e}")))
}

fn write_one_archive(
    store: &dyn BlobStore,
    input: &ArchiveInput,
    out: &Path,
) -> Result<(), CliError> {
    write_whole(out, |file| {
        write_enrolment_archive(input, store, file)
            .map(drop)
            .map_err(|e| CliError::Runtime(format!("archive: {e}")))
    })
}

/// Writes `out` through `write` beside it, then syncs and renames it into place: a failure never
/// leaves half a file under the name asked for.
fn write_whole<T>(
    out: &Path,
    write: impl FnOnce(&std::fs::File) -> Result<T, CliError>,
) -> Result<T, CliError> {
    let partial = partial_path(out);
    let file = std::fs::File::create(&partial)
        .map_err(|e| CliError::Input(format!("-o {}: {e}", out.display())))?;
    let done = write(&file).and_then(|value| {
        file.sync_all()
            .map_err(|e| CliError::Runtime(format!("-o {}: {e}", out.display())))?;
        Ok(value)
    });
    match done {
        Ok(value) => {
            std::fs::rename(&partial, out)
                .map_err(|e| CliError::Runtime(format!("-o {}: {e}", out.display())))?;
            Ok(value)
        }
        Err(err) => {
            let _ = std::fs::remove_file(&partial);
            Err(err)
        }
    }
}

/// `out` with `.partial` appended: where a file is written before it is renamed into place.
fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// A progress bar on standard error, drawn only when it is a terminal.
fn bar(len: Option<u64>, what: &str) -> ProgressBar {
    match len {
        Some(len) => ProgressBar::new(len).with_style(
            ProgressStyle::with_template(&format!("{{bar:40}} {{pos}}/{{len}} {what} {{eta}}"))
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template(&format!("{{spinner}} {{pos}} {what} {{per_sec}}"))
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        ),
    }
}

fn find_org(conn: &mut DbConnection, org: &str) -> Result<Organisation, CliError> {
    crate::identity::find_organisation(conn, org).map_err(|e| match e {
        ActionError::NotFound => CliError::Input(format!("--org: no organisation {org}")),
        other => other.into(),
    })
}

/// Maps an export failure: bad filters are the user's (exit 2), the rest is a runtime failure.
fn failure(err: ExportFailure) -> CliError {
    match err {
        ExportFailure::Action(action) => action.into(),
        ExportFailure::Write(write) => CliError::Runtime(format!("export: {write}")),
        ExportFailure::Store(store) => CliError::Runtime(format!("export: {store}")),
    }
}

/// `attest export results --org ORG [filters] [--format F] [--include-reported] [--dry-run] -o FILE`.
pub(super) fn results(
    config: &Config,
    org: &str,
    query: ResultsQuery,
    dry_run: bool,
    out: &Path,
) -> Result<ExitCode, CliError> {
    let db = setup::open_database(config, true)?;
    let catalogue = setup::load_catalogue(config, &db)?;
    let mut conn = db.conn().map_err(|e| CliError::Runtime(e.to_string()))?;
    let org = find_org(&mut conn, org)?;
    let acting = Acting::console(chrono::Utc::now());
    let filter = actions::results_filter(&mut conn, &catalogue, &acting, org.id, &query)?;
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
pub(super) fn batch(
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
pub(super) fn reverse(
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
pub(super) fn batches(config: &Config, org: &str) -> Result<ExitCode, CliError> {
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

/// `attest export badges --org ORG [filters] -o DIR_OR_ZIP`.
pub(super) fn badges(
    config: &Config,
    org: &str,
    query: ResultsQuery,
    out: &Path,
) -> Result<ExitCode, CliError> {
    let db = setup::open_database(config, true)?;
    let catalogue = setup::load_catalogue(config, &db)?;
    let mut conn = db.conn().map_err(|e| CliError::Runtime(e.to_string()))?;
    let org = find_org(&mut conn, org)?;
    let acting = Acting::console(chrono::Utc::now());
    let filter = actions::results_filter(&mut conn, &catalogue, &acting, org.id, &query)?;
    let as_zip = out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    let bar = bar(None, "badges");
    let made = if as_zip {
        let partial = partial_path(out);
        let file = std::fs::File::create(&partial)
            .map_err(|e| CliError::Input(format!("-o {}: {e}", out.display())))?;
        let mut zip = zip::ZipWriter::new(file);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let made = for_each_badge(&mut conn, &catalogue, &filter, |name, badge| {
            zip.start_file(name, options)
                .map_err(|e| ExportError::Io(std::io::Error::other(e)))?;
            serde_json::to_writer_pretty(&mut zip, &badge)
                .map_err(|e| ExportError::Io(std::io::Error::other(e)))?;
            bar.inc(1);
            Ok(())
        })
        .and_then(|made| {
            zip.finish()
                .map_err(|e| ExportError::Io(std::io::Error::other(e)))?;
            Ok(made)
        });
        match made {
            Ok(made) => {
                std::fs::rename(&partial, out)
                    .map_err(|e| CliError::Runtime(format!("-o {}: {e}", out.display())))?;
                made
            }
            Err(err) => {
                let _ = std::fs::remove_file(&partial);
                return Err(failure(err));
            }
        }
    } else {
        std::fs::create_dir_all(out)
            .map_err(|e| CliError::Input(format!("-o {}: {e}", out.display())))?;
        for_each_badge(&mut conn, &catalogue, &filter, |name, badge| {
            // A badge that does not serialise fails the run rather than leaving an empty file.
            let text = serde_json::to_string_pretty(&badge)
                .map_err(|e| ExportError::Io(std::io::Error::other(e)))?;
            std::fs::write(out.join(name), text).map_err(ExportError::Io)?;
            bar.inc(1);
            Ok(())
        })
        .map_err(failure)?
    };
    bar.finish_and_clear();
    println!("wrote {made} Open Badges credentials to {}", out.display());
    Ok(ExitCode::SUCCESS)
}

/// `attest verify-archive FILE.zip`: 0 when every hash checks, 1 when any does not, 2 when unreadable.
pub(super) fn verify(path: &Path) -> Result<ExitCode, CliError> {
    let file = std::fs::File::open(path)
        .map_err(|e| CliError::Input(format!("{}: {e}", path.display())))?;
    let report = verify_archive(std::io::BufReader::new(file))
        .map_err(|e| CliError::Input(format!("{}: {e}", path.display())))?;
    if report.is_ok() {
        println!(
            "{}: intact ({} files, {} bytes checked)",
            path.display(),
            report.files_checked,
            report.bytes_checked
        );
        return Ok(ExitCode::SUCCESS);
    }
    for problem in &report.problems {
        println!("{}: {problem}", path.display());
    }
    Ok(ExitCode::from(1))
}
