//! The NZQA-ready results CSV: exactly what a provider reports per unit standard result (NSN,
//! standard number and version, credits, date achieved, grade) plus the provider's own references.
//! A generic CSV a provider's student management system can load, not NZQA's own batch file format.

use std::fmt;
use std::io::Write;

use super::csv_format::{csv_writer, from_csv, guard, iso_date};
use super::row::check_row;
use super::{
    ExportError, ExportSummary, LearnerNumberScheme, ResultRow, ResultsWriter, RowOutcome,
    UnitResult,
};

/// The columns of the NZQA-ready file, in order.
pub const NZQA_COLUMNS: [&str; 9] = [
    "nsn",
    "standard_number",
    "version",
    "credits",
    "date_achieved",
    "result",
    "provider_learner_id",
    "provider_reference",
    "correction_of",
];

/// The grade written for an achieved unit standard (NZQA's A; Attest does not grade Merit or
/// Excellence).
pub const NZQA_ACHIEVED: &str = "A";

/// The grade of a withdrawal line: a result reported as achieved that no longer stands (its
/// statement revoked, the enrolment withdrawn). It carries no date.
pub const NZQA_WITHDRAWN: &str = "W";

/// Why a row has no place in the NZQA file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeftOut {
    /// NZQA records achieved results; a result not yet achieved is not reported.
    NotAchieved,
    /// The standard belongs to another framework.
    NotNzqa,
    /// The candidate has no NSN recorded (an SCN does not count).
    NoNsn,
    /// The NSN is not a number of up to 10 digits.
    InvalidNsn,
    /// The standard's code is not an NZQA standard number (digits only).
    InvalidStandardNumber,
    /// The standard has no credit value.
    NoCredits,
}

impl fmt::Display for LeftOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LeftOut::NotAchieved => "the result is not yet achieved",
            LeftOut::NotNzqa => "the standard is not an NZQA standard",
            LeftOut::NoNsn => "the candidate has no NSN recorded",
            LeftOut::InvalidNsn => "the NSN is not a number of up to 10 digits",
            LeftOut::InvalidStandardNumber => "the standard code is not an NZQA standard number",
            LeftOut::NoCredits => "the standard has no credit value",
        })
    }
}

/// Writes the NZQA-ready CSV with a header of [`NZQA_COLUMNS`]; holds no rows. Rows that cannot be
/// reported to NZQA are left out, and [`NzqaCsvWriter::write_row`] says why.
pub struct NzqaCsvWriter<W: Write> {
    out: csv::Writer<W>,
    written: u64,
    left_out: u64,
}

impl<W: Write> NzqaCsvWriter<W> {
    /// Starts a file: writes the header row.
    pub fn new(out: W) -> Result<Self, ExportError> {
        let mut out = csv_writer(out);
        out.write_record(NZQA_COLUMNS).map_err(from_csv)?;
        Ok(Self {
            out,
            written: 0,
            left_out: 0,
        })
    }

    /// Writes one row, or leaves it out with the reason. Errors only for a self-contradicting row
    /// or a failed write.
    pub fn write_row(&mut self, row: &ResultRow) -> Result<RowOutcome, ExportError> {
        check_row(row, self.written + self.left_out + 1)?;
        let reportable = reportable(row);
        let (nsn, credits, date) = match reportable {
            Ok(fields) => fields,
            Err(reason) => {
                self.left_out += 1;
                return Ok(RowOutcome::LeftOut(reason));
            }
        };
        let version = row.standard_version.to_string();
        let credits = credits.to_string();
        let (date, grade) = match date {
            Some(date) => (iso_date(date), NZQA_ACHIEVED),
            None => (String::new(), NZQA_WITHDRAWN),
        };
        let fields: [&str; 9] = [
            nsn,
            row.standard_code.trim(),
            &version,
            &credits,
            &date,
            grade,
            &guard(&row.candidate_id),
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

    /// How many rows were left out.
    pub fn left_out(&self) -> u64 {
        self.left_out
    }

    /// Flushes and hands back the output.
    pub fn finish(self) -> Result<W, ExportError> {
        self.out
            .into_inner()
            .map_err(|e| ExportError::Io(e.into_error()))
    }
}

/// The NSN, credits and date of a row NZQA can take (no date: a withdrawal line), or why it
/// cannot. A result not yet achieved is written only as the correction of one reported before.
fn reportable(row: &ResultRow) -> Result<(&str, f64, Option<chrono::NaiveDate>), LeftOut> {
    let date = match (row.result, row.date_achieved) {
        (UnitResult::Achieved, Some(date)) => Some(date),
        _ if row.correction_of.is_some() => None,
        _ => return Err(LeftOut::NotAchieved),
    };
    if !row
        .framework
        .trim()
        .to_ascii_uppercase()
        .starts_with("NZQA")
    {
        return Err(LeftOut::NotNzqa);
    }
    let nsn = match &row.learner_number {
        Some(number) if number.scheme == LearnerNumberScheme::Nsn => number.value.trim(),
        _ => return Err(LeftOut::NoNsn),
    };
    if !is_digits(nsn, 10) {
        return Err(LeftOut::InvalidNsn);
    }
    if !is_digits(row.standard_code.trim(), 10) {
        return Err(LeftOut::InvalidStandardNumber);
    }
    let credits = row.credits.ok_or(LeftOut::NoCredits)?;
    Ok((nsn, credits, date))
}

fn is_digits(text: &str, max: usize) -> bool {
    !text.is_empty() && text.len() <= max && text.bytes().all(|b| b.is_ascii_digit())
}

impl<W: Write> ResultsWriter for NzqaCsvWriter<W> {
    fn write_row(&mut self, row: &ResultRow) -> Result<RowOutcome, ExportError> {
        NzqaCsvWriter::write_row(self, row)
    }

    fn finish(self: Box<Self>) -> Result<ExportSummary, ExportError> {
        let summary = ExportSummary {
            written: self.written,
            left_out: self.left_out,
        };
        NzqaCsvWriter::finish(*self)?;
        Ok(summary)
    }
}
