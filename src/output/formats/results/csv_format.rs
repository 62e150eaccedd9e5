//! Results as CSV (RFC 4180, UTF-8, CRLF line ends), written and read one row at a time.

use std::borrow::Cow;
use std::io::{Read, Write};

use chrono::NaiveDate;

use super::row::{RESULT_COLUMNS, check_row, learner_number, level_scheme_name, unit_level};
use super::{ExportError, ResultRow, ResultsWriter, RowOutcome, UnitResult};

/// Writes result rows as CSV with a header of [`RESULT_COLUMNS`]; holds no rows.
pub struct CsvWriter<W: Write> {
    out: csv::Writer<W>,
    written: u64,
}

impl<W: Write> CsvWriter<W> {
    /// Starts a file: writes the header row.
    pub fn new(out: W) -> Result<Self, ExportError> {
        let mut out = csv_writer(out);
        out.write_record(RESULT_COLUMNS).map_err(from_csv)?;
        Ok(Self { out, written: 0 })
    }

    /// Writes one row (after checking it), always [`RowOutcome::Written`].
    pub fn write_row(&mut self, row: &ResultRow) -> Result<RowOutcome, ExportError> {
        check_row(row, self.written + 1)?;
        let version = row.standard_version.to_string();
        let level = row.level.map(|l| l.value.to_string());
        let credits = row.credits.map(|c| c.to_string());
        let date_achieved = row.date_achieved.map(iso_date);
        let date_sampled = row.date_sampled.map(iso_date);
        let fields: [&str; 18] = [
            &guard(&row.candidate_id),
            &guard(&row.candidate_name),
            row.learner_number
                .as_ref()
                .map_or("", |n| n.scheme.as_str()),
            &guard(row.learner_number.as_ref().map_or("", |n| n.value.as_str())),
            &guard(&row.framework),
            &guard(&row.standard_code),
            &version,
            &guard(&row.standard_title),
            level.as_deref().unwrap_or(""),
            row.level.map_or("", |l| level_scheme_name(l.scheme)),
            credits.as_deref().unwrap_or(""),
            row.result.as_str(),
            date_achieved.as_deref().unwrap_or(""),
            &guard(&row.assessor_name),
            &guard(row.iv_name.as_deref().unwrap_or("")),
            date_sampled.as_deref().unwrap_or(""),
            &guard(row.verification_code.as_deref().unwrap_or("")),
            &guard(row.correction_of.as_deref().unwrap_or("")),
        ];
        self.out.write_record(fields).map_err(from_csv)?;
        self.written += 1;
        Ok(RowOutcome::Written)
    }

    /// How many rows were written.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Flushes and hands back the output.
    pub fn finish(self) -> Result<W, ExportError> {
        self.out
            .into_inner()
            .map_err(|e| ExportError::Io(e.into_error()))
    }
}

impl<W: Write> ResultsWriter for CsvWriter<W> {
    fn write_row(&mut self, row: &ResultRow) -> Result<RowOutcome, ExportError> {
        CsvWriter::write_row(self, row)
    }

    fn finish(self: Box<Self>) -> Result<super::ExportSummary, ExportError> {
        let written = self.written;
        CsvWriter::finish(*self)?;
        Ok(super::ExportSummary {
            written,
            left_out: 0,
        })
    }
}

/// A CSV writer with the settings every Attest CSV uses.
pub(super) fn csv_writer<W: Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(out)
}

pub(super) fn iso_date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

pub(super) fn from_csv(error: csv::Error) -> ExportError {
    match error.into_kind() {
        csv::ErrorKind::Io(io) => ExportError::Io(io),
        other => ExportError::Io(std::io::Error::other(format!("{other:?}"))),
    }
}

/// Characters that make a spreadsheet treat a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether a spreadsheet would run `text` as a formula once leading apostrophes are taken off.
fn looks_like_formula(text: &str) -> bool {
    text.trim_start_matches('\'')
        .starts_with(FORMULA_STARTS.as_slice())
}

/// Text as written to a CSV cell: text a spreadsheet would run as a formula (`=HYPERLINK(…)` in a
/// name) gets a leading apostrophe, which spreadsheets show as text. [`unguard`] undoes it exactly,
/// because text that already starts with apostrophes before a formula character gets one more.
pub(super) fn guard(text: &str) -> Cow<'_, str> {
    if looks_like_formula(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Undoes [`guard`].
pub(super) fn unguard(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if looks_like_formula(rest) => rest,
        _ => text,
    }
}

