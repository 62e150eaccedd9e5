//! The fonts a statement is set in, and which of them draws each character.
//!
//! DejaVu Sans (regular and bold) ships inside the binary and covers Latin, Greek and Cyrillic.
//! A provider may add one fallback font (`ATTEST_PDF_FONT`, e.g. a CJK face) for characters
//! DejaVu lacks. A character no font has is drawn as U+FFFD and reported, never dropped.

use printpdf::{FontId, ParsedFont, PdfFontParseWarning};

use super::error::PdfError;

const DEJAVU_SANS: &[u8] = include_bytes!("../../../static/fonts/DejaVuSans.ttf");
const DEJAVU_SANS_BOLD: &[u8] = include_bytes!("../../../static/fonts/DejaVuSans-Bold.ttf");

/// What a character is drawn in when no font has it.
const REPLACEMENT: char = '\u{FFFD}';

/// The weight text is set in; the fallback font serves both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

/// One of the (at most three) fonts embedded in a statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Slot {
    Regular,
    Bold,
    Fallback,
}

impl Slot {
    pub(crate) const ALL: [Slot; 3] = [Slot::Regular, Slot::Bold, Slot::Fallback];

    /// Fixed resource names keep the output byte-identical; their first six letters are also
    /// the subset tag printpdf writes before the font name.
    pub(crate) fn font_id(self) -> FontId {
        FontId(
            match self {
                Slot::Regular => "ATTREG",
                Slot::Bold => "ATTBLD",
                Slot::Fallback => "ATTFBK",
            }
            .to_string(),
        )
    }
}

/// How one character of the input is drawn.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Placed {
    pub slot: Slot,
    /// The character drawn: the input character, or U+FFFD when no font has it.
    pub ch: char,
    /// Horizontal advance in em.
    pub advance_em: f32,
    /// True when no font has the input character.
    pub missing: bool,
}

struct LoadedFont {
    parsed: ParsedFont,
    units_per_em: f32,
}

impl LoadedFont {
    fn parse(bytes: &[u8], which: &'static str) -> Result<Self, PdfError> {
        let mut warnings: Vec<PdfFontParseWarning> = Vec::new();
        let parsed = ParsedFont::from_bytes(bytes, 0, &mut warnings).ok_or_else(|| {
            let reason = warnings
                .iter()
                .map(|w| format!("{w:?}"))
                .collect::<Vec<_>>()
                .join("; ");
            PdfError::Font {
                which,
                reason: if reason.is_empty() {
                    "unrecognised font data".to_string()
                } else {
                    reason
                },
            }
        })?;
        let units_per_em = f32::from(parsed.pdf_font_metrics.units_per_em.max(1));
        Ok(Self {
            parsed,
            units_per_em,
        })
    }

    /// Glyph 0 is `.notdef`: a font "has" a character only when it maps it elsewhere.
    fn glyph(&self, ch: char) -> Option<u16> {
        self.parsed
            .lookup_glyph_index(ch as u32)
            .filter(|gid| *gid != 0)
    }

    fn advance_em(&self, gid: u16) -> f32 {
        f32::from(self.parsed.get_horizontal_advance(gid)) / self.units_per_em
    }
}

/// The fonts statements are set in: DejaVu Sans built in, plus an optional fallback font.
///
/// Parse it once at start-up and share it; rendering only reads it.
pub struct FontSet {
    regular: LoadedFont,
    bold: LoadedFont,
    fallback: Option<LoadedFont>,
}

impl FontSet {
    /// DejaVu Sans regular and bold, embedded in the binary.
    pub fn builtin() -> Result<FontSet, PdfError> {
        Ok(FontSet {
            regular: LoadedFont::parse(DEJAVU_SANS, "DejaVu Sans")?,
            bold: LoadedFont::parse(DEJAVU_SANS_BOLD, "DejaVu Sans Bold")?,
            fallback: None,
        })
    }

    /// DejaVu Sans plus a provider's font (TrueType/OpenType bytes, e.g. the file named by
    /// `ATTEST_PDF_FONT`) used for the characters DejaVu lacks.
    pub fn with_fallback(bytes: Vec<u8>) -> Result<FontSet, PdfError> {
        let mut fonts = FontSet::builtin()?;
        fonts.fallback = Some(LoadedFont::parse(&bytes, "fallback font")?);
        Ok(fonts)
    }

