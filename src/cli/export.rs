//! Exports from the command line: a candidate's portfolio archive, and checking an archive.

use std::path::Path;
use std::process::ExitCode;

use super::CliError;
use crate::config::Config;
use crate::output::export::archive::{verify_archive, write_archive};
use crate::setup;
use crate::storage::{BlobStore, LocalStore};

/// `attest export archive ENROLMENT_ID -o FILE.zip`.
pub(super) fn archive(
    config: &Config,
    enrolment_id: &str,
    out: &Path,
) -> Result<ExitCode, CliError> {
    let db = setup::open_database(config, true)?;
    let catalogue = setup::load_catalogue(config, &db)?;
    let mut conn = db.conn().map_err(|e| CliError::Runtime(e.to_string()))?;
    let input =
        crate::exports::archive_input(&mut conn, &catalogue, enrolment_id, chrono::Utc::now())?;
    let store = LocalStore::new(config.data_dir.join("files"))
        .map_err(|e| CliError::Runtime(format!("file store: {e}")))?;
    // Written beside the target and renamed, so a failure never leaves half an archive.
    let partial = out.with_extension("zip.partial");
    let file = std::fs::File::create(&partial)
        .map_err(|e| CliError::Input(format!("{}: {e}", out.display())))?;
    let written = write_archive(
        &input,
        |f| store.open(&f.sha256).map_err(std::io::Error::other),
        file,
    );
    match written {
        Ok(file) => {
            file.sync_all()
                .map_err(|e| CliError::Runtime(e.to_string()))?;
            std::fs::rename(&partial, out)
                .map_err(|e| CliError::Input(format!("{}: {e}", out.display())))?;
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(CliError::Runtime(format!("archive: {e}")));
        }
    }
    println!(
        "wrote {} ({} evidence records, {} files)",
        out.display(),
        input.evidence.len(),
        input.files.len()
    );
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
