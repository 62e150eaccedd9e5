//! `attest files gc` and `attest files migrate`.

use std::process::ExitCode;
use std::time::SystemTime;

use super::CliError;
use crate::config::Config;
use crate::file_gc::{self, MIN_AGE};
use crate::setup;
use crate::storage::{self, LocalStore};

pub(super) fn gc(config: &Config, dry_run: bool) -> Result<ExitCode, CliError> {
    let db = setup::open_database(config, true)?;
    let staging = LocalStore::open(config.data_dir.join("files"))
        .map_err(|e| CliError::Runtime(format!("file store: {e}")))?;
    let store = storage::open_store(config, false)
        .map_err(|e| CliError::Runtime(format!("file store: {e}")))?;
    let mut conn = db.conn().map_err(|e| CliError::Runtime(e.to_string()))?;
    let report = file_gc::collect(
        &mut conn,
        store.as_ref(),
        &staging,
        SystemTime::now(),
        dry_run,
    )
    .map_err(|e| CliError::Runtime(e.to_string()))?;
    let verb = if dry_run { "would remove" } else { "removed" };
    for file in &report.orphans {
        println!(
            "{verb} {} ({} bytes): no record refers to it",
            file.path.display(),
            file.size
        );
    }
    for file in &report.leftovers {
        println!(
            "{verb} {} ({} bytes): left behind by an upload that never finished",
            file.path.display(),
            file.size
        );
    }
    for missing in &report.missing {
        println!(
            "MISSING {} {}: its file {} is not in the store",
            missing.kind, missing.id, missing.sha256
        );
    }
    println!(
        "{} orphan file(s) and {} leftover(s), {} bytes {verb}; files younger than {} min kept; {} record(s) lack their file",
        report.orphans.len(),
        report.leftovers.len(),
        report.reclaimable_bytes(),
        MIN_AGE.as_secs() / 60,
        report.missing.len()
    );
    Ok(if report.missing.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `attest files migrate --to TARGET`.
pub(super) fn migrate(config: &Config, to: &str) -> Result<ExitCode, CliError> {
    let source = storage::open_store(config, false)
        .map_err(|e| CliError::Runtime(format!("file store: {e}")))?;
    let target: std::sync::Arc<dyn storage::BlobStore> = if to.trim().starts_with("s3://") {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let location = crate::config::s3_location(to, env)
            .map_err(|reason| CliError::Input(format!("--to: {reason}")))?;
        let store = storage::s3::S3Store::new(&location)
            .and_then(|store| store.check().map(|()| store))
            .map_err(|e| CliError::Input(format!("--to {}: {e}", location.url())))?;
        std::sync::Arc::new(store)
    } else if to.contains("://") {
        return Err(CliError::Input(format!(
            "--to: '{to}' is neither an s3://BUCKET/PREFIX URL nor a folder"
        )));
    } else {
        std::sync::Arc::new(
            LocalStore::open(to).map_err(|e| CliError::Input(format!("--to {to}: {e}")))?,
        )
    };
    if target.location() == source.location() {
        return Err(CliError::Input(format!(
            "--to: {} is the store already in use",
            target.location()
        )));
    }
    println!(
        "copying every stored file from {} to {}",
        source.location(),
        target.location()
    );
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let summary = storage::migrate::migrate(
        source.as_ref(),
        target.as_ref(),
        &storage::staging_dir(config),
        |file, outcome, total| {
            bar.set_length(total as u64);
            if let storage::migrate::Outcome::Failed(reason) = outcome {
                bar.println(format!("FAILED {}: {reason}", file.sha256));
            }
            bar.inc(1);
        },
    )
    .map_err(|e| CliError::Runtime(format!("file store {}: {e}", source.location())))?;
    bar.finish_and_clear();
    println!(
        "{} copied ({} bytes), {} already there, {} replaced (damaged in the target), {} failed",
        summary.copied,
        summary.bytes,
        summary.already_there,
        summary.replaced,
        summary.failed.len()
    );
    if summary.failed.is_empty() {
        println!(
            "every file is in {} and matches its hash; set ATTEST_FILES_URL to use it",
            target.location()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::from(1))
    }
}