    /// The characters of `text` that no font in the set can draw (sorted, unique), so a caller
    /// can warn before rendering. Whitespace is never reported.
    pub fn uncovered(&self, text: &str) -> Vec<char> {
        let mut missing: Vec<char> = text
            .chars()
            .filter(|ch| !ch.is_whitespace())
            .filter(|ch| self.place(*ch, Weight::Regular).missing)
            .collect();
        missing.sort_unstable();
        missing.dedup();
        missing
    }

    /// Chooses the font for `ch`: the DejaVu face of the wanted weight, else the fallback font,
    /// else U+FFFD in the DejaVu face.
    pub(crate) fn place(&self, ch: char, weight: Weight) -> Placed {
        let (primary, slot) = match weight {
            Weight::Regular => (&self.regular, Slot::Regular),
            Weight::Bold => (&self.bold, Slot::Bold),
        };
        if let Some(gid) = primary.glyph(ch) {
            return Placed {
                slot,
                ch,
                advance_em: primary.advance_em(gid),
                missing: false,
            };
        }
        if let Some(font) = &self.fallback
            && let Some(gid) = font.glyph(ch)
        {
            return Placed {
                slot: Slot::Fallback,
                ch,
                advance_em: font.advance_em(gid),
                missing: false,
            };
        }
        let advance_em = primary
            .glyph(REPLACEMENT)
            .map_or(0.6, |gid| primary.advance_em(gid));
        Placed {
            slot,
            ch: REPLACEMENT,
            advance_em,
            missing: true,
        }
    }

    /// The parsed font behind a slot; `None` for the fallback slot when there is none.
    pub(crate) fn font(&self, slot: Slot) -> Option<&ParsedFont> {
        match slot {
            Slot::Regular => Some(&self.regular.parsed),
            Slot::Bold => Some(&self.bold.parsed),
            Slot::Fallback => self.fallback.as_ref().map(|f| &f.parsed),
        }
    }
}

/// The statement fonts as the service keeps them: parsed when a PDF is first drawn. Parsed, the
/// two DejaVu faces hold about 3 MB of heap (and page in the font bytes and the parser's code);
/// a service that draws no statement for hours should not carry them from the start.
#[derive(Debug)]
pub struct Fonts {
    /// The provider's fallback font (`ATTEST_PDF_FONT`), checked when it was read.
    fallback: Option<Vec<u8>>,
    parsed: std::sync::OnceLock<FontSet>,
}

impl Fonts {
    /// The fonts `ATTEST_PDF_FONT` names (DejaVu Sans alone when it names none). A fallback font
    /// file that cannot be read or is not a font is refused now, not at the first statement.
    pub fn load(pdf_font: Option<&std::path::Path>) -> Result<Self, PdfError> {
        let fallback = match pdf_font {
            None => None,
            Some(path) => {
                let bytes = std::fs::read(path).map_err(|e| PdfError::FontFile {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                })?;
                LoadedFont::parse(&bytes, "fallback font")?;
                Some(bytes)
            }
        };
        Ok(Self {
            fallback,
            parsed: std::sync::OnceLock::new(),
        })
    }

    /// The parsed set, parsed now if this is the first use.
    pub fn get(&self) -> Result<&FontSet, PdfError> {
        if let Some(set) = self.parsed.get() {
            return Ok(set);
        }
        let set = parse(self.fallback.as_deref())?;
        // Two first uses at once both parse; one set is kept.
        Ok(self.parsed.get_or_init(|| set))
    }

    /// The parsed set, owned: for a command that draws its statements at once.
    pub fn into_set(self) -> Result<FontSet, PdfError> {
        match self.parsed.into_inner() {
            Some(set) => Ok(set),
            None => parse(self.fallback.as_deref()),
        }
    }
}

fn parse(fallback: Option<&[u8]>) -> Result<FontSet, PdfError> {
    match fallback {
        None => FontSet::builtin(),
        Some(bytes) => FontSet::with_fallback(bytes.to_vec()),
    }
}

impl std::fmt::Debug for FontSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FontSet")
            .field("fallback", &self.fallback.is_some())
            .finish()
    }
}
