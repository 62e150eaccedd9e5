//! Moodle's competency framework CSV, as `tool_lpimportcsv` documents, reads and writes it: a
//! header row, one row for the framework (`Is framework` = 1) and one per competency, each naming
//! its parent by id number (empty for a top-level competency).
//!
//! The tree becomes a standard: the framework row gives code (`Id number`), title (`Short name`)
//! and purpose (`Description`); a top-level competency is an outcome and its children are its
//! criteria, except a top-level competency whose short name begins "Knowledge", whose children
//! are knowledge items. Deeper competencies, completion rules, cross-references and scales have
//! no place in a standard and are reported.

mod build;
mod rows;

use super::super::position::Position;
use super::{ImportFailed, ImportOptions, Imported, Problem};
use build::build;
use rows::{read_columns, read_rows};

/// Reads a Moodle competency framework CSV (UTF-8, comma-separated, as Moodle exports it).
pub fn import_moodle_csv(text: &str, options: &ImportOptions) -> Result<Imported, ImportFailed> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(header)) => header,
        Some(Err(error)) => return Err(fail(1, format!("not CSV: {error}"))),
        None => return Err(fail(1, "the file is empty".into())),
    };
    let mut problems = Vec::new();
    let columns = read_columns(&header, &mut problems)?;
    let (framework, rows) = read_rows(records, &columns, &mut problems);
    let Some((framework, fields)) = framework else {
        return Err(fail(
            1,
            "no framework row (a row with \"Is framework\" = 1)".into(),
        ));
    };
    build(framework, fields, rows, options, problems)
}

/// The import fails at `line` for `reason`.
fn fail(line: usize, reason: String) -> ImportFailed {
    ImportFailed(Problem {
        position: Some(Position { line, column: 1 }),
        element: String::new(),
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "\"Parent ID number\",\"ID number\",\"Short name\",Description,\"Description format\",\"Scale values\",\"Scale configuration\",\"Rule type (optional)\",\"Rule outcome (optional)\",\"Rule config (optional)\",\"Cross-referenced competency ID numbers\",\"Exported ID (optional)\",\"Is framework\",Taxonomy\n";

    #[test]
    fn a_missing_framework_row_fails_with_its_reason() {
        let text = format!("{HEADER},O1,Outcome,,1,,,,0,null,,1,,\n");
        let Err(ImportFailed(problem)) = import_moodle_csv(&text, &ImportOptions::default()) else {
            panic!("expected a failure");
        };
        assert!(problem.reason.contains("no framework row"), "{problem}");
    }

    #[test]
    fn a_wrong_header_fails_naming_the_column() {
        let Err(ImportFailed(problem)) =
            import_moodle_csv("a,b,c\n1,2,3\n", &ImportOptions::default())
        else {
            panic!("expected a failure");
        };
        assert!(problem.reason.contains("\"Parent ID number\""), "{problem}");
    }
}
