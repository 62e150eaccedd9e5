//! The confirmation on the first page: who signed the statement off, their comments, and how to
//! verify it.

use super::{
    CELL, CELL_BOLD, CELL_MUTED, HASH, NAME, NOTE, VALUE, WORDING, long_date, section, table,
};
use crate::output::pdf::canvas::{CONTENT_WIDTH, Canvas, MARGIN_X};
use crate::output::pdf::layout::Style;
use crate::output::pdf::table::Cell;
use crate::output::pdf::view::StatementView;

pub(super) fn sign_off(view: &StatementView, canvas: &mut Canvas<'_>) {
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

pub(super) fn comments(view: &StatementView, canvas: &mut Canvas<'_>) {
    section(canvas, "Comments", 20.0);
    if view.comments.trim().is_empty() {
        canvas.paragraph("No comments.", MARGIN_X, CONTENT_WIDTH, &CELL_MUTED);
    } else {
        canvas.paragraph(&view.comments, MARGIN_X, CONTENT_WIDTH, &WORDING);
    }
    canvas.y += 16.0;
}

pub(super) fn verification(view: &StatementView, hash: &str, canvas: &mut Canvas<'_>) {
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
