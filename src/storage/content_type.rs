//! What an upload holds, read from its first bytes (never from its name), against the allowlist.

use super::StorageError;

/// The MIME type of the content, if it is one Attest accepts as evidence.
pub fn detect(head: &[u8]) -> Result<String, StorageError> {
    if let Some(kind) = infer::get(head) {
        let mime = kind.mime_type();
        let accepted = matches!(
            kind.matcher_type(),
            infer::MatcherType::Image
                | infer::MatcherType::Audio
                | infer::MatcherType::Video
                | infer::MatcherType::Doc
        ) || mime == "application/pdf"
            || mime == "application/rtf"
            || mime.starts_with("application/vnd.oasis.opendocument");
        return if accepted {
            Ok(mime.to_owned())
        } else {
            Err(StorageError::Refused(mime.to_owned()))
        };
    }
    if looks_like_text(head) {
        return Ok("text/plain; charset=utf-8".into());
    }
    Err(StorageError::Refused("unrecognised binary".into()))
}

/// UTF-8 (a character may be cut at the end of the sample) without control bytes other than white space.
fn looks_like_text(head: &[u8]) -> bool {
    let valid = match std::str::from_utf8(head) {
        Ok(text) => text,
        Err(e) if e.error_len().is_none() => match std::str::from_utf8(&head[..e.valid_up_to()]) {
            Ok(text) => text,
            Err(_) => return false,
        },
        Err(_) => return false,
    };
    !valid
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_read_from_content_not_names() {
        assert_eq!(detect(b"%PDF-1.7\n...").unwrap(), "application/pdf");
        assert_eq!(
            detect(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap(),
            "image/png"
        );
        assert!(
            detect("Kia ora, Tāne\n".as_bytes())
                .unwrap()
                .starts_with("text/plain")
        );
        assert!(matches!(
            detect(b"MZ\x90\0\x03\0\0\0\x04\0"),
            Err(StorageError::Refused(_))
        ));
        assert!(matches!(
            detect(b"\x7fELF\x02\x01\x01\0"),
            Err(StorageError::Refused(_))
        ));
        assert!(matches!(
            detect(&[0u8, 1, 2, 3, 255, 254]),
            Err(StorageError::Refused(_))
        ));
    }
}
