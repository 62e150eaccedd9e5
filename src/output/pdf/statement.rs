//! What goes where on a statement of competence: header, facts, wording, the criteria met,
//! the evidence index, the sign-off block, comments, verification, and the page footers.

use chrono::NaiveDate;

use super::canvas::{CONTENT_WIDTH, Canvas, MARGIN_X, PAGE_HEIGHT, RULE, baseline_in};
use super::fonts::Weight::{Bold, Regular};
use super::layout::{Rgb, Style};
use super::qr::QrModules;
use super::table::{Cell, Table};
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
    header(view, qr, canvas);
    facts(view, canvas);
    wording(view, canvas);
    sign_off(view, canvas);
    comments(view, canvas);
    verification(view, hash, canvas);
    criteria(view, canvas);
    evidence_index(view, canvas);
    footers(view, canvas);
}

fn header(view: &StatementView, qr: &QrModules, canvas: &mut Canvas<'_>) {
    let qr_x = MARGIN_X + CONTENT_WIDTH - QR_SIZE;
    let qr_top = canvas.y - 4.0;
    qr.draw(canvas, qr_x, qr_top, QR_SIZE, INK);
    let caption = "Scan to verify";
    let caption_width = canvas.shaper.width(caption, &NOTE);
    let caption_line = canvas.shaper.line(caption, &NOTE);
    let caption_top = qr_top + QR_SIZE + 3.0;
    canvas.text_line(
        &caption_line,
        qr_x + (QR_SIZE - caption_width) / 2.0,
        baseline_in(caption_top, &NOTE),
        &NOTE,
    );

    let left_width = CONTENT_WIDTH - QR_SIZE - 18.0;
    canvas.paragraph(&view.organisation.name, MARGIN_X, left_width, &ORG);
    let ids: Vec<String> = view
        .organisation
        .ids
        .iter()
        .map(|id| format!("{} {}", id.label, id.value))
        .collect();
    canvas.paragraph(&ids.join("   ·   "), MARGIN_X, left_width, &ORG_IDS);
    canvas.y += 12.0;
    canvas.paragraph("Statement of competence", MARGIN_X, left_width, &TITLE);
    canvas.y += 2.0;
    let unit_line = format!("{}  {}", view.unit.code, view.unit.title);
    canvas.paragraph(&unit_line, MARGIN_X, left_width, &UNIT_LINE);

    canvas.y = canvas.y.max(caption_top + NOTE.leading()) + 8.0;
    canvas.rect(MARGIN_X, canvas.y, CONTENT_WIDTH, 2.0, ACCENT);
    canvas.y += 12.0;
}

/// Label-over-value boxes in rows, like the panels of a certificate.
fn facts(view: &StatementView, canvas: &mut Canvas<'_>) {
    let issued = long_date(view.issued);
    let mut first: Vec<(&str, &str, Style, f32)> =
        vec![("Candidate", &view.candidate.name, NAME, 0.5)];
    match &view.candidate.national_learner_number {
        Some(number) => {
            first.push((&number.label, &number.value, VALUE, 0.28));
            first.push(("Issued", &issued, VALUE, 0.22));
        }
        None => first.push(("Issued", &issued, VALUE, 0.5)),
    }
    fact_row(canvas, &first);
    let level = view.unit.level.as_deref().unwrap_or("—");
    let credits = view.unit.credits.as_deref().unwrap_or("—");
    fact_row(
        canvas,
        &[
            ("Framework", &view.unit.framework, VALUE, 0.4),
            ("Version", &view.unit.version, VALUE, 0.2),
            ("Level", level, VALUE, 0.2),
            ("Credits", credits, VALUE, 0.2),
        ],
    );
    canvas.y += 8.0;
}

