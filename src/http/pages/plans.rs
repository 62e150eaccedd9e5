//! Sampling plans as pages: the organisation's plans with the form to create one, and one plan
//! with its reproducible selection, what could not be sampled and why, and its CAMERA coverage —
//! Candidates, Assessors, Methods, Evidence (units and outcomes), Records and Assessment sites.
//! The plan and its selection come from `signoff::plans`, as the API's do.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::form::{Fields, FormState, field_errors};
use super::rows::{Names, unit_name};
use super::samples::{require_plan_reader, sampling_refusal, visible_plans};
use super::view::{Html, PageError, PageSession, check_csrf, page_with_status, see_other};
use crate::action::ActionError;
use crate::auth::policy::{Action, Resource, Role};
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::http::AppState;
use crate::http::api::draws::plan_for;
use crate::http::api::path_id;
use crate::http::session::Session;
use crate::identity;
use crate::portfolio;
use crate::signoff::draws::{self, DrawSummary};
use crate::signoff::plans::{self, NewPlan, Plan};
use crate::signoff::sampling::{Covers, Dimension, Reason, RiskRating, SamplingKind, Selection};

#[derive(Debug, Clone, Serialize)]
struct Choice {
    value: String,
    label: String,
}

#[derive(Debug, Serialize)]
struct PlanRow {
    id: String,
    name: String,
    kind: String,
    period_start: NaiveDate,
    period_end: NaiveDate,
    seed: i64,
    verifier: String,
}

#[derive(Serialize)]
struct PlansView {
    title: String,
    org_id: String,
    org_name: String,
    plans: Vec<PlanRow>,
    /// The internal verifiers the session may create a plan for (empty: no form).
    verifiers: Vec<Choice>,
    kinds: Vec<Choice>,
    csrf: String,
    form: FormState,
}

/// The organisation's internal verifiers for whom the session may manage a plan (the policy's
/// `ManageSamplingPlan`: an IV for themself, a provider admin for any).
fn plan_owners(
    conn: &mut DbConnection,
    session: &Session,
    org_id: Uuid,
) -> Result<Vec<Choice>, ActionError> {
    let now = Utc::now();
    let org = org_id.to_string();
    Ok(identity::list_users(conn, &org)?
        .into_iter()
        .filter(|u| {
            u.active
                && u.grants.iter().any(|g| {
                    g.org_id == org
                        && g.role == Role::InternalVerifier.as_str()
                        && g.expires_at.is_none_or(|t| t > now)
                })
                && session
                    .require(
                        Action::ManageSamplingPlan,
                        &Resource::SamplingPlan {
                            org_id,
                            iv_id: u.id,
                        },
                    )
                    .is_ok()
        })
        .map(|u| Choice {
            value: u.id.to_string(),
            label: format!("{} ({})", u.name, u.email),
        })
        .collect())
}

/// `GET /orgs/{org_id}/sampling-plans`.
pub async fn list(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    let today = Utc::now().date_naive();
    let form = FormState::with_values([
        ("kind".to_owned(), "summative".to_owned()),
        ("period_start".to_owned(), today.to_string()),
        (
            "period_end".to_owned(),
            (today + chrono::Days::new(90)).to_string(),
        ),
        ("iv_id".to_owned(), session.user_id.clone()),
    ]);
    Html(list_page(&state, &session, &path, form).await)
}

async fn list_page(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    form: FormState,
) -> Result<HttpResponse, PageError> {
    let org_id = path_id(raw_org)?;
    require_plan_reader(session, org_id)?;
    let for_tx = session.clone();
    let mut view = state
        .db
        .read(move |conn| {
            let org_name = identity::find_organisation(conn, &org_id.to_string())?.name;
            let mut names = Names::default();
            let mut rows = Vec::new();
            for plan in visible_plans(conn, &for_tx, org_id)? {
                rows.push(PlanRow {
                    verifier: names.of(conn, &plan.iv_id)?,
                    id: plan.id,
                    name: plan.name,
                    kind: plan.kind,
                    period_start: plan.period_start,
                    period_end: plan.period_end,
                    seed: plan.seed,
                });
            }
            Ok::<_, ActionError>(PlansView {
                title: format!("Sampling plans — {org_name}"),
                org_id: org_id.to_string(),
                org_name,
                plans: rows,
                verifiers: plan_owners(conn, &for_tx, org_id)?,
                kinds: vec![
                    Choice {
                        value: "summative".into(),
                        label: "Summative: after the assessor's decision".into(),
                    },
                    Choice {
                        value: "interim".into(),
                        label: "Interim: work in progress".into(),
                    },
                ],
                csrf: for_tx.csrf.clone(),
                form: FormState::default(),
            })
        })
        .await?;
    let status = if form.has_errors() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    view.form = form;
    page_with_status(
        state,
        Some(session),
        "pages/sampling_plans.html",
        &view,
        status,
    )
}

