//! A4 pages that fill top to bottom: a cursor, page breaks, and the marks drawn on each page.
//!
//! Marks use points measured down from the top edge; they become printpdf ops (which measure up
//! from the bottom) only in [`Canvas::into_pages`], once the page count is known for the footers.

use printpdf::{
    Color, Op, PaintMode, PdfFontHandle, PdfPage, Pt, Rect, TextItem, TextMatrix, WindingOrder,
};

use super::fonts::Slot;
use super::layout::{Line, Rgb, Shaper, Style};

/// A4 in points.
pub(crate) const PAGE_WIDTH: f32 = 595.28;
pub(crate) const PAGE_HEIGHT: f32 = 841.89;
pub(crate) const MARGIN_X: f32 = 48.0;
pub(crate) const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN_X;
const BODY_TOP: f32 = 46.0;
/// Where the body stops; the footer sits below.
const BODY_BOTTOM: f32 = PAGE_HEIGHT - 58.0;
/// Where continuation pages start their body, below the running head.
const CONTINUED_TOP: f32 = BODY_TOP + 26.0;

enum Mark {
    Rect {
        x: f32,
        top: f32,
        width: f32,
        height: f32,
        color: Rgb,
    },
    Text {
        x: f32,
        baseline: f32,
        slot: Slot,
        size: f32,
        color: Rgb,
        text: String,
    },
}

/// The pages laid out so far and the cursor on the last one.
pub(crate) struct Canvas<'f> {
    pub shaper: Shaper<'f>,
    pages: Vec<Vec<Mark>>,
    /// Distance of the cursor from the top of the current page.
    pub y: f32,
    running_head: Option<(String, Style)>,
}

impl<'f> Canvas<'f> {
    pub(crate) fn new(shaper: Shaper<'f>) -> Self {
        Self {
            shaper,
            pages: vec![Vec::new()],
            y: BODY_TOP,
            running_head: None,
        }
    }

    /// Text printed at the top of every page after the first, on one line as given.
    pub(crate) fn set_running_head(&mut self, text: String, style: Style) {
        self.running_head = Some((text, style));
    }

    pub(crate) fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Height left above the footer on the current page.
    pub(crate) fn remaining(&self) -> f32 {
        BODY_BOTTOM - self.y
    }

    /// Height a fresh page offers.
    pub(crate) fn page_body_height(&self) -> f32 {
        BODY_BOTTOM - CONTINUED_TOP
    }

    /// Starts a new page unless `height` still fits; returns whether it did. A fresh page is
    /// never left for another: what is taller than a page overflows rather than loop.
    pub(crate) fn ensure(&mut self, height: f32) -> bool {
        if height <= self.remaining() || self.y <= CONTINUED_TOP {
            return false;
        }
        self.new_page();
        true
    }

