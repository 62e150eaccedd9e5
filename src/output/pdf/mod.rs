//! PDF statements of competence: `render(&StatementView) -> bytes`, pure.
//!
//! The caller fills a [`StatementView`] and keeps one [`FontSet`] for the process; [`render`]
//! lays the statement out on A4 pages and writes a PDF that is byte-identical for the same
//! view and fonts (fixed font ids, file id and dates taken from the view). Fonts are subset so
//! a statement stays small. Characters no font can draw are shown as U+FFFD and listed in
//! [`RenderedStatement::missing_chars`] for the admin.

mod attachment;
mod canvas;
mod error;
mod fonts;
mod layout;
mod qr;
mod statement;
mod table;
mod view;

use std::io::Write;

use flate2::Compression;
use flate2::write::ZlibEncoder;
use printpdf::{
    Op, PdfDocument, PdfDocumentInfo, PdfFont, PdfFontHandle, PdfMetadata, PdfPage, PdfSaveOptions,
    PdfWarnMsg,
};

pub use attachment::{Attachment, ReadError, attachments};
pub use error::PdfError;
pub use fonts::{FontSet, Fonts};
pub use view::{
    CandidateView, CriterionView, DatedFieldView, EvidenceView, LabelledValue, OrganisationView,
    OutcomeView, SignOffView, StatementView, UnitView, content_hash,
};

use canvas::Canvas;
use fonts::Slot;
use layout::Shaper;
use qr::QrModules;

/// A written statement and the characters that no font could draw.
#[derive(Clone, Debug)]
pub struct RenderedStatement {
    /// The PDF file.
    pub bytes: Vec<u8>,
    /// Characters of the view drawn as U+FFFD because no font has them (sorted, unique).
    /// Non-empty means an admin should add a fallback font that covers them.
    pub missing_chars: Vec<char>,
}

/// Renders the statement of competence for `view` with `fonts`.
pub fn render(view: &StatementView, fonts: &FontSet) -> Result<RenderedStatement, PdfError> {
    render_with(view, fonts, &[])
}

/// Renders the statement with `files` embedded (the signed credential and the audit checkpoint).
pub fn render_with(
    view: &StatementView,
    fonts: &FontSet,
    files: &[Attachment<'_>],
) -> Result<RenderedStatement, PdfError> {
    let qr = QrModules::encode(&view.verification_url)?;
    let hash = content_hash(view);
    let mut canvas = Canvas::new(Shaper::new(fonts));
    statement::compose(view, &hash, &qr, &mut canvas);
    let (pages, shaper) = canvas.into_pages();
    let document = document(view, pages, fonts);
    let bytes = write(&document, &hash, files)?;
    Ok(RenderedStatement {
        bytes,
        missing_chars: shaper.into_missing(),
    })
}

/// The characters of `view` no font in `fonts` can draw (sorted, unique): the statement laid out
/// but not written, so an issuer can record them without writing the PDF.
pub fn missing_chars(view: &StatementView, fonts: &FontSet) -> Result<Vec<char>, PdfError> {
    let qr = QrModules::encode(&view.verification_url)?;
    let mut canvas = Canvas::new(Shaper::new(fonts));
    statement::compose(view, &content_hash(view), &qr, &mut canvas);
    let (_, shaper) = canvas.into_pages();
    Ok(shaper.into_missing())
}

fn document(view: &StatementView, pages: Vec<PdfPage>, fonts: &FontSet) -> PdfDocument {
    let issued = issued_timestamp(view);
    let mut document = PdfDocument::new("");
    document.metadata = PdfMetadata {
        info: PdfDocumentInfo {
            document_title: format!(
                "Statement of competence: {}, {} {}",
                view.candidate.name, view.unit.code, view.unit.title
            ),
            author: view.organisation.name.clone(),
            creator: "Attest".to_string(),
            producer: "Attest (printpdf)".to_string(),
            subject: format!("Verification code {}", view.verification_code),
            identifier: view.verification_code.clone(),
            creation_date: issued,
            modification_date: issued,
            metadata_date: issued,
            ..PdfDocumentInfo::default()
        },
        xmp: None,
    };
    // Embed only the fonts the pages use: an unused fallback font would add nothing but bytes.
    for slot in Slot::ALL {
        let used = pages.iter().flat_map(|p| &p.ops).any(|op| {
            matches!(op, Op::SetFont { font: PdfFontHandle::External(id), .. } if *id == slot.font_id())
        });
        if let (true, Some(font)) = (used, fonts.font(slot)) {
            document
                .resources
                .fonts
                .map
                .insert(slot.font_id(), PdfFont::new(font.clone()));
        }
    }
    document.pages = pages;
    document
}

/// Midnight UTC of the issue date, so the PDF's dates come from the view, not the clock.
fn issued_timestamp(view: &StatementView) -> printpdf::OffsetDateTime {
    let seconds = view
        .issued
        .and_time(chrono::NaiveTime::MIN)
        .and_utc()
        .timestamp();
    printpdf::OffsetDateTime::from_unix_timestamp(seconds)
        .unwrap_or_else(|_| PdfDocumentInfo::default().creation_date)
}

/// Serialises with subset fonts and compressed streams. printpdf gives every file a random
/// /ID; it is replaced by part of the content hash so equal inputs give equal bytes.
fn write(
    document: &PdfDocument,
    hash: &str,
    files: &[Attachment<'_>],
) -> Result<Vec<u8>, PdfError> {
    let options = PdfSaveOptions {
        optimize: true,
        subset_fonts: true,
        secure: true,
        image_optimization: None,
    };
    let mut warnings: Vec<PdfWarnMsg> = Vec::new();
    let mut lopdf = document.to_lopdf_document(&options, &mut warnings);
    let file_id = hash
        .as_bytes()
        .get(..32)
        .unwrap_or(hash.as_bytes())
        .to_vec();
    let ids = lopdf
        .trailer
        .get_mut(b"ID")
        .and_then(|id| id.as_array_mut())
        .map_err(|e| PdfError::Write(format!("no file identifier to fix: {e}")))?;
    for id in ids.iter_mut() {
        let bytes = id
            .as_str_mut()
            .map_err(|e| PdfError::Write(format!("file identifier is not a string: {e}")))?;
        bytes.clone_from(&file_id);
    }
    attachment::embed(&mut lopdf, files)?;
    // lopdf's own `compress` deflates at the best (slowest) level, which was half the render
    // time; the fast level renders about three times faster for ~25% more bytes (a
    // 30-criterion statement: 58 KB instead of 46 KB).
    for object in lopdf.objects.values_mut() {
        if let Ok(stream) = object.as_stream_mut()
            && stream.allows_compression
            && stream.dict.get(b"Filter").is_err()
        {
            let compressed = deflate(&stream.content)?;
            if compressed.len() < stream.content.len() {
                stream.dict.set("Filter", "FlateDecode");
                stream.set_content(compressed);
            }
        }
    }
    let mut bytes = Vec::new();
    lopdf
        .save_to(&mut bytes)
        .map_err(|e| PdfError::Write(e.to_string()))?;
    Ok(bytes)
}

fn deflate(data: &[u8]) -> Result<Vec<u8>, PdfError> {
    let mut encoder = ZlibEncoder::new(Vec::with_capacity(data.len() / 2), Compression::fast());
    encoder
        .write_all(data)
        .and_then(|()| encoder.finish())
        .map_err(|e| PdfError::Write(format!("compressing a stream: {e}")))
}
