//! A stored report's bytes: the JSON as it is, or — once it passes [`GZIP_FROM`] — gzip of it.
//!
//! A portfolio of thousands of records has a report of tens of megabytes (about 1.6 KB a record in
//! both views). Stored as it is, every refresh of it held SQLite's single write turn while tens of
//! megabytes were written (every other write of the service waiting), and held the whole JSON and
//! SQLite's copy of it in memory at once. The report's text repeats itself record after record and
//! gzip makes it a sixth or less (each record's random id is what does not compress): so a large report is compressed while it is written — the JSON
//! is never whole in memory — and sent as it is to clients that accept gzip (browsers and HTTP
//! libraries do). Reports under the threshold, nearly all of them, stay plain JSON: sent without
//! any work, and readable in the database.

use std::borrow::Cow;
use std::io::{self, Read, Write};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

/// Reports of this many bytes of JSON or more are kept as gzip.
pub const GZIP_FROM: usize = 1 << 20;

/// What a stored report's bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportBody {
    /// The JSON as the API sends it.
    Json(String),
    /// Gzip of that JSON.
    Gzip(Vec<u8>),
}

impl ReportBody {
    /// The stored columns: (`progress`, `progress_gzip`).
    pub fn into_columns(self) -> (String, Option<Vec<u8>>) {
        match self {
            ReportBody::Json(json) => (json, None),
            ReportBody::Gzip(gzip) => (String::new(), Some(gzip)),
        }
    }
}

/// The JSON of a report kept as `json` or, when `gzip` is set, as gzip.
pub fn json_of<'a>(json: &'a str, gzip: Option<&[u8]>) -> io::Result<Cow<'a, str>> {
    match gzip {
        None => Ok(Cow::Borrowed(json)),
        Some(gzip) => {
            let mut text = String::new();
            GzDecoder::new(gzip).read_to_string(&mut text)?;
            Ok(Cow::Owned(text))
        }
    }
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

    /// The body: plain JSON, or the finished gzip stream.
    pub fn finish(self) -> io::Result<ReportBody> {
        match self.gzip {
            None => String::from_utf8(self.json)
                .map(ReportBody::Json)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e)),
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
            let mut gzip = io::BufWriter::with_capacity(
                64 * 1024,
                GzEncoder::new(Vec::new(), Compression::fast()),
            );
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

    #[test]
    fn a_report_under_the_limit_stays_json() {
        let text = r#"{"claimed":{"evidence":[]}}"#;
        assert_eq!(through(1024, text), ReportBody::Json(text.to_owned()));
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