fn fact_row(canvas: &mut Canvas<'_>, cells: &[(&str, &str, Style, f32)]) {
    const GAP: f32 = 4.0;
    const PAD: f32 = 6.0;
    let usable = CONTENT_WIDTH - GAP * (cells.len() as f32 - 1.0);
    let laid: Vec<_> = cells
        .iter()
        .map(|(label, value, style, share)| {
            let width = usable * share;
            let label_lines = canvas
                .shaper
                .wrap(&label.to_uppercase(), &LABEL, width - 2.0 * PAD);
            let value_lines = canvas.shaper.wrap(value, style, width - 2.0 * PAD);
            (width, label_lines, value_lines, *style)
        })
        .collect();
    let height = laid
        .iter()
        .map(|(_, l, v, s)| l.len() as f32 * LABEL.leading() + 1.0 + v.len() as f32 * s.leading())
        .fold(0.0, f32::max)
        + 2.0 * PAD;
    if height > canvas.page_body_height() / 2.0 {
        // Boxes cannot break across pages; absurdly long values flow as plain text instead.
        for (label, value, style, _) in cells {
            canvas.paragraph(&label.to_uppercase(), MARGIN_X, CONTENT_WIDTH, &LABEL);
            canvas.paragraph(value, MARGIN_X, CONTENT_WIDTH, style);
            canvas.y += GAP;
        }
        return;
    }
    canvas.ensure(height);
    let mut x = MARGIN_X;
    for (width, label_lines, value_lines, style) in &laid {
        canvas.rect(x, canvas.y, *width, height, BAND);
        let mut top = canvas.y + PAD;
        for line in label_lines {
            canvas.text_line(line, x + PAD, baseline_in(top, &LABEL), &LABEL);
            top += LABEL.leading();
        }
        top += 1.0;
        for line in value_lines {
            canvas.text_line(line, x + PAD, baseline_in(top, style), style);
            top += style.leading();
        }
        x += width + GAP;
    }
    canvas.y += height + GAP;
}

