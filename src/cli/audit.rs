//! `attest audit verify --file`: checks an exported audit trail without the database.

use std::process::ExitCode;

use super::CliError;
use crate::audit_trail;

/// Checks every entry's hash, the order and each link between consecutive entries of a trail
/// file (CSV or JSON, as exported); exit 0 when all hold, 1 when any does not, 2 when the file
/// cannot be read.
pub(super) fn verify_file(file: &std::path::Path) -> Result<ExitCode, CliError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| CliError::Input(format!("{}: {e}", file.display())))?;
    let entries = audit_trail::read_file(&text)
        .map_err(|e| CliError::Input(format!("{}:{e}", file.display())))?;
    let check = audit_trail::check_file(&entries);
    let range = match (entries.first(), entries.last()) {
        (Some(first), Some(last)) => format!("entries {} to {}", first.seq, last.seq),
        _ => "no entries".to_owned(),
    };
    println!(
        "{}: {} entries ({range}), {} links between consecutive entries checked, {} positions not in the file",
        file.display(),
        check.entries,
        check.links,
        check.gaps
    );
    if check.erased > 0 {
        println!(
            "{} entries with their content erased on request (they check by their content digest)",
            check.erased
        );
    }
    if !check.unchecked.is_empty() {
        let list: Vec<String> = check.unchecked.iter().map(i64::to_string).collect();
        println!(
            "content erased, hash not checkable from this file (written before content digests; its erasure entry is not in the file): entries {}",
            list.join(", ")
        );
    }
    if check.problems.is_empty() {
        println!("intact: every entry matches its hash and every link holds");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("BROKEN:");
        for problem in &check.problems {
            println!("  {problem}");
        }
        Ok(ExitCode::from(1))
    }
}
