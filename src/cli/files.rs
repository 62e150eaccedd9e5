//! `attest files gc`.

use std::process::ExitCode;
use std::time::SystemTime;

use super::CliError;
use crate::config::Config;
use crate::file_gc::{self, MIN_AGE};
use crate::setup;
use crate::storage::LocalStore;

pub(super) fn gc(config: &Config, dry_run: bool) -> Result<ExitCode, CliError> {
    let db = setup::open_database(config, true)?;
    let store = LocalStore::open(config.data_dir.join("files"))
        .map_err(|e| CliError::Runtime(format!("file store: {e}")))?;
    let mut conn = db.conn().map_err(|e| CliError::Runtime(e.to_string()))?;
    let report = file_gc::collect(&mut conn, &store, SystemTime::now(), dry_run)
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
