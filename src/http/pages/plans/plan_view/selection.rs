//! The plan's selection laid out: the enrolments the draw selected, each with why and whether
//! this session may sample it, and those that could not be sampled.

use serde::Serialize;

use super::labels::{Labels, reason_words, unit_label};
use crate::action::ActionError;
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::stored;
use crate::http::pages::samples::sampling_refusal;
use crate::http::session::Session;
use crate::portfolio;
use crate::signoff::sampling::Selection;

#[derive(Debug, Serialize)]
pub(super) struct SelectedLine {
    enrolment_id: String,
    candidate: String,
    assessor: String,
    unit: String,
    status: String,
    draw_rank: usize,
    reasons: Vec<String>,
    can_sample: bool,
    refusal: Option<String>,
}

#[derive(Debug, Serialize)]
pub(super) struct ExcludedLine {
    enrolment_id: String,
    label: String,
    reason: String,
}

/// The enrolments the draw selected, in its order, each with the reasons it was picked.
pub(super) fn selected_lines(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    session: &Session,
    labels: &mut Labels,
    selection: &Selection,
) -> Result<Vec<SelectedLine>, ActionError> {
    let mut selected = Vec::new();
    for s in &selection.selected {
        let enrolment = portfolio::load_enrolment(conn, stored(&s.enrolment_id)?)?;
        let refusal = sampling_refusal(session, &enrolment)?;
        selected.push(SelectedLine {
            candidate: labels.person(conn, &s.candidate_id),
            assessor: labels.person(conn, &s.assessor_id),
            unit: unit_label(
                catalogue,
                &format!("{}@{}", enrolment.standard_code, enrolment.standard_version),
            ),
            status: enrolment.status.to_string(),
            enrolment_id: s.enrolment_id.clone(),
            draw_rank: s.draw_rank + 1,
            reasons: s
                .reasons
                .iter()
                .map(|r| reason_words(conn, catalogue, labels, r))
                .collect(),
            can_sample: refusal.is_none(),
            refusal,
        });
    }
    Ok(selected)
}

/// The enrolments of the pool that could not be sampled, and why.
pub(super) fn excluded_lines(
    conn: &mut DbConnection,
    labels: &mut Labels,
    selection: &Selection,
) -> Vec<ExcludedLine> {
    selection
        .excluded
        .iter()
        .map(|x| ExcludedLine {
            label: labels.enrolment(conn, &x.enrolment_id),
            enrolment_id: x.enrolment_id.clone(),
            reason: x.reason.to_string(),
        })
        .collect()
}
