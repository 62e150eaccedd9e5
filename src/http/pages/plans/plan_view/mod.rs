//! A sampling plan laid out for reading: each draw, the units and dimensions it covered, the
//! reasons in words.

mod coverage;
mod labels;
mod selection;

use chrono::NaiveDate;
use serde::Serialize;

use crate::action::ActionError;
use crate::auth::policy::{Action, Resource};
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::{DrawId, Id, OrgId, PlanId};
use crate::http::pages::form::FormState;
use crate::http::session::Session;
use crate::signoff::draws::DrawSummary;
use crate::signoff::plans;
use crate::signoff::plans::actions::KeptPlan;
use crate::signoff::sampling::{RiskRating, Selection};

use coverage::{DimensionView, coverage};
use labels::Labels;
use selection::{ExcludedLine, SelectedLine, excluded_lines, selected_lines};

#[derive(Serialize)]
pub(super) struct PlanView {
    title: String,
    id: PlanId,
    org_id: OrgId,
    name: String,
    kind: String,
    period_start: NaiveDate,
    period_end: NaiveDate,
    seed: i64,
    verifier: String,
    /// The draw shown; none for a plan made before draws were kept, until it is drawn.
    draw: Option<DrawLine>,
    /// Earlier draws, newest first.
    earlier: Vec<DrawLine>,
    population: usize,
    rates: Vec<RateLine>,
    ratings: Vec<RatingLine>,
    selected: Vec<SelectedLine>,
    excluded: Vec<ExcludedLine>,
    coverage: Vec<DimensionView>,
    taken: usize,
    /// The session may draw again.
    can_draw: bool,
    pub(super) csrf: String,
    pub(super) form: FormState,
}

#[derive(Debug, Serialize)]
struct DrawLine {
    id: DrawId,
    drawn_at: String,
    drawn_by: String,
    reason: String,
    sha256: String,
}

#[derive(Debug, Serialize)]
struct RateLine {
    risk: &'static str,
    percent: u32,
}

#[derive(Debug, Serialize)]
struct RatingLine {
    assessor: String,
    risk: String,
}

fn draw_line(conn: &mut DbConnection, labels: &mut Labels, draw: &DrawSummary) -> DrawLine {
    DrawLine {
        id: draw.id,
        drawn_at: draw.drawn_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        drawn_by: draw
            .drawn_by
            .as_deref()
            .map_or_else(|| "Attest".to_owned(), |id| labels.person(conn, id)),
        reason: draw.reason.clone(),
        sha256: draw.record_sha256.clone(),
    }
}

pub(super) fn plan_view(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    session: &Session,
    kept: KeptPlan,
) -> Result<PlanView, ActionError> {
    let mut labels = Labels::default();
    let KeptPlan {
        plan,
        latest,
        record,
        history,
    } = kept;
    let draw = history.first().map(|d| draw_line(conn, &mut labels, d));
    let earlier = history
        .iter()
        .skip(1)
        .map(|d| draw_line(conn, &mut labels, d))
        .collect();
    let can_draw = session
        .require(
            Action::ManageSamplingPlan,
            &Resource::SamplingPlan {
                org_id: plan.org_id.uuid(),
                iv_id: plan.iv_id.uuid(),
            },
        )
        .is_ok();
    let (rates, ratings, population) = match &record {
        Some(r) => (
            RiskRating::ALL
                .iter()
                .map(|risk| RateLine {
                    risk: risk.as_str(),
                    percent: r.input.rates.percent(*risk),
                })
                .collect(),
            r.input
                .assessors
                .iter()
                .map(|a| RatingLine {
                    assessor: labels.person(conn, &a.assessor_id),
                    risk: a.risk.as_str().to_owned(),
                })
                .collect(),
            r.pool.len(),
        ),
        None => (Vec::new(), Vec::new(), 0),
    };
    let pool = record.as_ref().map(|r| r.pool.clone()).unwrap_or_default();
    let selection = match record {
        Some(r) => r.selection,
        None => Selection::default(),
    };
    let selected = selected_lines(conn, catalogue, session, &mut labels, &selection)?;
    let excluded = excluded_lines(conn, &mut labels, &selection);
    let coverage = coverage(
        conn,
        catalogue,
        &mut labels,
        &plan,
        latest.as_ref(),
        &selection,
        &pool,
    )?;
    let taken = plans::samples_by(conn, plan.org_id, plan.iv_id)?
        .iter()
        .filter(|s| s.plan_id == Some(plan.id))
        .count();
    Ok(PlanView {
        title: format!("Sampling plan — {}", plan.name),
        verifier: labels.person(conn, &plan.iv_id.to_string()),
        id: plan.id,
        org_id: plan.org_id,
        name: plan.name,
        kind: plan.kind,
        period_start: plan.period_start,
        period_end: plan.period_end,
        seed: plan.seed,
        draw,
        earlier,
        population,
        rates,
        ratings,
        selected,
        excluded,
        coverage,
        taken,
        can_draw,
        csrf: String::new(),
        form: FormState::default(),
    })
}
