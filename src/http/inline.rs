//! Showing evidence in the page: which stored types a browser may render inline, and the byte
//! ranges a media player asks for when it seeks.
//!
//! Only content that cannot run script in Attest's origin is served inline: raster images, audio,
//! video and PDF (the browser's own viewer). The type is the one detected from the content when the
//! file was stored, never the name or the client's word, and every response carries `nosniff`.
//! Anything else — office documents, text, an image type browsers do not show — stays a download.

use std::ops::Range;

/// Whether a stored file of `content_type` may be shown inline.
pub fn is_safe_inline(content_type: &str) -> bool {
    matches!(
        content_type,
        "image/png" | "image/jpeg" | "image/gif" | "image/webp" | "application/pdf"
    ) || content_type.starts_with("audio/")
        || content_type.starts_with("video/")
}

/// How the page shows a stored file: `image`, `audio`, `video`, `pdf`, or `file` (a download).
pub fn shown_as(content_type: &str) -> &'static str {
    if !is_safe_inline(content_type) {
        "file"
    } else if content_type.starts_with("image/") {
        "image"
    } else if content_type.starts_with("audio/") {
        "audio"
    } else if content_type.starts_with("video/") {
        "video"
    } else {
        "pdf"
    }
}

/// What a `Range` header asks of a file of `size` bytes.
#[derive(Debug, PartialEq, Eq)]
pub enum Wanted {
    /// The whole file (no header, or one this server does not honour, such as several ranges).
    Whole,
    /// One satisfiable range.
    Part(Range<u64>),
    /// A range past the end: 416.
    Unsatisfiable,
}

/// Reads a `Range` header: one range of bytes (`bytes=a-b`, `bytes=a-`, `bytes=-n`). A header
/// this server does not understand is ignored, as RFC 9110 allows, and the whole file is sent.
pub fn wanted(header: Option<&str>, size: u64) -> Wanted {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return Wanted::Whole;
    };
    if spec.contains(',') {
        return Wanted::Whole;
    }
    let Some((first, last)) = spec.split_once('-') else {
        return Wanted::Whole;
    };
    let number = |s: &str| s.trim().parse::<u64>().ok();
    let range = match (first.trim().is_empty(), last.trim().is_empty()) {
        // The last n bytes.
        (true, false) => match number(last) {
            Some(0) => return Wanted::Unsatisfiable,
            Some(n) => size.saturating_sub(n)..size,
            None => return Wanted::Whole,
        },
        (false, true) => match number(first) {
            Some(start) => start..size,
            None => return Wanted::Whole,
        },
        (false, false) => match (number(first), number(last)) {
            (Some(start), Some(end)) if start <= end => start..end.saturating_add(1).min(size),
            _ => return Wanted::Whole,
        },
        (true, true) => return Wanted::Whole,
    };
    if range.start >= size {
        Wanted::Unsatisfiable
    } else {
        Wanted::Part(range)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_types_that_cannot_script_are_inline() {
        for safe in [
            "image/png",
            "image/jpeg",
            "audio/mpeg",
            "video/mp4",
            "application/pdf",
        ] {
            assert!(is_safe_inline(safe), "{safe}");
        }
        for download in [
            "image/svg+xml",
            "text/html",
            "text/plain; charset=utf-8",
            "application/msword",
            "image/tiff",
            "application/vnd.oasis.opendocument.text",
        ] {
            assert!(!is_safe_inline(download), "{download}");
            assert_eq!(shown_as(download), "file");
        }
        assert_eq!(shown_as("audio/x-wav"), "audio");
        assert_eq!(shown_as("application/pdf"), "pdf");
    }

    #[test]
    fn ranges_read_as_rfc_9110_says() {
        assert_eq!(wanted(None, 100), Wanted::Whole);
        assert_eq!(wanted(Some("bytes=0-9"), 100), Wanted::Part(0..10));
        assert_eq!(wanted(Some("bytes=90-"), 100), Wanted::Part(90..100));
        assert_eq!(wanted(Some("bytes=-10"), 100), Wanted::Part(90..100));
        assert_eq!(wanted(Some("bytes=-500"), 100), Wanted::Part(0..100));
        assert_eq!(wanted(Some("bytes=50-500"), 100), Wanted::Part(50..100));
        assert_eq!(wanted(Some("bytes=100-"), 100), Wanted::Unsatisfiable);
        assert_eq!(wanted(Some("bytes=-0"), 100), Wanted::Unsatisfiable);
        assert_eq!(wanted(Some("bytes=0-1,5-6"), 100), Wanted::Whole);
        assert_eq!(wanted(Some("bytes=9-1"), 100), Wanted::Whole);
        assert_eq!(wanted(Some("items=0-1"), 100), Wanted::Whole);
        assert_eq!(wanted(Some("bytes=x-1"), 100), Wanted::Whole);
    }
}
