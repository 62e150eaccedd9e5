//! Measuring text with the fonts' glyph advances and breaking it into lines.
//!
//! printpdf places text but neither measures nor wraps it. Lines break at spaces; a word wider
//! than the line (a URL, a long name in a script without spaces) breaks between characters.

use std::collections::BTreeSet;

use super::fonts::{FontSet, Slot, Weight};

/// An RGB colour, each channel 0.0–1.0.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Rgb(pub f32, pub f32, pub f32);

/// How a run of text is set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Style {
    pub weight: Weight,
    pub size: f32,
    pub color: Rgb,
}

impl Style {
    pub(crate) const fn new(weight: Weight, size: f32, color: Rgb) -> Self {
        Self {
            weight,
            size,
            color,
        }
    }

    /// Baseline-to-baseline distance for this size.
    pub(crate) fn leading(&self) -> f32 {
        self.size * 1.3
    }
}

/// One drawn character with its font and advance in points.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Glyph {
    pub slot: Slot,
    pub ch: char,
    pub advance: f32,
}

/// A laid-out line: its glyphs and total width in points.
#[derive(Clone, Debug, Default)]
pub(crate) struct Line {
    pub glyphs: Vec<Glyph>,
    pub width: f32,
}

impl Line {
    fn push_all(&mut self, glyphs: &[Glyph]) {
        self.width += glyphs.iter().map(|g| g.advance).sum::<f32>();
        self.glyphs.extend_from_slice(glyphs);
    }

    /// Consecutive glyphs sharing a font, each with its x offset from the line start.
    pub(crate) fn runs(&self) -> Vec<(f32, Slot, String)> {
        let mut runs: Vec<(f32, Slot, String)> = Vec::new();
        let mut x = 0.0;
        for glyph in &self.glyphs {
            match runs.last_mut() {
                Some((_, slot, text)) if *slot == glyph.slot => text.push(glyph.ch),
                _ => runs.push((x, glyph.slot, glyph.ch.to_string())),
            }
            x += glyph.advance;
        }
        runs
    }
}

/// Turns text into measured glyphs, remembering every character no font could draw.
pub(crate) struct Shaper<'f> {
    fonts: &'f FontSet,
    missing: BTreeSet<char>,
}

impl<'f> Shaper<'f> {
    pub(crate) fn new(fonts: &'f FontSet) -> Self {
        Self {
            fonts,
            missing: BTreeSet::new(),
        }
    }

    /// The characters no font had, sorted and unique.
    pub(crate) fn into_missing(self) -> Vec<char> {
        self.missing.into_iter().collect()
    }

    /// Glyphs for `text` without breaking it; whitespace becomes a single space each.
    pub(crate) fn shape(&mut self, text: &str, style: &Style) -> Vec<Glyph> {
        text.chars()
            .map(|ch| if ch.is_whitespace() { ' ' } else { ch })
            .map(|ch| {
                let placed = self.fonts.place(ch, style.weight);
                if placed.missing {
                    self.missing.insert(ch);
                }
                Glyph {
                    slot: placed.slot,
                    ch: placed.ch,
                    advance: placed.advance_em * style.size,
                }
            })
            .collect()
    }

    /// Width of `text` on one line, in points.
    pub(crate) fn width(&mut self, text: &str, style: &Style) -> f32 {
        self.shape(text, style).iter().map(|g| g.advance).sum()
    }

    /// `text` as one unbroken line.
    pub(crate) fn line(&mut self, text: &str, style: &Style) -> Line {
        let mut line = Line::default();
        line.push_all(&self.shape(text, style));
        line
    }

