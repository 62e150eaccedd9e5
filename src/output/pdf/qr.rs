//! The verification URL as a QR code, drawn as filled rectangles (no image needed).

use qrcode::{Color, EcLevel, QrCode};

use super::canvas::Canvas;
use super::error::PdfError;
use super::layout::Rgb;

/// The modules of the QR code for `url`: its width and the dark modules row by row.
pub(crate) struct QrModules {
    width: usize,
    dark: Vec<bool>,
}

impl QrModules {
    /// Medium error correction survives a crease or a smudge on a printed page.
    pub(crate) fn encode(url: &str) -> Result<Self, PdfError> {
        let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)
            .map_err(|e| PdfError::QrCode(e.to_string()))?;
        Ok(Self {
            width: code.width(),
            dark: code
                .to_colors()
                .into_iter()
                .map(|c| c == Color::Dark)
                .collect(),
        })
    }

    /// Draws the code in a `size`-point square whose top left is at (`x`, `top`). Adjacent dark
    /// modules of a row share one rectangle, which keeps the page's content stream short.
    /// The light quiet zone the code needs is the caller's to leave around the square.
    pub(crate) fn draw(&self, canvas: &mut Canvas<'_>, x: f32, top: f32, size: f32, color: Rgb) {
        let module = size / self.width as f32;
        for (row, cells) in self.dark.chunks(self.width).enumerate() {
            let mut col = 0;
            while col < cells.len() {
                if !cells[col] {
                    col += 1;
                    continue;
                }
                let start = col;
                while col < cells.len() && cells[col] {
                    col += 1;
                }
                canvas.rect(
                    x + start as f32 * module,
                    top + row as f32 * module,
                    (col - start) as f32 * module,
                    // A hair of overlap hides the seams some viewers show between rows.
                    module + 0.05,
                    color,
                );
            }
        }
    }
}
