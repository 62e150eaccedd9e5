//! Tables whose rows wrap, break across pages and repeat their header on each new page.

use super::canvas::{Canvas, RULE, baseline_in};
use super::layout::{Line, Rgb, Style};

const PAD_X: f32 = 5.0;
const PAD_Y: f32 = 4.0;

/// One cell's text and how it is set.
pub(crate) struct Cell<'a> {
    pub text: &'a str,
    pub style: Style,
}

/// Column layout and header of a table starting at `x`.
pub(crate) struct Table<'a> {
    /// Repeated with "(continued)" above the header on each further page.
    pub title: &'a str,
    pub title_style: Style,
    pub x: f32,
    pub widths: &'a [f32],
    pub header: &'a [&'a str],
    pub header_style: Style,
    pub header_fill: Rgb,
}

impl Table<'_> {
    fn width(&self) -> f32 {
        self.widths.iter().sum()
    }

    /// Draws the header row, keeping it with at least `keep` points of the first row.
    pub(crate) fn header(&self, canvas: &mut Canvas<'_>, keep: f32) {
        let lines = self.wrap_cells(canvas, &self.header_cells());
        let height = lines_height(&lines, &self.header_style) + 2.0 * PAD_Y;
        canvas.ensure(height + keep);
        canvas.rect(self.x, canvas.y, self.width(), height, self.header_fill);
        self.draw_cells(canvas, &lines, &self.header_cells(), canvas.y + PAD_Y);
        canvas.y += height;
    }

    /// Draws a row; moves it whole to the next page when it does not fit here but would there,
    /// and splits it line by line only when it is taller than a page.
    pub(crate) fn row(&self, canvas: &mut Canvas<'_>, cells: &[Cell<'_>], fill: Option<Rgb>) {
        let mut lines = self.wrap_cells(canvas, cells);
        let full = rows_height(&lines, cells) + 2.0 * PAD_Y;
        if full > canvas.remaining() && full <= canvas.page_body_height() - 40.0 {
            self.continue_on_new_page(canvas);
        }
        loop {
            let room = canvas.remaining() - 2.0 * PAD_Y;
            let taken = take_fitting(&mut lines, cells, room);
            if taken.iter().all(Vec::is_empty) && lines.iter().any(|l| !l.is_empty()) {
                self.continue_on_new_page(canvas);
                continue;
            }
            let height = rows_height(&taken, cells) + 2.0 * PAD_Y;
            if let Some(color) = fill {
                canvas.rect(self.x, canvas.y, self.width(), height, color);
            }
            self.draw_cells(canvas, &taken, cells, canvas.y + PAD_Y);
            canvas.y += height;
            canvas.rect(self.x, canvas.y - 0.5, self.width(), 0.5, RULE);
            if lines.iter().all(Vec::is_empty) {
                return;
            }
            self.continue_on_new_page(canvas);
        }
    }

    /// A row spanning every column, e.g. an outcome's title above its criteria.
    pub(crate) fn band(
        &self,
        canvas: &mut Canvas<'_>,
        text: &str,
        style: Style,
        fill: Rgb,
        keep: f32,
    ) {
        let lines = canvas.shaper.wrap(text, &style, self.width() - 2.0 * PAD_X);
        let height = lines.len() as f32 * style.leading() + 2.0 * PAD_Y;
        if height + keep > canvas.remaining() {
            self.continue_on_new_page(canvas);
        }
        canvas.rect(self.x, canvas.y, self.width(), height, fill);
        let mut top = canvas.y + PAD_Y;
        for line in &lines {
            canvas.text_line(line, self.x + PAD_X, baseline_in(top, &style), &style);
            top += style.leading();
        }
        canvas.y += height;
    }

    fn continue_on_new_page(&self, canvas: &mut Canvas<'_>) {
        canvas.new_page();
        let title = format!("{} (continued)", self.title);
        canvas.paragraph(&title, self.x, self.width(), &self.title_style);
        canvas.y += 3.0;
        self.header(canvas, 0.0);
    }

    fn header_cells(&self) -> Vec<Cell<'_>> {
        self.header
            .iter()
            .map(|text| Cell {
                text,
                style: self.header_style,
            })
            .collect()
    }

    fn wrap_cells(&self, canvas: &mut Canvas<'_>, cells: &[Cell<'_>]) -> Vec<Vec<Line>> {
        cells
            .iter()
            .zip(self.widths)
            .map(|(cell, width)| {
                canvas
                    .shaper
                    .wrap(cell.text, &cell.style, width - 2.0 * PAD_X)
            })
            .collect()
    }

    fn draw_cells(
        &self,
        canvas: &mut Canvas<'_>,
        lines: &[Vec<Line>],
        cells: &[Cell<'_>],
        top: f32,
    ) {
        let mut x = self.x;
        for ((cell_lines, cell), width) in lines.iter().zip(cells).zip(self.widths) {
            let mut line_top = top;
            for line in cell_lines {
                canvas.text_line(
                    line,
                    x + PAD_X,
                    baseline_in(line_top, &cell.style),
                    &cell.style,
                );
                line_top += cell.style.leading();
            }
            x += width;
        }
    }
}

fn lines_height(lines: &[Vec<Line>], style: &Style) -> f32 {
    lines.iter().map(Vec::len).max().unwrap_or(0) as f32 * style.leading()
}

fn rows_height(lines: &[Vec<Line>], cells: &[Cell<'_>]) -> f32 {
    lines
        .iter()
        .zip(cells)
        .map(|(l, c)| l.len() as f32 * c.style.leading())
        .fold(0.0, f32::max)
}

/// Removes from the front of each cell the lines that fit in `room` and returns them.
fn take_fitting(lines: &mut [Vec<Line>], cells: &[Cell<'_>], room: f32) -> Vec<Vec<Line>> {
    lines
        .iter_mut()
        .zip(cells)
        .map(|(cell_lines, cell)| {
            let fit =
                ((room / cell.style.leading()).floor().max(0.0) as usize).min(cell_lines.len());
            cell_lines.drain(..fit).collect()
        })
        .collect()
}
