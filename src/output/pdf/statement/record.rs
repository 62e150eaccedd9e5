//! The record behind the certificate, from page two: the outcomes and criteria met, and the
//! evidence index.

use super::{BAND, CELL, CELL_BOLD, CELL_MUTED, OUTCOME, section, short_date, table};
use crate::output::pdf::canvas::{CONTENT_WIDTH, Canvas};
use crate::output::pdf::table::Cell;
use crate::output::pdf::view::StatementView;

pub(super) fn criteria(view: &StatementView, canvas: &mut Canvas<'_>) {
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

pub(super) fn evidence_index(view: &StatementView, canvas: &mut Canvas<'_>) {
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
