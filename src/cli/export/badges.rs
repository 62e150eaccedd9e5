//! Open Badges credentials from the command line, into a folder or a zip file.

use std::path::Path;
use std::process::ExitCode;

use super::{ResultsRun, bar, failure, open_results, partial_path};
use crate::cli::CliError;
use crate::config::Config;
use crate::exports::badges::for_each_badge;
use crate::exports::results::ResultsQuery;
use crate::output::formats::results::ExportError;

/// `attest export badges --org ORG [filters] -o DIR_OR_ZIP`.
pub(in crate::cli) fn badges(
    config: &Config,
    org: &str,
    query: ResultsQuery,
    out: &Path,
) -> Result<ExitCode, CliError> {
    let ResultsRun {
        mut conn,
        catalogue,
        filter,
        ..
    } = open_results(config, org, &query)?;
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
