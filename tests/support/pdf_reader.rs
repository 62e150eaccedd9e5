//! Reads a PDF back the way a person or a phone would, in-process: the text of each page (through
//! each font's ToUnicode map, with `lopdf`), the page sizes and fonts, and the QR codes drawn on a
//! page (its filled rectangles painted into a bitmap and scanned with `rqrr`). No system tools.

use lopdf::{Document, Encoding, Object, ObjectId};

/// A parsed PDF.
pub struct Pdf {
    doc: Document,
}

/// A4 in points, as printed in a page's MediaBox.
pub const A4: (f32, f32) = (595.28, 841.89);

/// Pixels per point when a page is painted for the QR scan: a 2.4 pt module becomes ~7 px.
const SCALE: f32 = 3.0;

impl Pdf {
    /// Parses `bytes`; panics with the parser's reason when they are not a PDF.
    pub fn parse(bytes: &[u8]) -> Self {
        let doc = Document::load_mem(bytes).unwrap_or_else(|e| panic!("not a readable PDF: {e}"));
        Self { doc }
    }

    fn page_ids(&self) -> Vec<ObjectId> {
        self.doc.get_pages().into_values().collect()
    }

    /// The number of pages.
    pub fn page_count(&self) -> usize {
        self.page_ids().len()
    }

    /// The text of every page in content order, one string per page, whitespace collapsed to
    /// single spaces. Separately positioned pieces of text are separated by a space.
    pub fn pages(&self) -> Vec<String> {
        self.page_ids()
            .into_iter()
            .map(|id| collapse(&self.page_text(id)))
            .collect()
    }

    /// The text of the whole document, pages joined by a space.
    pub fn text(&self) -> String {
        self.pages().join(" ")
    }

    fn page_text(&self, page: ObjectId) -> String {
        let fonts = self
            .doc
            .get_page_fonts(page)
            .unwrap_or_else(|e| panic!("page fonts: {e}"));
        let content = self
            .doc
            .get_and_decode_page_content(page)
            .unwrap_or_else(|e| panic!("page content: {e}"));
        let mut encoding: Option<Encoding<'_>> = None;
        let mut text = String::new();
        for op in &content.operations {
            match op.operator.as_str() {
                "Tf" => {
                    let name = op.operands[0].as_name().expect("Tf names a font");
                    let font = fonts
                        .get(name)
                        .unwrap_or_else(|| panic!("font {name:?} not in the page resources"));
                    encoding = Some(
                        font.get_font_encoding(&self.doc)
                            .unwrap_or_else(|e| panic!("font encoding: {e}")),
                    );
                }
                "BT" | "ET" | "Tm" | "Td" | "TD" | "T*" => text.push('\n'),
                "Tj" | "'" | "\"" | "TJ" => {
                    let encoding = encoding.as_ref().expect("text shown before any Tf");
                    for string in shown_strings(&op.operands) {
                        let decoded = Document::decode_text(encoding, string)
                            .unwrap_or_else(|e| panic!("undecodable text: {e}"));
                        text.push_str(&decoded);
                    }
                }
                _ => {}
            }
        }
        text
    }

    /// Each page's MediaBox as (width, height) in points.
    pub fn page_sizes(&self) -> Vec<(f32, f32)> {
        self.page_ids()
            .into_iter()
            .map(|id| {
                let page = self.doc.get_dictionary(id).expect("page dictionary");
                let rect = page
                    .get(b"MediaBox")
                    .and_then(Object::as_array)
                    .expect("MediaBox on each page");
                let n: Vec<f32> = rect
                    .iter()
                    .map(|v| v.as_float().expect("MediaBox numbers"))
                    .collect();
                (n[2] - n[0], n[3] - n[1])
            })
            .collect()
    }

    /// The BaseFont name of every font the pages use (sorted, unique), e.g.
    /// `ATTREG+DejaVuSans`: a `+` marks a subset.
    pub fn font_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .page_ids()
            .into_iter()
            .flat_map(|id| {
                let fonts = self.doc.get_page_fonts(id).expect("page fonts");
                fonts
                    .values()
                    .map(|font| {
                        let name = font
                            .get(b"BaseFont")
                            .and_then(Object::as_name)
                            .expect("BaseFont");
                        String::from_utf8_lossy(name).into_owned()
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// The contents of every QR code found on page `number` (1-based): the page's filled
    /// rectangles are painted in their fill colours on white and the bitmap scanned.
    pub fn qr_codes(&self, number: usize) -> Vec<String> {
        let id = self.page_ids()[number - 1];
        let (width, height) = self.page_sizes()[number - 1];
        let (w, h) = ((width * SCALE) as usize, (height * SCALE) as usize);
        let mut bitmap = vec![255u8; w * h];
        let content = self
            .doc
            .get_and_decode_page_content(id)
            .expect("page content");
        let mut grey = 0u8;
        let mut pending: Vec<[f32; 4]> = Vec::new();
        for op in &content.operations {
            let numbers = || -> Vec<f32> {
                op.operands
                    .iter()
                    .map(|v| v.as_float().expect("numeric operand"))
                    .collect()
            };
            match op.operator.as_str() {
                "rg" => {
                    let c = numbers();
                    grey = (255.0 * (0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2])) as u8;
                }
                "g" => grey = (255.0 * numbers()[0]) as u8,
                "re" => {
                    let r = numbers();
                    pending.push([r[0], r[1], r[2], r[3]]);
                }
                "f" | "F" | "f*" => {
                    for [x, y, rw, rh] in pending.drain(..) {
                        paint(&mut bitmap, (w, h), height, [x, y, rw, rh], grey);
                    }
                }
                "n" | "S" => pending.clear(),
                _ => {}
            }
        }
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| bitmap[y * w + x]);
        image
            .detect_grids()
            .into_iter()
            .map(|grid| {
                grid.decode()
                    .unwrap_or_else(|e| panic!("a QR code that does not decode: {e}"))
                    .1
            })
            .collect()
    }
}

/// Paints the rectangle (PDF coordinates, y up) into the bitmap (y down).
fn paint(
    bitmap: &mut [u8],
    (w, h): (usize, usize),
    page_height: f32,
    [x, y, rw, rh]: [f32; 4],
    grey: u8,
) {
    let (x0, x1) = (x.min(x + rw), x.max(x + rw));
    let (y0, y1) = (y.min(y + rh), y.max(y + rh));
    let px = |v: f32, limit: usize| ((v * SCALE).round().max(0.0) as usize).min(limit);
    let (left, right) = (px(x0, w), px(x1, w));
    let (top, bottom) = (px(page_height - y1, h), px(page_height - y0, h));
    for row in top..bottom {
        bitmap[row * w + left..row * w + right].fill(grey);
    }
}

/// The string operands of a text-showing operator (`TJ` arrays mix strings and kerning).
fn shown_strings(operands: &[Object]) -> Vec<&[u8]> {
    operands
        .iter()
        .flat_map(|operand| match operand {
            Object::Array(items) => items
                .iter()
                .filter_map(|i| i.as_str().ok())
                .collect::<Vec<_>>(),
            other => other.as_str().ok().into_iter().collect(),
        })
        .collect()
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
