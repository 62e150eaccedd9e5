//! What goes where on a statement of competence: header, facts, wording, the criteria met,
//! the evidence index, the sign-off block, comments, verification, and the page footers.

mod certificate;
mod confirmation;
mod record;

use chrono::NaiveDate;

use super::canvas::{CONTENT_WIDTH, Canvas, MARGIN_X, PAGE_HEIGHT, RULE};
use super::fonts::Weight::{Bold, Regular};
use super::layout::{Rgb, Style};
use super::qr::QrModules;
use super::table::Table;
use super::view::StatementView;

const INK: Rgb = Rgb(0.11, 0.13, 0.16);
const MUTED: Rgb = Rgb(0.38, 0.42, 0.47);
const ACCENT: Rgb = Rgb(0.05, 0.27, 0.42);
const BAND: Rgb = Rgb(0.94, 0.955, 0.97);
const HEAD_FILL: Rgb = Rgb(0.85, 0.895, 0.93);

const ORG: Style = Style::new(Bold, 11.0, ACCENT);
const ORG_IDS: Style = Style::new(Regular, 8.0, MUTED);
const TITLE: Style = Style::new(Bold, 22.0, INK);
const UNIT_LINE: Style = Style::new(Bold, 12.0, ACCENT);
const LABEL: Style = Style::new(Regular, 7.0, MUTED);
const VALUE: Style = Style::new(Regular, 10.0, INK);
const NAME: Style = Style::new(Bold, 12.5, INK);
const WORDING: Style = Style::new(Regular, 10.0, INK);
const SECTION: Style = Style::new(Bold, 12.0, ACCENT);
const CONTINUED: Style = Style::new(Bold, 9.5, ACCENT);
const CELL: Style = Style::new(Regular, 8.5, INK);
const CELL_BOLD: Style = Style::new(Bold, 8.5, INK);
const CELL_MUTED: Style = Style::new(Regular, 8.0, MUTED);
const TABLE_HEAD: Style = Style::new(Bold, 7.5, INK);
const OUTCOME: Style = Style::new(Bold, 9.0, ACCENT);
const HASH: Style = Style::new(Regular, 8.0, INK);
const NOTE: Style = Style::new(Regular, 7.5, MUTED);
const FOOTER: Style = Style::new(Regular, 7.5, MUTED);

const QR_SIZE: f32 = 78.0;

/// Lays the whole statement out on `canvas`.
pub(crate) fn compose(view: &StatementView, hash: &str, qr: &QrModules, canvas: &mut Canvas<'_>) {
    let running_head = format!(
        "Statement of competence — {} — {}",
        view.candidate.name, view.unit.code
    );
    let running_head = fit(canvas, &running_head, CONTENT_WIDTH, &FOOTER);
    canvas.set_running_head(running_head, FOOTER);
    // The first page reads as the certificate: who, which unit, the confirmation and its
    // signatures, how to verify. The criteria and evidence that back it follow.
    certificate::header(view, qr, canvas);
    certificate::facts(view, canvas);
    certificate::wording(view, canvas);
    confirmation::sign_off(view, canvas);
    confirmation::comments(view, canvas);
    confirmation::verification(view, hash, canvas);
    record::criteria(view, canvas);
    record::evidence_index(view, canvas);
    footers(view, canvas);
}

fn section(canvas: &mut Canvas<'_>, title: &str, keep: f32) {
    canvas.ensure(SECTION.leading() + 6.0 + keep);
    canvas.paragraph(title, MARGIN_X, CONTENT_WIDTH, &SECTION);
    canvas.rect(MARGIN_X, canvas.y + 1.0, CONTENT_WIDTH, 0.75, ACCENT);
    canvas.y += 6.0;
}

fn table<'a>(title: &'a str, widths: &'a [f32], header: &'a [&'a str]) -> Table<'a> {
    Table {
        title,
        title_style: CONTINUED,
        x: MARGIN_X,
        widths,
        header,
        header_style: TABLE_HEAD,
        header_fill: HEAD_FILL,
    }
}

fn footers(view: &StatementView, canvas: &mut Canvas<'_>) {
    let count = canvas.page_count();
    let rule_top = PAGE_HEIGHT - 44.0;
    let baseline = rule_top + 13.0;
    let left = format!(
        "{} · {} · Verification code {}",
        view.candidate.name, view.unit.code, view.verification_code
    );
    let left = fit(canvas, &left, CONTENT_WIDTH - 80.0, &FOOTER);
    for page in 0..count {
        canvas.fixed_rect(page, MARGIN_X, rule_top, CONTENT_WIDTH, 0.5, RULE);
        canvas.fixed_text(page, &left, MARGIN_X, baseline, false, &FOOTER);
        let number = format!("Page {} of {}", page + 1, count);
        canvas.fixed_text(
            page,
            &number,
            MARGIN_X + CONTENT_WIDTH,
            baseline,
            true,
            &FOOTER,
        );
    }
}

/// `text` shortened with an ellipsis until it fits `width` on one line.
fn fit(canvas: &mut Canvas<'_>, text: &str, width: f32, style: &Style) -> String {
    let glyphs = canvas.shaper.shape(text, style);
    if glyphs.iter().map(|g| g.advance).sum::<f32>() <= width {
        return text.to_string();
    }
    let room = width - canvas.shaper.width("…", style);
    let mut used = 0.0;
    // The shaper gives one glyph per character, so a glyph count is a character count.
    let keep = glyphs
        .iter()
        .take_while(|g| {
            used += g.advance;
            used <= room
        })
        .count();
    let kept: String = text.chars().take(keep).collect();
    format!("{}…", kept.trim_end())
}

fn long_date(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

fn short_date(date: NaiveDate) -> String {
    date.format("%-d %b %Y").to_string()
}