fn wording(view: &StatementView, canvas: &mut Canvas<'_>) {
    const PAD: f32 = 9.0;
    let lines = canvas.shaper.wrap(
        &view.statement_wording,
        &WORDING,
        CONTENT_WIDTH - 2.0 * PAD - 4.0,
    );
    let height = lines.len() as f32 * WORDING.leading() + 2.0 * PAD;
    if height > canvas.page_body_height() {
        // Wording longer than a page cannot sit in one box: let it flow instead.
        canvas.paragraph(&view.statement_wording, MARGIN_X, CONTENT_WIDTH, &WORDING);
        canvas.y += 16.0;
        return;
    }
    canvas.ensure(height);
    canvas.rect(MARGIN_X, canvas.y, CONTENT_WIDTH, height, BAND);
    canvas.rect(MARGIN_X, canvas.y, 3.0, height, ACCENT);
    let mut top = canvas.y + PAD;
    for line in &lines {
        canvas.text_line(
            line,
            MARGIN_X + PAD + 4.0,
            baseline_in(top, &WORDING),
            &WORDING,
        );
        top += WORDING.leading();
    }
    canvas.y += height + 16.0;
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

fn criteria(view: &StatementView, canvas: &mut Canvas<'_>) {
    // The record behind the certificate starts on a page of its own.
    canvas.new_page();
    let title = "Outcomes and criteria met";
    section(canvas, title, 70.0);
    let widths = [46.0, CONTENT_WIDTH - 46.0 - 112.0, 112.0];
    let table = table(title, &widths, &["REF", "CRITERION", "EVIDENCE"]);
    table.header(canvas, 50.0);
    for outcome in &view.outcomes {
        let title = format!("{}   {}", outcome.reference, outcome.title);
        table.band(canvas, title.trim(), OUTCOME, BAND, 24.0);
        for criterion in &outcome.criteria {
            let evidence = criterion.evidence.join(", ");
            table.row(
                canvas,
                &[
                    Cell {
                        text: &criterion.reference,
                        style: CELL_BOLD,
                    },
                    Cell {
                        text: &criterion.text,
                        style: CELL,
                    },
                    Cell {
                        text: &evidence,
                        style: CELL_MUTED,
                    },
                ],
                None,
            );
        }
    }
    canvas.y += 16.0;
}

fn evidence_index(view: &StatementView, canvas: &mut Canvas<'_>) {
    let title = "Evidence index";
    section(canvas, title, 50.0);
    let widths = [46.0, 70.0, 118.0, 110.0, CONTENT_WIDTH - 344.0];
    let table = table(
        title,
        &widths,
        &["REF", "DATE", "METHOD", "SETTING", "SITE"],
    );
    table.header(canvas, 20.0);
    for (i, item) in view.evidence.iter().enumerate() {
        let date = short_date(item.date);
        let fill = (i % 2 == 1).then_some(BAND);
        table.row(
            canvas,
            &[
                Cell {
                    text: &item.reference,
                    style: CELL_BOLD,
                },
                Cell {
                    text: &date,
                    style: CELL,
                },
                Cell {
                    text: &item.method,
                    style: CELL,
                },
                Cell {
                    text: &item.setting,
                    style: CELL,
                },
                Cell {
                    text: &item.site,
                    style: CELL,
                },
            ],
            fill,
        );
    }
    canvas.y += 16.0;
}

fn sign_off(view: &StatementView, canvas: &mut Canvas<'_>) {
    let title = "Sign-off";
    section(canvas, title, 60.0);
    let widths = [170.0, CONTENT_WIDTH - 170.0 - 110.0, 110.0];
    let table = table(title, &widths, &["ROLE", "NAME", "DATE"]);
    table.header(canvas, 20.0);
    for entry in &view.sign_offs {
        let date = long_date(entry.date);
        table.row(
            canvas,
            &[
                Cell {
                    text: &entry.role,
                    style: CELL_BOLD,
                },
                Cell {
                    text: &entry.name,
                    style: CELL,
                },
                Cell {
                    text: &date,
                    style: CELL,
                },
            ],
            None,
        );
    }
    for field in &view.dated_fields {
        let date = long_date(field.date);
        table.row(
            canvas,
            &[
                Cell {
                    text: &field.label,
                    style: CELL_BOLD,
                },
                Cell {
                    text: "",
                    style: CELL,
                },
                Cell {
                    text: &date,
                    style: CELL,
                },
            ],
            None,
        );
    }
    canvas.y += 16.0;
}

fn comments(view: &StatementView, canvas: &mut Canvas<'_>) {
    section(canvas, "Comments", 20.0);
    if view.comments.trim().is_empty() {
        canvas.paragraph("No comments.", MARGIN_X, CONTENT_WIDTH, &CELL_MUTED);
    } else {
        canvas.paragraph(&view.comments, MARGIN_X, CONTENT_WIDTH, &WORDING);
    }
    canvas.y += 16.0;
}

fn verification(view: &StatementView, hash: &str, canvas: &mut Canvas<'_>) {
    section(canvas, "Verification", 110.0);
    let label_width = 110.0;
    let value_x = MARGIN_X + label_width;
    let value_width = CONTENT_WIDTH - label_width;
    let rows: [(&str, &str, Style); 3] = [
        ("Verification code", &view.verification_code, NAME),
        ("Verify at", &view.verification_url, VALUE),
        ("Content SHA-256", hash, HASH),
    ];
    for (label, value, style) in rows {
        let top = canvas.y;
        // Label and value share a baseline whatever their sizes.
        canvas.y = top + style.size - CELL_MUTED.size;
        canvas.paragraph(label, MARGIN_X, label_width - 8.0, &CELL_MUTED);
        let after_label = canvas.y;
        canvas.y = top;
        canvas.paragraph(value, value_x, value_width, &style);
        canvas.y = canvas.y.max(after_label) + 3.0;
    }
    canvas.y += 4.0;
    canvas.paragraph(
        "Scan the QR code on page 1 or visit the address above to confirm this statement is \
         valid and has not been revoked. The SHA-256 is computed over the statement's content \
         as issued; any change to the content gives a different value.",
        MARGIN_X,
        CONTENT_WIDTH,
        &NOTE,
    );
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
