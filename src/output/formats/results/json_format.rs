//! Results as one JSON array of row objects, written incrementally: `[` first, one object per row,
//! `]` at [`JsonWriter::finish`]. The file is a valid JSON document only once finished.

use std::io::{BufWriter, Write};

use super::row::check_row;
use super::{ExportError, ExportSummary, ResultRow, ResultsWriter, RowOutcome};

/// Writes result rows as a JSON array of objects keyed by the result columns; holds no rows.
pub struct JsonWriter<W: Write> {
    out: BufWriter<W>,
    written: u64,
}

impl<W: Write> JsonWriter<W> {
    /// Starts the array.
    pub fn new(out: W) -> Result<Self, ExportError> {
        let mut out = BufWriter::with_capacity(64 * 1024, out);
        out.write_all(b"[")?;
        Ok(Self { out, written: 0 })
    }

    /// Writes one row (after checking it) as one line of the array.
    pub fn write_row(&mut self, row: &ResultRow) -> Result<RowOutcome, ExportError> {
        check_row(row, self.written + 1)?;
        let separator: &[u8] = if self.written == 0 { b"\n" } else { b",\n" };
        self.out.write_all(separator)?;
        serde_json::to_writer(&mut self.out, row).map_err(std::io::Error::from)?;
        self.written += 1;
        Ok(RowOutcome::Written)
    }

    /// How many rows were written.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Closes the array, flushes and hands back the output.
    pub fn finish(mut self) -> Result<W, ExportError> {
        self.out.write_all(b"\n]\n")?;
        self.out
            .into_inner()
            .map_err(|e| ExportError::Io(e.into_error()))
    }
}

impl<W: Write> ResultsWriter for JsonWriter<W> {
    fn write_row(&mut self, row: &ResultRow) -> Result<RowOutcome, ExportError> {
        JsonWriter::write_row(self, row)
    }

    fn finish(self: Box<Self>) -> Result<ExportSummary, ExportError> {
        let written = self.written;
        JsonWriter::finish(*self)?;
        Ok(ExportSummary {
            written,
            left_out: 0,
        })
    }
}
