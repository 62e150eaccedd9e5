//! A stored report's bytes: the JSON as the API sends it, and gzip of it for clients that take
//! gzip — or, once the JSON passes [`GZIP_FROM`], gzip alone.
//!
//! The report's text repeats itself (criterion ids, reasons, labels) and gzip makes it a sixth to
//! an eighth of its size (each record's random id is what does not compress). A client that polls a
//! portfolio's progress — a browser, an HTTP library — takes gzip: the demo portfolio's 33 KB
//! report goes to it as about 5 KB, compressed once when the portfolio changed rather than on
//! every read. Reports below the threshold, nearly all of them, are kept as JSON too: a client
//! without gzip gets them without any work, and they stay readable in the database.
//!
//! A portfolio of thousands of records has a report of tens of megabytes (about 1.6 KB a record in
//! both views). Kept twice, or kept as JSON, every refresh of it held SQLite's single write turn
//! while tens of megabytes were written (every other write of the service waiting), and held the
//! whole JSON and SQLite's copy of it in memory at once. So a large report is compressed while it
//! is written — the JSON is never whole in memory — and kept as gzip alone.

use std::borrow::Cow;
use std::io::{self, Read, Write};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

/// Reports of this many bytes of JSON or more are kept as gzip alone.
pub const GZIP_FROM: usize = 1 << 20;

/// What a stored report's bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportBody {
    /// A report under [`GZIP_FROM`]: the JSON as the API sends it, and gzip of the same JSON.
    Both {
        /// The JSON.
        json: String,
        /// Gzip of it.
        gzip: Vec<u8>,
    },
    /// A report of [`GZIP_FROM`] bytes or more: gzip of its JSON alone.
    Gzip(Vec<u8>),
}

impl ReportBody {
    /// The stored columns: (`progress`, `progress_gzip`); `progress` is empty when the report is
    /// kept as gzip alone (a report's JSON is never empty).
    pub fn into_columns(self) -> (String, Option<Vec<u8>>) {
        match self {
            ReportBody::Both { json, gzip } => (json, Some(gzip)),
            ReportBody::Gzip(gzip) => (String::new(), Some(gzip)),
        }
    }
}

/// Whether a report stored as the columns `json` and `gzip` (see [`ReportBody::into_columns`]) is
/// kept as gzip alone: its JSON column is then empty, as a report's JSON never is.
pub fn gzip_alone(json: &str, gzip: Option<&[u8]>) -> bool {
    json.is_empty() && gzip.is_some()
}

/// The JSON of a report stored as the columns `json` and `gzip` (see
/// [`ReportBody::into_columns`]): `json` when it is kept, else `gzip` unpacked.
pub fn json_of<'a>(json: &'a str, gzip: Option<&[u8]>) -> io::Result<Cow<'a, str>> {
    match gzip {
        Some(packed) if gzip_alone(json, gzip) => {
            let mut text = String::new();
            GzDecoder::new(packed).read_to_string(&mut text)?;
            Ok(Cow::Owned(text))
        }
        _ => Ok(Cow::Borrowed(json)),
    }
}

/// A gzip encoder of the speed every stored report is compressed at: a report is compressed on
/// every change of its portfolio, and the fastest level already takes it to a sixth.
fn encoder(capacity: usize) -> GzEncoder<Vec<u8>> {
    GzEncoder::new(Vec::with_capacity(capacity), Compression::fast())
}

/// Takes a report's JSON as it is written and keeps it plain, or switches to gzip once `limit`
/// bytes have come.
pub struct Sink {
    limit: usize,
    json: Vec<u8>,
    // Buffered: the serialiser writes a token at a time, and compressing each alone is slow.
    gzip: Option<io::BufWriter<GzEncoder<Vec<u8>>>>,
    written: usize,
}

impl Sink {
    /// A sink that switches to gzip at `limit` bytes ([`GZIP_FROM`] for stored reports).
    pub fn new(limit: usize) -> Self {
        Self {
            limit,
            json: Vec::new(),
            gzip: None,
            written: 0,
        }
    }

    /// Bytes of JSON written so far.
    pub fn written(&self) -> usize {
        self.written
    }

    /// The body: the JSON and gzip of it, or the finished gzip stream alone.
    pub fn finish(self) -> io::Result<ReportBody> {
        match self.gzip {
            None => {
                let mut gzip = encoder(self.json.len() / 4);
                gzip.write_all(&self.json)?;
                let gzip = gzip.finish()?;
                let json = String::from_utf8(self.json)
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
                Ok(ReportBody::Both { json, gzip })
            }
            Some(buffered) => {
                let encoder = buffered
                    .into_inner()
                    .map_err(io::IntoInnerError::into_error)?;
                encoder.finish().map(ReportBody::Gzip)
            }
        }
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.written += buf.len();
        if let Some(gzip) = &mut self.gzip {
            return gzip.write_all(buf).map(|()| buf.len());
        }
        self.json.extend_from_slice(buf);
        if self.json.len() >= self.limit {
            let mut gzip = io::BufWriter::with_capacity(64 * 1024, encoder(0));
            gzip.write_all(&std::mem::take(&mut self.json))?;
            self.gzip = Some(gzip);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through(limit: usize, text: &str) -> ReportBody {
        let mut sink = Sink::new(limit);
        for piece in text.as_bytes().chunks(7) {
            sink.write_all(piece).unwrap();
        }
        assert_eq!(sink.written(), text.len());
        sink.finish().unwrap()
    }

    fn unpacked(gzip: &[u8]) -> String {
        let mut text = String::new();
        GzDecoder::new(gzip).read_to_string(&mut text).unwrap();
        text
    }

    #[test]
    fn a_report_under_the_limit_is_kept_as_json_and_as_gzip_of_it() {
        let text = r#"{"claimed":{"evidence":[]}}"#;
        let ReportBody::Both { json, gzip } = through(1024, text) else {
            panic!("under the limit, both");
        };
        assert_eq!(json, text);
        assert_eq!(unpacked(&gzip), text);
        let (column, gzip_column) = ReportBody::Both { json, gzip }.into_columns();
        assert_eq!(json_of(&column, gzip_column.as_deref()).unwrap(), text);
        // A row stored before gzip copies were kept.
        assert_eq!(json_of(text, None).unwrap(), text);
    }

    #[test]
    fn a_report_past_the_limit_is_gzip_of_the_same_json_and_much_smaller() {
        let record = r#"{"id":"e1","label":"enquiry of 12 May","counts":true},"#;
        let text = format!("[{}]", record.repeat(2_000));
        let ReportBody::Gzip(gzip) = through(4096, &text) else {
            panic!("past the limit, gzip");
        };
        assert!(
            gzip.len() * 20 < text.len(),
            "{} of {}",
            gzip.len(),
            text.len()
        );
        let (json, column) = ReportBody::Gzip(gzip).into_columns();
        assert_eq!(json, "");
        assert_eq!(json_of(&json, column.as_deref()).unwrap(), text);
    }

    #[test]
    fn an_unreadable_gzip_column_is_an_error() {
        assert!(json_of("", Some(b"not gzip")).is_err());
    }
}
