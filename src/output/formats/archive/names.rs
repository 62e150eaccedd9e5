//! Names of files inside an archive: safe on every unzip tool and file system.

/// Longest kept part of an original file name, in characters.
const MAX_NAME_CHARS: usize = 100;

/// Where a file with `sha256` and original `name` lives in the archive:
/// `files/<sha256>-<sanitised name>`.
pub fn archive_path(sha256: &str, name: &str) -> String {
    format!("files/{sha256}-{}", sanitise(name))
}

/// The last part of `name` with only letters, digits and `. - _ ( ) , +` and spaces kept (others
/// become `_`), without leading dots or trailing dots and spaces (which Windows drops), at most
/// 100 characters; `file` when nothing is left.
pub fn sanitise(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let kept: String = base
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '(' | ')' | ',' | '+' | ' ') {
                c
            } else {
                '_'
            }
        })
        .take(MAX_NAME_CHARS)
        .collect();
    let trimmed = kept
        .trim_start_matches(['.', ' '])
        .trim_end_matches(['.', ' ']);
    if trimmed.is_empty() {
        "file".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// `path` as an `href`: every byte outside `A-Z a-z 0-9 - . _ ~ /` percent-encoded.
pub fn href(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Whether `text` is a SHA-256 written as 64 lowercase hex digits.
pub fn is_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_folders_and_unsafe_characters() {
        assert_eq!(sanitise("../../etc/passwd"), "passwd");
        assert_eq!(sanitise("C:\\Users\\x\\call log.pdf"), "call log.pdf");
        assert_eq!(sanitise("..hidden."), "hidden");
        assert_eq!(sanitise("a<b>:c?.txt"), "a_b__c_.txt");
        assert_eq!(
            sanitise("Tāne Mahuta — notes.docx"),
            "Tāne Mahuta _ notes.docx"
        );
        assert_eq!(sanitise("///"), "file");
        assert_eq!(sanitise(&"x".repeat(300)).chars().count(), 100);
    }

    #[test]
    fn hrefs_are_percent_encoded() {
        assert_eq!(href("files/ab-a b.pdf"), "files/ab-a%20b.pdf");
        assert_eq!(href("files/ā"), "files/%C4%81");
    }
}
