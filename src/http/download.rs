//! Sending a file made for one download (a results file, badges, a portfolio archive): it is
//! written to a scratch file first, so the database connection is given back before the client
//! reads a byte and a failure is a proper error status, not a cut-short body. Then it is streamed
//! in 64 KiB chunks through a bounded channel: a slow client slows the reading, memory stays flat.

use std::io::{Read, Seek};

use actix_web::HttpResponse;
use actix_web::body::SizedStream;
use actix_web::http::header;
use actix_web::web::Bytes;

use super::ApiError;
use crate::exports::scratch::ScratchFile;

/// Bytes handed to the client per chunk.
const CHUNK: usize = 64 * 1024;

/// A finished file in its scratch file, ready to send.
pub struct Download {
    /// The file; removed once sent, or when the client goes away.
    pub scratch: ScratchFile,
    /// The name offered to the client.
    pub file_name: String,
    /// Its media type.
    pub media_type: &'static str,
    /// SHA-256 of the bytes, sent as `X-Content-SHA256` when known.
    pub sha256: Option<String>,
}

/// Streams `download`, then removes its scratch file (also when the client goes away: the next
/// send fails and the reading thread drops the file).
pub fn send(download: Download) -> Result<HttpResponse, ApiError> {
    let size = size_of(&download.scratch)?;
    let mut response = HttpResponse::Ok();
    response
        .insert_header((header::CONTENT_TYPE, download.media_type))
        .insert_header(attachment(&download.file_name));
    if let Some(sha256) = download.sha256 {
        response.insert_header(("X-Content-SHA256", sha256));
    }
    Ok(response.body(stream(download.scratch, 0..size)))
}

/// Sends `download` to be shown in the browser (`Content-Disposition: inline`), honouring one
/// byte range (`range`, the request's `Range` header) for a media player that seeks: 206 with
/// `Content-Range`, or 416 past the end. The caller has checked the type is safe to show.
pub fn send_inline(download: Download, range: Option<&str>) -> Result<HttpResponse, ApiError> {
    let size = size_of(&download.scratch)?;
    let (mut response, part) = match super::inline::wanted(range, size) {
        super::inline::Wanted::Whole => (HttpResponse::Ok(), 0..size),
        super::inline::Wanted::Part(part) => {
            let mut partial = HttpResponse::PartialContent();
            partial.insert_header((
                header::CONTENT_RANGE,
                format!("bytes {}-{}/{size}", part.start, part.end - 1),
            ));
            (partial, part)
        }
        super::inline::Wanted::Unsatisfiable => {
            return Ok(HttpResponse::RangeNotSatisfiable()
                .insert_header((header::CONTENT_RANGE, format!("bytes */{size}")))
                .finish());
        }
    };
    response
        .insert_header((header::CONTENT_TYPE, download.media_type))
        .insert_header(header::ContentDisposition {
            disposition: header::DispositionType::Inline,
            parameters: attachment(&download.file_name).parameters,
        })
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"));
    if let Some(sha256) = download.sha256 {
        response.insert_header(("X-Content-SHA256", sha256));
    }
    Ok(response.body(stream(download.scratch, part)))
}

fn size_of(scratch: &ScratchFile) -> Result<u64, ApiError> {
    Ok(scratch
        .file()
        .metadata()
        .map_err(|e| ApiError::Internal(format!("download: {e}")))?
        .len())
}

/// The bytes `range` of the scratch file, read in chunks on a blocking thread through a bounded
/// channel; the file is removed when the reading ends.
fn stream(
    scratch: ScratchFile,
    range: std::ops::Range<u64>,
) -> SizedStream<impl futures_util::Stream<Item = Result<Bytes, std::io::Error>>> {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let length = range.end.saturating_sub(range.start);
    actix_web::rt::task::spawn_blocking(move || {
        let mut buffer = vec![0; CHUNK];
        let mut file = scratch.file();
        if let Err(err) = file.seek(std::io::SeekFrom::Start(range.start)) {
            let _ = tx.blocking_send(Err(err));
            return;
        }
        let mut left = length;
        while left > 0 {
            let want = usize::try_from(left).map_or(CHUNK, |l| l.min(CHUNK));
            match file.read(&mut buffer[..want]) {
                Ok(0) => break,
                Ok(read) => {
                    left -= read as u64;
                    let chunk = Bytes::copy_from_slice(&buffer[..read]);
                    if tx.blocking_send(Ok(chunk)).is_err() {
                        break; // the client went away
                    }
                }
                Err(err) => {
                    tracing::error!(%err, path = %scratch.path().display(), "download failed");
                    let _ = tx.blocking_send(Err(err));
                    break;
                }
            }
        }
        drop(scratch);
    });
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    SizedStream::new(length, body)
}

/// `Content-Disposition: attachment` with the name in UTF-8 (`filename*`) and an ASCII fallback
/// for clients that read only `filename` (candidates' names are often not ASCII).
pub fn attachment(file_name: &str) -> header::ContentDisposition {
    let ascii: String = file_name
        .chars()
        .map(|c| if c.is_ascii() { c } else { '_' })
        .collect();
    header::ContentDisposition {
        disposition: header::DispositionType::Attachment,
        parameters: vec![
            header::DispositionParam::Filename(ascii),
            header::DispositionParam::FilenameExt(header::ExtendedValue {
                charset: header::Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: file_name.as_bytes().to_vec(),
            }),
        ],
    }
}
