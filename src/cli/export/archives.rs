//! Portfolio archives from the command line: one enrolment's, a cohort's, and checking one.

use std::path::Path;
use std::process::ExitCode;

use super::{bar, file_store, find_org, write_whole};
use crate::action::Acting;
use crate::cli::CliError;
use crate::config::Config;
use crate::db::ids::EnrolmentId;
use crate::exports::actions;
use crate::exports::archive_files::write_enrolment_archive;
use crate::output::formats::archive::{ArchiveInput, verify_archive};
use crate::setup;
use crate::storage::BlobStore;

/// `attest export archive ENROLMENT_ID -o FILE.zip`.
pub(in crate::cli) fn archive(
    config: &Config,
    enrolment_id: EnrolmentId,
    out: &Path,
) -> Result<ExitCode, CliError> {
    let db = setup::open_database(config, true)?;
    let catalogue = setup::load_catalogue(config, &db)?;
    let mut conn = db.conn().map_err(|e| CliError::Runtime(e.to_string()))?;
    let store = file_store(config)?;
    let fonts = crate::cli::statements::fonts(config)?;
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
pub(in crate::cli) fn cohort_archives(
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
    let fonts = crate::cli::statements::fonts(config)?;
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

/// `attest verify-archive FILE.zip`: 0 when every hash checks, 1 when any does not, 2 when unreadable.
pub(in crate::cli) fn verify(path: &Path) -> Result<ExitCode, CliError> {
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
