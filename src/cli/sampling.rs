//! `attest sampling verify`: re-runs a downloaded draw record offline.

use std::process::ExitCode;

use sha2::{Digest, Sha256};

use super::CliError;
use crate::signoff::sampling::record::{self, Verdict};

/// Recomputes the selection from the record's population, inputs and seed; exit 0 when it is
/// identical to the recorded one, 1 when it differs, 2 when the file cannot be read as a record.
pub(super) fn verify(file: &std::path::Path) -> Result<ExitCode, CliError> {
    let bytes =
        std::fs::read(file).map_err(|e| CliError::Input(format!("{}: {e}", file.display())))?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|e| CliError::Input(format!("{}: not UTF-8 text: {e}", file.display())))?;
    let record =
        record::parse(text).map_err(|e| CliError::Input(format!("{}:{e}", file.display())))?;
    println!(
        "draw of plan {} ({}) at {}: {} enrolments in the population, seed {}",
        record.plan.id,
        record.plan.name,
        record.drawn_at.format("%Y-%m-%d %H:%M:%S UTC"),
        record.pool.len(),
        record.input.seed,
    );
    println!("file SHA-256 {}", hex::encode(Sha256::digest(&bytes)));
    match record::recheck(&record) {
        Verdict::Identical => {
            println!(
                "identical: drawing again from the record gives the same {} selected",
                record.selection.selected.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Verdict::Different(found) => {
            println!("different:");
            for difference in found {
                println!("  {difference}");
            }
            Ok(ExitCode::from(1))
        }
    }
}