    pub(crate) fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = BODY_TOP;
        if let Some((text, style)) = self.running_head.clone() {
            let line = self.shaper.line(&text, &style);
            self.text_line(&line, MARGIN_X, self.y + style.size, &style);
            self.rect(
                MARGIN_X,
                self.y + style.leading() + 4.0,
                CONTENT_WIDTH,
                0.5,
                RULE,
            );
        }
        self.y = CONTINUED_TOP;
    }

    /// A filled rectangle; `top` is measured from the top of the page.
    pub(crate) fn rect(&mut self, x: f32, top: f32, width: f32, height: f32, color: Rgb) {
        self.current().push(Mark::Rect {
            x,
            top,
            width,
            height,
            color,
        });
    }

    /// Draws one laid-out line with its baseline `baseline` points below the top of the page.
    pub(crate) fn text_line(&mut self, line: &Line, x: f32, baseline: f32, style: &Style) {
        for (offset, slot, text) in line.runs() {
            self.current().push(Mark::Text {
                x: x + offset,
                baseline,
                slot,
                size: style.size,
                color: style.color,
                text,
            });
        }
    }

    /// Wraps `text` into `width` at `x` and flows it down from the cursor, breaking pages as
    /// needed. Moves the cursor below the text.
    pub(crate) fn paragraph(&mut self, text: &str, x: f32, width: f32, style: &Style) {
        for line in self.shaper.wrap(text, style, width) {
            self.ensure(style.leading());
            self.text_line(&line, x, baseline_in(self.y, style), style);
            self.y += style.leading();
        }
    }

    /// Draws `text` on page `page` (0-based) at a fixed position, right-aligned when `right`.
    pub(crate) fn fixed_text(
        &mut self,
        page: usize,
        text: &str,
        x: f32,
        baseline: f32,
        right: bool,
        style: &Style,
    ) {
        let line = self.shaper.line(text, style);
        let x = if right { x - line.width } else { x };
        let marks: Vec<Mark> = line
            .runs()
            .into_iter()
            .map(|(offset, slot, text)| Mark::Text {
                x: x + offset,
                baseline,
                slot,
                size: style.size,
                color: style.color,
                text,
            })
            .collect();
        if let Some(target) = self.pages.get_mut(page) {
            target.extend(marks);
        }
    }

    /// A filled rectangle on page `page` (0-based).
    pub(crate) fn fixed_rect(
        &mut self,
        page: usize,
        x: f32,
        top: f32,
        width: f32,
        height: f32,
        color: Rgb,
    ) {
        if let Some(target) = self.pages.get_mut(page) {
            target.push(Mark::Rect {
                x,
                top,
                width,
                height,
                color,
            });
        }
    }

    /// Converts the marks into printpdf pages: backgrounds first, then all text in one text
    /// object, so nothing painted later hides a glyph.
    pub(crate) fn into_pages(self) -> (Vec<PdfPage>, Shaper<'f>) {
        let pages = self.pages.iter().map(|marks| page_ops(marks)).collect();
        (pages, self.shaper)
    }

    fn current(&mut self) -> &mut Vec<Mark> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }
}

/// Colour of hairlines between rows and under headings.
pub(crate) const RULE: Rgb = Rgb(0.80, 0.83, 0.87);

/// Baseline of a line of `style` whose line box starts at `top`.
pub(crate) fn baseline_in(top: f32, style: &Style) -> f32 {
    top + style.size
}

fn page_ops(marks: &[Mark]) -> PdfPage {
    let mut ops = Vec::with_capacity(marks.len() * 3 + 2);
    let mut fill: Option<Rgb> = None;
    for mark in marks {
        if let Mark::Rect {
            x,
            top,
            width,
            height,
            color,
        } = mark
        {
            set_fill(&mut ops, &mut fill, *color);
            ops.push(Op::DrawRectangle {
                rectangle: Rect {
                    x: Pt(*x),
                    y: Pt(PAGE_HEIGHT - top - height),
                    width: Pt(*width),
                    height: Pt(*height),
                    mode: Some(PaintMode::Fill),
                    winding_order: Some(WindingOrder::NonZero),
                },
            });
        }
    }
    ops.push(Op::StartTextSection);
    let mut font: Option<(Slot, f32)> = None;
    for mark in marks {
        if let Mark::Text {
            x,
            baseline,
            slot,
            size,
            color,
            text,
        } = mark
        {
            set_fill(&mut ops, &mut fill, *color);
            if font != Some((*slot, *size)) {
                ops.push(Op::SetFont {
                    font: PdfFontHandle::External(slot.font_id()),
                    size: Pt(*size),
                });
                font = Some((*slot, *size));
            }
            ops.push(Op::SetTextMatrix {
                matrix: TextMatrix::Translate(Pt(*x), Pt(PAGE_HEIGHT - baseline)),
            });
            ops.push(Op::ShowText {
                items: vec![TextItem::Text(text.clone())],
            });
        }
    }
    ops.push(Op::EndTextSection);
    let a4 = Rect::from_wh(Pt(PAGE_WIDTH), Pt(PAGE_HEIGHT));
    PdfPage {
        media_box: a4.clone(),
        trim_box: a4.clone(),
        crop_box: a4,
        ops,
    }
}

fn set_fill(ops: &mut Vec<Op>, current: &mut Option<Rgb>, color: Rgb) {
    if *current == Some(color) {
        return;
    }
    ops.push(Op::SetFillColor {
        col: Color::Rgb(printpdf::Rgb {
            r: color.0,
            g: color.1,
            b: color.2,
            icc_profile: None,
        }),
    });
    *current = Some(color);
}
