//! The plan's CAMERA coverage as taken: per dimension, each value and whether a recorded sample
//! covers it, is waiting for one, or is out of this IV's reach.

use std::collections::BTreeSet;

use serde::Serialize;

use super::labels::{Labels, method_label, unit_label};
use crate::action::ActionError;
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::signoff::draws::Draw;
use crate::signoff::plans::{self, Plan};
use crate::signoff::sampling::{Candidate, Dimension, Selection};

#[derive(Debug, Serialize)]
struct ValueLine {
    label: String,
    taken: usize,
    selected: usize,
    eligible: usize,
    covered: bool,
    /// Selected by the draw, not yet sampled.
    waiting: bool,
    /// Uncovered, and only decisions this IV may not sample carry it: another IV must.
    out_of_reach: bool,
    /// Uncovered, and nothing carrying it is ready to sample yet (no decision made).
    nothing_yet: bool,
}

#[derive(Debug, Serialize)]
pub(super) struct DimensionView {
    letter: &'static str,
    name: &'static str,
    covered: usize,
    total: usize,
    complete: bool,
    values: Vec<ValueLine>,
}

fn dimension(
    letter: &'static str,
    name: &'static str,
    dim: &Dimension,
    mut label: impl FnMut(&str) -> String,
) -> DimensionView {
    DimensionView {
        letter,
        name,
        covered: dim.covered,
        total: dim.total,
        complete: dim.covered == dim.total,
        values: dim
            .values
            .iter()
            .map(|v| ValueLine {
                label: label(&v.value),
                taken: v.taken,
                selected: v.selected,
                eligible: v.eligible,
                covered: v.covered,
                waiting: !v.covered && v.selected > 0,
                out_of_reach: !v.covered && v.eligible == 0 && v.own > 0,
                nothing_yet: !v.covered && v.eligible == 0 && v.own == 0,
            })
            .collect(),
    }
}

/// Each CAMERA dimension of the selection, with its values in words.
pub(super) fn coverage(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    labels: &mut Labels,
    plan: &Plan,
    latest: Option<&Draw>,
    selection: &Selection,
    pool: &[Candidate],
) -> Result<Vec<DimensionView>, ActionError> {
    // Covered means sampled: what the draw selected counts once its sample has been recorded.
    let sampled: BTreeSet<String> = plans::samples_by(conn, plan.org_id, plan.iv_id)?
        .into_iter()
        .filter(|s| s.plan_id == Some(plan.id))
        .filter(|s| latest.is_some_and(|d| s.created_at > d.drawn_at))
        // The draw record's coverage names enrolments as text.
        .map(|s| s.enrolment_id.to_string())
        .collect();
    let chosen: BTreeSet<String> = selection
        .selected
        .iter()
        .map(|s| s.enrolment_id.clone())
        .collect();
    let now = selection.coverage.as_taken(pool, &sampled, &chosen);
    let c = &now;
    Ok(vec![
        dimension("C", "Candidates", &c.candidates, |v| labels.person(conn, v)),
        dimension("A", "Assessors", &c.assessors, |v| labels.person(conn, v)),
        dimension("M", "Methods", &c.methods, method_label),
        dimension("E", "Evidence: units", &c.units, |v| {
            unit_label(catalogue, v)
        }),
        dimension("E", "Evidence: outcomes", &c.outcomes, |v| {
            unit_label(catalogue, v)
        }),
        dimension("R", "Records", &c.records, |v| labels.enrolment(conn, v)),
        dimension("A", "Assessment sites", &c.sites, str::to_owned),
    ])
}