/// `POST /orgs/{org_id}/sampling-plans`: creates a plan.
pub async fn create(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(create_page(&state, &session, &path, fields).await)
}

fn date_field(
    fields: &Fields,
    name: &str,
    errors: &mut BTreeMap<String, String>,
) -> Option<NaiveDate> {
    let Some(text) = fields.filled(name) else {
        errors.insert(name.to_owned(), "Enter a date".to_owned());
        return None;
    };
    let parsed = NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok();
    if parsed.is_none() {
        errors.insert(
            name.to_owned(),
            "Enter a real date, for example 2026-06-30".to_owned(),
        );
    }
    parsed
}

async fn create_page(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let org_id = path_id(raw_org)?;
    require_plan_reader(session, org_id)?;
    let mut errors = BTreeMap::new();
    let iv_id = fields
        .filled("iv_id")
        .and_then(|t| Uuid::parse_str(&t).ok());
    if iv_id.is_none() {
        errors.insert(
            "iv_id".to_owned(),
            "Choose the internal verifier".to_owned(),
        );
    }
    let kind = match fields.text("kind") {
        "interim" => Some(SamplingKind::Interim),
        "summative" => Some(SamplingKind::Summative),
        _ => {
            errors.insert("kind".to_owned(), "Choose interim or summative".to_owned());
            None
        }
    };
    let period_start = date_field(&fields, "period_start", &mut errors);
    let period_end = date_field(&fields, "period_end", &mut errors);
    let seed = match fields.filled("seed") {
        None => None,
        Some(text) => match text.parse::<i64>() {
            Ok(seed) if seed >= 0 => Some(seed),
            _ => {
                errors.insert(
                    "seed".to_owned(),
                    "Enter a whole number of 0 or more, or leave it blank".to_owned(),
                );
                None
            }
        },
    };
    let (Some(iv_id), Some(kind), Some(period_start), Some(period_end), true) =
        (iv_id, kind, period_start, period_end, errors.is_empty())
    else {
        if fields.filled("name").is_none() {
            errors.insert("name".to_owned(), "Name is required".to_owned());
        }
        return list_page(state, session, raw_org, FormState::again(&fields, errors)).await;
    };
    session.require(
        Action::ManageSamplingPlan,
        &Resource::SamplingPlan { org_id, iv_id },
    )?;
    let new = NewPlan {
        iv_id,
        name: fields.text("name").to_owned(),
        kind,
        period_start,
        period_end,
        seed,
    };
    let actor = session.user_id.clone();
    let catalogue = state.catalogue.clone();
    let created = state
        .db
        .write(move |conn| {
            plans::create_plan(
                conn,
                &catalogue,
                &org_id.to_string(),
                &actor,
                new,
                Utc::now(),
            )
        })
        .await;
    match created {
        Ok(plan) => Ok(see_other(&format!("/sampling-plans/{}", plan.id))),
        Err(err) => {
            let mut errors = field_errors(err)?;
            // The domain names the other field by its API name; say it as the form does.
            if let Some(reason) = errors.get_mut("period_end") {
                *reason = reason.replace("period_start", "the first day");
            }
            list_page(state, session, raw_org, FormState::again(&fields, errors)).await
        }
    }
}

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
struct PlanView {
    title: String,
    id: String,
    org_id: String,
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
    csrf: String,
    form: FormState,
}

