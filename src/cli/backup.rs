//! `attest backup` and `attest restore`.

use std::path::Path;
use std::process::ExitCode;

use super::CliError;
use crate::backup;
use crate::config::Config;
use crate::setup;

pub(super) fn backup(config: &Config, out: &Path) -> Result<ExitCode, CliError> {
    // Never migrates: a backup copies the database as it is.
    let db = setup::open_database(config, false)?;
    let manifest =
        backup::backup(config, &db, out).map_err(|e| CliError::Runtime(e.to_string()))?;
    println!(
        "backup of the {} database taken at {} in {}: {} files, {} secrets, {} bytes; manifest {}",
        manifest.backend,
        manifest.created_at,
        out.display(),
        manifest.files.len(),
        manifest.secrets.len(),
        manifest.total_bytes(),
        out.join(backup::MANIFEST).display()
    );
    if !manifest.secrets.is_empty() {
        println!("it holds the instance's secrets: keep it as safe as the data dir");
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn check(dir: &Path) -> Result<ExitCode, CliError> {
    let manifest = backup::check(dir).map_err(|e| CliError::Runtime(e.to_string()))?;
    println!(
        "backup in {} is intact: the {} database and {} files match their hashes",
        dir.display(),
        manifest.backend,
        manifest.files.len()
    );
    Ok(ExitCode::SUCCESS)
}

pub(super) fn restore(config: &Config, dir: &Path) -> Result<ExitCode, CliError> {
    let manifest = backup::restore(config, dir).map_err(|e| CliError::Runtime(e.to_string()))?;
    println!(
        "restored the {} database of {} and {} files into {} (every hash checked)",
        manifest.backend,
        manifest.created_at,
        manifest.files.len(),
        config.data_dir.display()
    );
    println!(
        "next: `attest audit verify`, then `attest serve` (`attest migrate` first on PostgreSQL)"
    );
    Ok(ExitCode::SUCCESS)
}
