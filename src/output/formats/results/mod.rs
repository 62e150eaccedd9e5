//! Results files for training providers: one row per candidate per unit, streamed to any
//! `std::io::Write` one row at a time so an export of any length runs in constant memory.
//! Columns and formats are documented in `docs/exports.md`.

mod csv_format;
mod json_format;
mod nzqa;
mod row;

use std::fmt;
use std::io::Write;
use std::str::FromStr;

pub use csv_format::{CsvRows, CsvWriter, read_csv};
pub use json_format::JsonWriter;
pub use nzqa::{LeftOut, NZQA_ACHIEVED, NZQA_COLUMNS, NZQA_WITHDRAWN, NzqaCsvWriter};
pub use row::{
    LearnerNumber, LearnerNumberScheme, RESULT_COLUMNS, ResultRow, UnitLevel, UnitResult,
    level_scheme_name,
};

/// An error while writing or reading a results file.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The output could not be written (disk full, client went away).
    #[error("could not write the export: {0}")]
    Io(#[from] std::io::Error),
    /// A row contradicts itself or lacks a key; nothing after it was written.
    #[error("result row {row}: {reason}")]
    InvalidRow {
        /// The row's 1-based position in the export.
        row: u64,
        /// What is wrong.
        reason: String,
    },
    /// A results file being read back is malformed.
    #[error("line {line}: {reason}")]
    Parse {
        /// The 1-based line of the file.
        line: u64,
        /// What is wrong.
        reason: String,
    },
}

/// What a writer did with one row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowOutcome {
    /// The row is in the file: record it in the report-once ledger.
    Written,
    /// The row has no place in this kind of file (only the NZQA file leaves rows out); it was not
    /// reported and stays reportable.
    LeftOut(LeftOut),
}

/// What a finished export holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ExportSummary {
    /// Rows written.
    pub written: u64,
    /// Rows left out (NZQA file only).
    pub left_out: u64,
}

/// Any of the results writers, for callers that choose the format at run time.
pub trait ResultsWriter {
    /// Writes one row, or leaves it out and says why.
    fn write_row(&mut self, row: &ResultRow) -> Result<RowOutcome, ExportError>;
    /// Completes the file (closes the JSON array) and flushes it.
    fn finish(self: Box<Self>) -> Result<ExportSummary, ExportError>;
}

/// The kinds of results file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResultsFormat {
    /// Every column, as CSV.
    Csv,
    /// Every column, as a JSON array of objects.
    Json,
    /// The NZQA-ready CSV.
    NzqaCsv,
}

impl ResultsFormat {
    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ResultsFormat::Csv | ResultsFormat::NzqaCsv => "csv",
            ResultsFormat::Json => "json",
        }
    }

    /// The media type for an HTTP response.
    pub fn media_type(self) -> &'static str {
        match self {
            ResultsFormat::Csv | ResultsFormat::NzqaCsv => "text/csv; charset=utf-8",
            ResultsFormat::Json => "application/json",
        }
    }
}

impl FromStr for ResultsFormat {
    type Err = String;

    /// `csv`, `json` or `nzqa` (as given on the command line or in a query string).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.to_ascii_lowercase().as_str() {
            "csv" => Ok(ResultsFormat::Csv),
            "json" => Ok(ResultsFormat::Json),
            "nzqa" | "nzqa-csv" => Ok(ResultsFormat::NzqaCsv),
            other => Err(format!(
                "unknown results format `{other}`: use csv, json or nzqa"
            )),
        }
    }
}

impl fmt::Display for ResultsFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ResultsFormat::Csv => "csv",
            ResultsFormat::Json => "json",
            ResultsFormat::NzqaCsv => "nzqa",
        })
    }
}

/// Starts a results file of `format` on `out`.
pub fn results_writer<'w, W: Write + 'w>(
    format: ResultsFormat,
    out: W,
) -> Result<Box<dyn ResultsWriter + 'w>, ExportError> {
    Ok(match format {
        ResultsFormat::Csv => Box::new(CsvWriter::new(out)?),
        ResultsFormat::Json => Box::new(JsonWriter::new(out)?),
        ResultsFormat::NzqaCsv => Box::new(NzqaCsvWriter::new(out)?),
    })
}

/// Writes every row of `rows` as `format` to `out` and finishes the file. `on_row` sees each row
/// with its outcome as it goes (to record it in the ledger, or move a progress bar).
pub fn write_results<I, W>(
    format: ResultsFormat,
    rows: I,
    out: W,
    mut on_row: impl FnMut(&ResultRow, RowOutcome),
) -> Result<ExportSummary, ExportError>
where
    I: IntoIterator<Item = ResultRow>,
    W: Write,
{
    let mut writer = results_writer(format, out)?;
    for row in rows {
        let outcome = writer.write_row(&row)?;
        on_row(&row, outcome);
    }
    writer.finish()
}