#[derive(Debug, Serialize)]
struct DrawLine {
    id: String,
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

/// `GET /sampling-plans/{id}`: the plan with its selection and CAMERA coverage.
pub async fn show(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    Html(show_page(&state, &session, &path).await)
}

async fn show_page(
    state: &AppState,
    session: &Session,
    raw_id: &str,
) -> Result<HttpResponse, PageError> {
    show_with(state, session, raw_id, FormState::default(), StatusCode::OK).await
}

async fn show_with(
    state: &AppState,
    session: &Session,
    raw_id: &str,
    form: FormState,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let id = path_id(raw_id)?.to_string();
    let catalogue = state.catalogue.clone();
    let for_tx = session.clone();
    let csrf = session.csrf.clone();
    let mut view = state
        .db
        .read(move |conn| {
            let plan = plan_for(conn, &for_tx, Action::ReadSamplingPlan, &id)?;
            plan_view(conn, &catalogue, &for_tx, plan)
        })
        .await?;
    view.csrf = csrf;
    view.form = form;
    page_with_status(
        state,
        Some(session),
        "pages/sampling_plan.html",
        &view,
        status,
    )
}

/// `POST /sampling-plans/{id}/draws`: draws the plan again (the earlier draw stays on record).
pub async fn redraw(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(redraw_page(&state, &session, &path, fields).await)
}

async fn redraw_page(
    state: &AppState,
    session: &Session,
    raw_id: &str,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let id = path_id(raw_id)?.to_string();
    let catalogue = state.catalogue.clone();
    let for_tx = session.clone();
    let reason = fields.text("reason").to_owned();
    let made = state
        .db
        .write(move |conn| {
            let plan = plan_for(conn, &for_tx, Action::ManageSamplingPlan, &id)?;
            let actor = for_tx.user_id.clone();
            draws::draw(conn, &catalogue, &plan, Some(&actor), &reason, Utc::now())
        })
        .await;
    match made {
        Ok(draw) => Ok(see_other(&format!("/sampling-plans/{}", draw.plan_id))),
        Err(err) => {
            let errors = field_errors(err)?;
            let form = FormState::again(&fields, errors);
            show_with(
                state,
                session,
                raw_id,
                form,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
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
        self.names.of(conn, id).unwrap_or_else(|_| id.to_owned())
    }

    fn enrolment(&mut self, conn: &mut DbConnection, id: &str) -> String {
        if let Some(label) = self.enrolments.get(id) {
            return label.clone();
        }
        let label = match portfolio::load_enrolment(conn, id) {
            Ok(e) => format!(
                "{} — {} v{}",
                self.person(conn, &e.candidate_id),
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
    super::view::capitalise(&method.replace('_', " "))
}

fn draw_line(conn: &mut DbConnection, labels: &mut Labels, draw: &DrawSummary) -> DrawLine {
    DrawLine {
        id: draw.id.clone(),
        drawn_at: draw.drawn_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        drawn_by: draw
            .drawn_by
            .as_deref()
            .map_or_else(|| "Attest".to_owned(), |id| labels.person(conn, id)),
        reason: draw.reason.clone(),
        sha256: draw.record_sha256.clone(),
    }
}

fn plan_view(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    session: &Session,
    plan: Plan,
) -> Result<PlanView, ActionError> {
    let mut labels = Labels::default();
    let latest = draws::latest(conn, &plan.id)?;
    let record = latest.as_ref().map(draws::Draw::parsed).transpose()?;
    let history = draws::history(conn, &plan.id)?;
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
                org_id: identity::parse_user_id(&plan.org_id)?,
                iv_id: identity::parse_user_id(&plan.iv_id)?,
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
        let enrolment = portfolio::load_enrolment(conn, &s.enrolment_id)?;
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
    let sampled: BTreeSet<String> = plans::samples_by(conn, &plan.org_id, &plan.iv_id)?
        .into_iter()
        .filter(|s| s.plan_id.as_deref() == Some(plan.id.as_str()))
        .filter(|s| latest.as_ref().is_some_and(|d| s.created_at > d.drawn_at))
        .map(|s| s.enrolment_id)
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
    let taken = plans::samples_by(conn, &plan.org_id, &plan.iv_id)?
        .iter()
        .filter(|s| s.plan_id.as_deref() == Some(plan.id.as_str()))
        .count();
    Ok(PlanView {
        title: format!("Sampling plan — {}", plan.name),
        verifier: labels.person(conn, &plan.iv_id),
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
