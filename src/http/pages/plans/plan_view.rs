//! A sampling plan laid out for reading: each draw, the units and dimensions it covered, the
//! reasons in words.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use serde::Serialize;

use crate::action::ActionError;
use crate::auth::policy::{Action, Resource};
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::{DrawId, Id, OrgId, PlanId, stored};
use crate::http::pages::form::FormState;
use crate::http::pages::rows::{Names, unit_name};
use crate::http::pages::samples::sampling_refusal;
use crate::http::session::Session;
use crate::portfolio;
use crate::signoff::draws::DrawSummary;
use crate::signoff::plans;
use crate::signoff::plans::actions::KeptPlan;
use crate::signoff::sampling::{Covers, Dimension, Reason, RiskRating, Selection};

#[derive(Debug, Serialize)]
struct SelectedLine {
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
struct ExcludedLine {
    enrolment_id: String,
    label: String,
    reason: String,
}

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
struct DimensionView {
    letter: &'static str,
    name: &'static str,
    covered: usize,
    total: usize,
    complete: bool,
    values: Vec<ValueLine>,
}

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

/// Words for the ids the selection holds: people by name, enrolments by candidate and unit.
#[derive(Default)]
struct Labels {
    names: Names,
    enrolments: HashMap<String, String>,
}

impl Labels {
    fn person(&mut self, conn: &mut DbConnection, id: &str) -> String {
        // An id that is not a user (never expected) is shown as it is rather than failing the page.
        stored(id)
            .map_err(ActionError::from)
            .and_then(|user| self.names.of(conn, user))
            .unwrap_or_else(|_| id.to_owned())
    }

    fn enrolment(&mut self, conn: &mut DbConnection, id: &str) -> String {
        if let Some(label) = self.enrolments.get(id) {
            return label.clone();
        }
        let label = match stored(id)
            .map_err(ActionError::from)
            .and_then(|id| portfolio::load_enrolment(conn, id))
        {
            Ok(e) => format!(
                "{} — {} v{}",
                self.person(conn, &e.candidate_id.to_string()),
                e.standard_code,
                e.standard_version
            ),
            Err(_) => id.to_owned(),
        };
        self.enrolments.insert(id.to_owned(), label.clone());
        label
    }
}

fn unit_label(catalogue: &Catalogue, value: &str) -> String {
    // Units are `code@version`; outcomes `code@version/outcome`.
    let (unit, outcome) = value.split_once('/').unwrap_or((value, ""));
    let Some((code, version)) = unit.split_once('@') else {
        return value.to_owned();
    };
    let Some(loaded) = version.parse().ok().and_then(|v| catalogue.get(code, v)) else {
        return value.to_owned();
    };
    let standard = &loaded.standard;
    match standard.outcomes.iter().find(|o| o.id == outcome) {
        Some(o) => format!("{} outcome {}: {}", unit_name(standard), o.id, o.title),
        None => format!("{}: {}", unit_name(standard), standard.title),
    }
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

/// Why an enrolment was picked, with people and units by name (the domain words them by id).
fn reason_words(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    labels: &mut Labels,
    reason: &Reason,
) -> String {
    match reason {
        Reason::Coverage { dimension, value } => {
            let label = match dimension {
                Covers::Assessor => labels.person(conn, value),
                Covers::Unit => unit_label(catalogue, value),
                Covers::Method => method_label(value),
                Covers::Site => value.clone(),
            };
            format!("first sample of {} {label}", dimension.as_str())
        }
        Reason::Rate {
            assessor_id,
            risk,
            rated,
            percent,
            required,
            pool,
        } => {
            let unrated = if *rated { "" } else { ", not rated" };
            format!(
                "rate: {} at {risk} risk{unrated} {percent}% ({required} of {pool})",
                labels.person(conn, assessor_id)
            )
        }
        other => other.to_string(),
    }
}

fn method_label(method: &str) -> String {
    crate::http::pages::view::capitalise(&method.replace('_', " "))
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
                .map(|r| reason_words(conn, catalogue, &mut labels, r))
                .collect(),
            can_sample: refusal.is_none(),
            refusal,
        });
    }
    let excluded = selection
        .excluded
        .iter()
        .map(|x| ExcludedLine {
            label: labels.enrolment(conn, &x.enrolment_id),
            enrolment_id: x.enrolment_id.clone(),
            reason: x.reason.to_string(),
        })
        .collect();
    // Covered means sampled: what the draw selected counts once its sample has been recorded.
    let sampled: BTreeSet<String> = plans::samples_by(conn, plan.org_id, plan.iv_id)?
        .into_iter()
        .filter(|s| s.plan_id == Some(plan.id))
        .filter(|s| latest.as_ref().is_some_and(|d| s.created_at > d.drawn_at))
        // The draw record's coverage names enrolments as text.
        .map(|s| s.enrolment_id.to_string())
        .collect();
    let chosen: BTreeSet<String> = selection
        .selected
        .iter()
        .map(|s| s.enrolment_id.clone())
        .collect();
    let now = selection.coverage.as_taken(&pool, &sampled, &chosen);
    let c = &now;
    let coverage = vec![
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
    ];
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
