//! What can go wrong while loading fonts or writing a statement.

/// An error from the PDF renderer.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// A font's bytes could not be read as a TrueType or OpenType font.
    #[error("{which} is not a usable TrueType/OpenType font: {reason}")]
    Font {
        /// Which font, e.g. "fallback font".
        which: &'static str,
        /// What the font parser reported.
        reason: String,
    },
    /// A font file could not be read.
    #[error("{path}: {reason}")]
    FontFile {
        /// The file.
        path: String,
        /// Why it could not be read.
        reason: String,
    },
    /// The verification URL does not fit in a QR code.
    #[error("verification URL cannot be drawn as a QR code: {0}")]
    QrCode(String),
    /// The PDF writer failed.
    #[error("could not write the PDF: {0}")]
    Write(String),
}