    /// Breaks `text` into lines no wider than `max_width`. Newlines start a new line; runs of
    /// other whitespace collapse to one space. Empty text gives no lines.
    pub(crate) fn wrap(&mut self, text: &str, style: &Style, max_width: f32) -> Vec<Line> {
        let space = self.shape(" ", style);
        let space_width: f32 = space.iter().map(|g| g.advance).sum();
        let mut lines = Vec::new();
        for paragraph in text.trim_end().split('\n') {
            let mut line = Line::default();
            for word in paragraph.split_whitespace() {
                let glyphs = self.shape(word, style);
                let width: f32 = glyphs.iter().map(|g| g.advance).sum();
                if !line.glyphs.is_empty() && line.width + space_width + width <= max_width {
                    line.push_all(&space);
                    line.push_all(&glyphs);
                    continue;
                }
                if !line.glyphs.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                for piece in break_word(&glyphs, max_width) {
                    if !line.glyphs.is_empty() {
                        lines.push(std::mem::take(&mut line));
                    }
                    line.push_all(piece);
                }
            }
            lines.push(line);
        }
        while lines.first().is_some_and(|l| l.glyphs.is_empty()) {
            lines.remove(0);
        }
        lines
    }
}

/// Splits a word's glyphs into pieces that each fit `max_width` (at least one glyph a piece).
fn break_word(glyphs: &[Glyph], max_width: f32) -> Vec<&[Glyph]> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut width = 0.0;
    for (i, glyph) in glyphs.iter().enumerate() {
        if i > start && width + glyph.advance > max_width {
            pieces.push(&glyphs[start..i]);
            start = i;
            width = 0.0;
        }
        width += glyph.advance;
    }
    if start < glyphs.len() {
        pieces.push(&glyphs[start..]);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: Style = Style::new(Weight::Regular, 10.0, Rgb(0.0, 0.0, 0.0));

    fn text_of(line: &Line) -> String {
        line.glyphs.iter().map(|g| g.ch).collect()
    }

    #[test]
    fn wrapped_lines_fit_and_keep_every_word_in_order() {
        let fonts = FontSet::builtin().unwrap();
        let mut shaper = Shaper::new(&fonts);
        let text = "Identify options for dealing with the complaint and the advantages and \
                    disadvantages of each for the customer and the organisation.";
        let lines = shaper.wrap(text, &BODY, 150.0);
        assert!(lines.len() > 2, "{} lines", lines.len());
        for line in &lines {
            assert!(
                line.width <= 150.0,
                "line {:?} is {} wide",
                text_of(line),
                line.width
            );
        }
        let joined: Vec<String> = lines.iter().map(text_of).collect();
        assert_eq!(joined.join(" "), text);
    }

    #[test]
    fn widths_come_from_the_font_advances() {
        let fonts = FontSet::builtin().unwrap();
        let mut shaper = Shaper::new(&fonts);
        let narrow = shaper.width("iiii", &BODY);
        let wide = shaper.width("WWWW", &BODY);
        assert!(wide > 2.0 * narrow, "W {wide} vs i {narrow}");
        let bold = Style::new(Weight::Bold, 10.0, BODY.color);
        assert!(shaper.width("Mahuta", &bold) > shaper.width("Mahuta", &BODY));
        assert!(
            (shaper.width("Zoë", &BODY) * 2.0 - shaper.width("Zoë", &Style { size: 20.0, ..BODY }))
                .abs()
                < 0.01
        );
    }

    #[test]
    fn a_word_longer_than_the_line_breaks_between_characters() {
        let fonts = FontSet::builtin().unwrap();
        let mut shaper = Shaper::new(&fonts);
        let url = "https://attest.example.org/verify/ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        let lines = shaper.wrap(url, &BODY, 80.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.width <= 80.0));
        assert_eq!(lines.iter().map(text_of).collect::<String>(), url);
    }

    #[test]
    fn newlines_start_new_lines_and_missing_characters_are_remembered() {
        let fonts = FontSet::builtin().unwrap();
        let mut shaper = Shaper::new(&fonts);
        let lines = shaper.wrap("first\nsecond \u{13000}", &BODY, 400.0);
        assert_eq!(
            lines.iter().map(text_of).collect::<Vec<_>>(),
            ["first", "second \u{FFFD}"]
        );
        assert_eq!(shaper.into_missing(), vec!['\u{13000}']);
    }
}
