//! Exports from the command line: results files and the report-once ledger, Open Badges,
//! portfolio archives (one enrolment's, or a cohort's), and checking an archive.

mod archives;
mod badges;
mod results;

use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};

use super::CliError;
use crate::action::ActionError;
use crate::config::Config;
use crate::db::DbConnection;
use crate::exports::ExportFailure;
use crate::identity::Organisation;
use crate::storage::BlobStore;

pub(super) use archives::{archive, cohort_archives, verify};
pub(super) use badges::badges;
pub(super) use results::{batch, batches, results, reverse};

fn file_store(config: &Config) -> Result<std::sync::Arc<dyn BlobStore>, CliError> {
    crate::storage::open_store(config, false)
        .map_err(|e| CliError::Runtime(format!("file store: {e}")))
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

/// What the results and badges commands start from: a connection, the catalogue, the console
/// acting, and the filter their options make for the organisation named (checked as the pages
/// and the API check it).
struct ResultsRun {
    conn: diesel::r2d2::PooledConnection<diesel::r2d2::ConnectionManager<DbConnection>>,
    catalogue: crate::catalogue::Catalogue,
    acting: crate::action::Acting<'static>,
    filter: crate::exports::results::ResultsFilter,
}

fn open_results(
    config: &Config,
    org: &str,
    query: &crate::exports::results::ResultsQuery,
) -> Result<ResultsRun, CliError> {
    let db = crate::setup::open_database(config, true)?;
    let catalogue = crate::setup::load_catalogue(config, &db)?;
    let mut conn = db.conn().map_err(|e| CliError::Runtime(e.to_string()))?;
    let org = find_org(&mut conn, org)?;
    let acting = crate::action::Acting::console(chrono::Utc::now());
    let filter =
        crate::exports::actions::results_filter(&mut conn, &catalogue, &acting, org.id, query)?;
    Ok(ResultsRun {
        conn,
        catalogue,
        acting,
        filter,
    })
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
