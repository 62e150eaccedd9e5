//! The top of the first page, which reads as the certificate: the organisation, title and QR
//! code, the facts about the candidate and unit, and the statement's wording.

use super::{
    ACCENT, BAND, INK, LABEL, NAME, NOTE, ORG, ORG_IDS, QR_SIZE, TITLE, UNIT_LINE, VALUE, WORDING,
    long_date,
};
use crate::output::pdf::canvas::{CONTENT_WIDTH, Canvas, MARGIN_X, baseline_in};
use crate::output::pdf::layout::Style;
use crate::output::pdf::qr::QrModules;
use crate::output::pdf::view::StatementView;

pub(super) fn header(view: &StatementView, qr: &QrModules, canvas: &mut Canvas<'_>) {
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
pub(super) fn facts(view: &StatementView, canvas: &mut Canvas<'_>) {
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

pub(super) fn wording(view: &StatementView, canvas: &mut Canvas<'_>) {
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