/// Reads a results CSV written by [`CsvWriter`], one row at a time. The header must be exactly
/// [`RESULT_COLUMNS`].
pub fn read_csv<R: Read>(input: R) -> Result<CsvRows<R>, ExportError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(input);
    let header = reader.headers().map_err(|e| parse_error(1, e))?;
    if header.iter().ne(RESULT_COLUMNS) {
        return Err(ExportError::Parse {
            line: 1,
            reason: format!(
                "the header is not the results columns ({})",
                RESULT_COLUMNS.join(",")
            ),
        });
    }
    Ok(CsvRows {
        records: reader.into_records(),
    })
}

/// Rows read back from a results CSV; see [`read_csv`].
pub struct CsvRows<R: Read> {
    records: csv::StringRecordsIntoIter<R>,
}

impl<R: Read> Iterator for CsvRows<R> {
    type Item = Result<ResultRow, ExportError>;

    fn next(&mut self) -> Option<Self::Item> {
        let record = self.records.next()?;
        Some(
            record
                .map_err(|e| parse_error(0, e))
                .and_then(|r| row_from(&r)),
        )
    }
}

fn parse_error(fallback_line: u64, error: csv::Error) -> ExportError {
    let line = error.position().map_or(fallback_line, |p| p.line());
    ExportError::Parse {
        line,
        reason: error.to_string(),
    }
}

fn row_from(record: &csv::StringRecord) -> Result<ResultRow, ExportError> {
    let line = record.position().map_or(0, |p| p.line());
    let fail = |reason: String| ExportError::Parse { line, reason };
    if record.len() != RESULT_COLUMNS.len() {
        return Err(fail(format!(
            "{} fields, expected {}",
            record.len(),
            RESULT_COLUMNS.len()
        )));
    }
    let field = |i: usize| record.get(i).unwrap_or_default();
    let text = |i: usize| unguard(field(i)).to_owned();
    let optional = |i: usize| Some(text(i)).filter(|s| !s.is_empty());
    let column = |i: usize| RESULT_COLUMNS[i];
    let number = |i: usize| -> Result<Option<u64>, ExportError> {
        Some(field(i))
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<u64>())
            .transpose()
            .map_err(|_| {
                fail(format!(
                    "{} `{}` is not a whole number",
                    column(i),
                    field(i)
                ))
            })
    };
    let date = |i: usize| -> Result<Option<NaiveDate>, ExportError> {
        Some(field(i))
            .filter(|s| !s.is_empty())
            .map(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d"))
            .transpose()
            .map_err(|_| {
                fail(format!(
                    "{} `{}` is not a YYYY-MM-DD date",
                    column(i),
                    field(i)
                ))
            })
    };

    let version = number(6)?
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| fail(format!("standard_version `{}` is not a version", field(6))))?;
    let level_value = number(8)?
        .map(|v| u8::try_from(v).map_err(|_| fail(format!("level `{v}` is out of range"))))
        .transpose()?;
    let credits = Some(field(10))
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<f64>())
        .transpose()
        .map_err(|_| fail(format!("credits `{}` is not a number", field(10))))?;
    let result = UnitResult::parse(field(11)).ok_or_else(|| {
        fail(format!(
            "result `{}` is neither achieved nor not_yet_achieved",
            field(11)
        ))
    })?;
    Ok(ResultRow {
        candidate_id: text(0),
        candidate_name: text(1),
        learner_number: learner_number(optional(2), optional(3)).map_err(fail)?,
        framework: text(4),
        standard_code: text(5),
        standard_version: version,
        standard_title: text(7),
        level: unit_level(level_value, optional(9)).map_err(fail)?,
        credits,
        result,
        date_achieved: date(12)?,
        assessor_name: text(13),
        iv_name: optional(14),
        date_sampled: date(15)?,
        verification_code: optional(16),
        correction_of: optional(17),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_round_trips_and_disarms_formulas() {
        for text in [
            "plain", "=1+1", "'=1+1", "''@x", "'quoted", "-5", "", "'", "\tx",
        ] {
            let guarded = guard(text);
            assert!(!guarded.starts_with(FORMULA_STARTS.as_slice()), "{text:?}");
            assert_eq!(unguard(&guarded), text, "{text:?}");
        }
        assert_eq!(guard("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(guard("Tāne"), "Tāne");
    }
}
