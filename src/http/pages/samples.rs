//! The internal verifier's sampling pages: their dashboard for an organisation, the queue of unit
//! decisions awaiting sampling, the sample record form (agree, or disagree with feedback and action
//! points — which sends a decision back to the assessor), and the history of samples. Recording a
//! sample is the API's action (`signoff::plans::record_sample`); who may sample is the policy's
//! `SampleEnrolment`, which never lets an IV sample their own decisions.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::form::{Fields, FormState, field_errors};
use super::rows::{EnrolmentRow, Names, enrolments_in_org, row, standard_of, unit_name};
use super::view::{Html, PageError, PageSession, check_csrf, page, page_with_status, see_other};
use crate::action::ActionError;
use crate::auth::policy::{Action, EnrolmentStatus, Resource};
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::http::AppState;
use crate::http::api::path_id;
use crate::http::session::Session;
use crate::identity;
use crate::portfolio::{self, Enrolment};
use crate::signoff::chain;
use crate::signoff::plans::{self, Plan, Sample, SampleDecision, Vacs, VacsCheck};

/// The gate of the verification pages of an organisation: whoever may read a sampling plan of
/// theirs there (its internal verifiers; provider admins and external verifiers read every plan).
pub(super) fn require_plan_reader(session: &Session, org_id: Uuid) -> Result<(), ActionError> {
    session.require(
        Action::ReadSamplingPlan,
        &Resource::SamplingPlan {
            org_id,
            iv_id: session.actor.user_id,
        },
    )
}

/// Whether the session may sample `enrolment` (the policy), and if not, why in words.
pub(super) fn sampling_refusal(
    session: &Session,
    enrolment: &Enrolment,
) -> Result<Option<String>, ActionError> {
    let facts = enrolment.facts()?;
    match session.require(Action::SampleEnrolment, &Resource::Enrolment(facts.clone())) {
        Ok(()) => Ok(None),
        Err(ActionError::Forbidden(_)) => {
            let me = Some(session.actor.user_id);
            // The policy has decided; this only chooses the words that explain it.
            Ok(Some(if facts.assessor_id == me || facts.decided_by == me {
                "you assessed this portfolio or signed its unit decision: an internal verifier never samples their own decisions, so another internal verifier must sample it".to_owned()
            } else {
                "only an internal verifier of this portfolio or of its assessor may sample it"
                    .to_owned()
            }))
        }
        Err(other) => Err(other),
    }
}

/// One decision awaiting sampling.
#[derive(Debug, Serialize)]
struct QueueItem {
    row: EnrolmentRow,
    /// When the assessor signed the decision.
    decided_on: Option<NaiveDate>,
    /// Who signed it.
    decided_by: Option<String>,
    /// The session may sample it.
    can_sample: bool,
    /// Why not, when the session is an IV who may not.
    refusal: Option<String>,
}

/// The assessed enrolments of the organisation the session may read, oldest decision first.
fn queue(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    session: &Session,
    org_id: Uuid,
) -> Result<Vec<QueueItem>, ActionError> {
    let decided = enrolments_in_org(
        conn,
        &session.actor,
        org_id,
        Some(EnrolmentStatus::Assessed.as_str()),
    )?;
    let mut names = Names::default();
    let mut items = Vec::with_capacity(decided.len());
    for enrolment in &decided {
        let refusal = sampling_refusal(session, enrolment)?;
        let signature = chain::sign_offs_of(conn, &enrolment.id)?
            .into_iter()
            .rev()
            .find(|s| s.role == "assessor");
        items.push(QueueItem {
            row: row(conn, catalogue, &mut names, enrolment)?,
            decided_on: signature.as_ref().map(|s| s.signed_on),
            decided_by: signature.map(|s| s.user_name),
            can_sample: refusal.is_none(),
            refusal,
        });
    }
    items.sort_by_key(|i| i.decided_on);
    Ok(items)
}

/// A recorded sample as the history shows it.
#[derive(Debug, Clone, Serialize)]
struct SampleLine {
    id: String,
    enrolment_id: String,
    candidate: String,
    unit: String,
    verifier: String,
    kind: String,
    decision: String,
    feedback: String,
    action_points: String,
    date_sampled: NaiveDate,
    plan: Option<String>,
    snapshot: String,
    /// For a disagreement: what the assessor did about each action point.
    response: Option<ResponseLine>,
    /// For a disagreement: the assessor's decision after it, in words.
    new_decision: Option<String>,
    /// The VACS checklist, when the IV filled it in.
    vacs: Vec<VacsAnswer>,
}

/// One VACS answer as the history shows it.
#[derive(Debug, Clone, Serialize)]
struct VacsAnswer {
    question: &'static str,
    met: bool,
    note: String,
}

/// The VACS questions: field name, question, and what it asks, in plain words.
const VACS: [(&str, &str, &str); 4] = [
    (
        "valid",
        "Valid",
        "The evidence shows what the criteria ask for.",
    ),
    ("authentic", "Authentic", "It is the candidate's own work."),
    (
        "current",
        "Current",
        "It is recent enough to show the candidate is competent now.",
    ),
    (
        "sufficient",
        "Sufficient",
        "There is enough of it, across the range, for the decision.",
    ),
];

fn vacs_answers(sample: &Sample) -> Vec<VacsAnswer> {
    sample.vacs().map_or_else(Vec::new, |vacs| {
        vacs.checks()
            .iter()
            .zip(VACS)
            .map(|((_, check), (_, question, _))| VacsAnswer {
                question,
                met: check.met,
                note: check.note.clone(),
            })
            .collect()
    })
}

/// One VACS question on the sample form, with what was sent.
#[derive(Debug, Serialize)]
struct VacsField {
    name: &'static str,
    question: &'static str,
    hint: &'static str,
    note_label: String,
    answer: String,
    note: String,
    error: Option<String>,
    note_error: Option<String>,
}

fn vacs_fields(form: &FormState) -> Vec<VacsField> {
    let value = |key: String| form.values.get(&key).cloned().unwrap_or_default();
    VACS.iter()
        .map(|(name, question, hint)| VacsField {
            name,
            question,
            hint,
            note_label: format!("Note on {}", question.to_lowercase()),
            answer: value(format!("vacs.{name}")),
            note: value(format!("vacs.{name}.note")),
            error: form.errors.get(&format!("vacs.{name}")).cloned(),
            note_error: form.errors.get(&format!("vacs.{name}.note")).cloned(),
        })
        .collect()
}

/// The VACS checklist as the form sent it: none when no question was answered and no note
/// written; every question needs its yes or no once one is.
fn read_vacs(fields: &Fields) -> Result<Option<Vacs>, BTreeMap<String, String>> {
    let touched = VACS.iter().any(|(name, _, _)| {
        fields.filled(&format!("vacs.{name}")).is_some()
            || fields.filled(&format!("vacs.{name}.note")).is_some()
    });
    if !touched {
        return Ok(None);
    }
    let mut errors = BTreeMap::new();
    let mut read = |name: &str| {
        let met = match fields.text(&format!("vacs.{name}")) {
            "yes" => true,
            "no" => false,
            _ => {
                errors.insert(
                    format!("vacs.{name}"),
                    format!("Answer yes or no: is the evidence {name}?"),
                );
                false
            }
        };
        VacsCheck {
            met,
            note: fields.text(&format!("vacs.{name}.note")).to_owned(),
        }
    };
    let vacs = Vacs {
        valid: read("valid"),
        authentic: read("authentic"),
        current: read("current"),
        sufficient: read("sufficient"),
    };
    if errors.is_empty() {
        Ok(Some(vacs))
    } else {
        Err(errors)
    }
}

/// The assessor's answer to a disagreement, as the history shows it.
#[derive(Debug, Clone, Serialize)]
struct ResponseLine {
    assessor: String,
    on: NaiveDate,
    responses: Vec<crate::signoff::feedback::PointResponse>,
}

/// The organisation's samples the session may read (through their enrolments), newest first.
fn history(
    conn: &mut DbConnection,
    session: &Session,
    org_id: Uuid,
    limit: usize,
) -> Result<Vec<SampleLine>, ActionError> {
    let org = org_id.to_string();
    let plan_names: BTreeMap<String, String> = plans::list_plans(conn, &org, None)?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let mut names = Names::default();
    let mut lines = Vec::new();
    for sample in plans::samples_in_org(conn, &org)? {
        if lines.len() == limit {
            break;
        }
        let enrolment = portfolio::load_enrolment(conn, &sample.enrolment_id)?;
        let readable = session
            .require(
                Action::ReadEnrolment,
                &Resource::Enrolment(enrolment.facts()?),
            )
            .is_ok();
        if !readable {
            continue;
        }
        lines.push(sample_line(
            conn,
            &mut names,
            &plan_names,
            &enrolment,
            sample,
        )?);
    }
    Ok(lines)
}

fn sample_line(
    conn: &mut DbConnection,
    names: &mut Names,
    plan_names: &BTreeMap<String, String>,
    enrolment: &Enrolment,
    sample: Sample,
) -> Result<SampleLine, ActionError> {
    let (response, new_decision) = if sample.decision == "disagree" {
        exchange(conn, &sample)?
    } else {
        (None, None)
    };
    Ok(SampleLine {
        response,
        new_decision,
        vacs: vacs_answers(&sample),
        candidate: names.of(conn, &enrolment.candidate_id)?,
        unit: format!(
            "{} v{}",
            enrolment.standard_code, enrolment.standard_version
        ),
        verifier: names.of(conn, &sample.iv_id)?,
        plan: sample
            .plan_id
            .as_ref()
            .and_then(|id| plan_names.get(id).cloned()),
        snapshot: sample.snapshot_hash.chars().take(12).collect(),
        id: sample.id,
        enrolment_id: sample.enrolment_id,
        kind: sample.kind,
        decision: sample.decision,
        feedback: sample.feedback,
        action_points: sample.action_points,
        date_sampled: sample.date_sampled,
    })
}

/// What followed a disagreement: the assessor's answers and their next decision.
fn exchange(
    conn: &mut DbConnection,
    sample: &Sample,
) -> Result<(Option<ResponseLine>, Option<String>), ActionError> {
    use crate::signoff::{chain, feedback};
    let response = feedback::response_to(conn, &sample.id)?.map(|r| ResponseLine {
        assessor: r.assessor,
        on: r.responded_at.date(),
        responses: r.responses,
    });
    let signed = chain::sign_offs_of(conn, &sample.enrolment_id)?
        .into_iter()
        .find(|s| s.role == "assessor" && s.signed_at > sample.created_at)
        .map(|s| {
            (
                s.signed_at,
                format!("competent, signed by {} on {}", s.user_name, s.signed_on),
            )
        });
    let not_yet = feedback::feedback_of(conn, &sample.enrolment_id)?
        .into_iter()
        .find(|f| f.decided_at > sample.created_at)
        .map(|f| {
            (
                f.decided_at,
                format!("not yet competent on {}", f.decided_at.date()),
            )
        });
    let next = match (signed, not_yet) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a.1 } else { b.1 }),
        (a, b) => a.or(b).map(|(_, words)| words),
    };
    Ok((response, next))
}

#[derive(Debug, Serialize)]
struct PlanLine {
    id: String,
    name: String,
    kind: String,
    period_start: NaiveDate,
    period_end: NaiveDate,
    verifier: String,
}

/// The organisation's plans the session may read, newest first.
pub(super) fn visible_plans(
    conn: &mut DbConnection,
    session: &Session,
    org_id: Uuid,
) -> Result<Vec<Plan>, ActionError> {
    Ok(plans::list_plans(conn, &org_id.to_string(), None)?
        .into_iter()
        .filter(|plan| {
            Uuid::parse_str(&plan.iv_id).is_ok_and(|iv_id| {
                session
                    .require(
                        Action::ReadSamplingPlan,
                        &Resource::SamplingPlan { org_id, iv_id },
                    )
                    .is_ok()
            })
        })
        .collect())
}

fn plan_lines(conn: &mut DbConnection, plans: Vec<Plan>) -> Result<Vec<PlanLine>, ActionError> {
    let mut names = Names::default();
    plans
        .into_iter()
        .map(|p| {
            Ok(PlanLine {
                verifier: names.of(conn, &p.iv_id)?,
                id: p.id,
                name: p.name,
                kind: p.kind,
                period_start: p.period_start,
                period_end: p.period_end,
            })
        })
        .collect()
}

#[derive(Serialize)]
struct DashboardView {
    title: String,
    org_id: String,
    org_name: String,
    queue: Vec<QueueItem>,
    plans: Vec<PlanLine>,
    samples: Vec<SampleLine>,
}

/// How many of each list the dashboard shows before linking to the whole list.
const DASHBOARD_ITEMS: usize = 5;

/// `GET /orgs/{org_id}/verification`: the internal verifier's dashboard for one organisation.
pub async fn dashboard(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    Html(dashboard_page(&state, &session, &path).await)
}

async fn dashboard_page(
    state: &AppState,
    session: &Session,
    raw_org: &str,
) -> Result<HttpResponse, PageError> {
    let org_id = path_id(raw_org)?;
    require_plan_reader(session, org_id)?;
    let catalogue = state.catalogue.clone();
    let for_tx = session.clone();
    let view = state
        .db
        .read(move |conn| {
            let org_name = identity::find_organisation(conn, &org_id.to_string())?.name;
            let visible = visible_plans(conn, &for_tx, org_id)?;
            Ok::<_, ActionError>(DashboardView {
                title: format!("Verification — {org_name}"),
                org_id: org_id.to_string(),
                org_name,
                queue: queue(conn, &catalogue, &for_tx, org_id)?,
                plans: plan_lines(conn, visible.into_iter().take(DASHBOARD_ITEMS).collect())?,
                samples: history(conn, &for_tx, org_id, DASHBOARD_ITEMS)?,
            })
        })
        .await?;
    page(state, Some(session), "pages/verification.html", &view)
}

#[derive(Serialize)]
struct QueueView {
    title: String,
    org_id: String,
    org_name: String,
    queue: Vec<QueueItem>,
}

/// `GET /orgs/{org_id}/sample-queue`: unit decisions awaiting sampling.
pub async fn queue_page(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    Html(queue_view(&state, &session, &path).await)
}

async fn queue_view(
    state: &AppState,
    session: &Session,
    raw_org: &str,
) -> Result<HttpResponse, PageError> {
    let org_id = path_id(raw_org)?;
    require_plan_reader(session, org_id)?;
    let catalogue = state.catalogue.clone();
    let for_tx = session.clone();
    let view = state
        .db
        .read(move |conn| {
            let org_name = identity::find_organisation(conn, &org_id.to_string())?.name;
            Ok::<_, ActionError>(QueueView {
                title: format!("Sample queue — {org_name}"),
                org_id: org_id.to_string(),
                org_name,
                queue: queue(conn, &catalogue, &for_tx, org_id)?,
            })
        })
        .await?;
    page(state, Some(session), "pages/sample_queue.html", &view)
}

/// `?recorded=SAMPLE_ID` after a sample is recorded.
#[derive(Debug, Deserialize)]
pub struct HistoryQuery {
    recorded: Option<String>,
}

#[derive(Serialize)]
struct HistoryView {
    title: String,
    org_id: String,
    org_name: String,
    samples: Vec<SampleLine>,
    /// The sample just recorded, to confirm it and say what it did.
    recorded: Option<SampleLine>,
}

/// The most samples the history lists.
const HISTORY_ITEMS: usize = 500;

/// `GET /orgs/{org_id}/samples`: the history of samples.
pub async fn history_page(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    query: web::Query<HistoryQuery>,
) -> Html {
    Html(history_view(&state, &session, &path, query.into_inner().recorded).await)
}

async fn history_view(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    recorded: Option<String>,
) -> Result<HttpResponse, PageError> {
    let org_id = path_id(raw_org)?;
    require_plan_reader(session, org_id)?;
    let for_tx = session.clone();
    let view = state
        .db
        .read(move |conn| {
            let org_name = identity::find_organisation(conn, &org_id.to_string())?.name;
            let samples = history(conn, &for_tx, org_id, HISTORY_ITEMS)?;
            // Only a sample of this list is echoed.
            let recorded = recorded.and_then(|id| samples.iter().find(|s| s.id == id).cloned());
            Ok::<_, ActionError>(HistoryView {
                title: format!("Sampling history — {org_name}"),
                org_id: org_id.to_string(),
                org_name,
                samples,
                recorded,
            })
        })
        .await?;
    page(state, Some(session), "pages/sample_history.html", &view)
}

/// `?plan=ID`: the plan the sample is taken for.
#[derive(Debug, Deserialize)]
pub struct SampleQuery {
    plan: Option<String>,
}

#[derive(Debug, Serialize)]
struct Choice {
    value: String,
    label: String,
}

#[derive(Serialize)]
struct SampleView {
    title: String,
    id: String,
    org_id: String,
    candidate: String,
    assessor: Option<String>,
    unit: String,
    unit_title: String,
    status: String,
    /// summative (after the decision) or interim (work in progress).
    kind: &'static str,
    /// The assessor's decision being sampled, in words.
    decision: Option<String>,
    /// Earlier samples of this portfolio.
    earlier: Vec<SampleLine>,
    plans: Vec<Choice>,
    csrf: String,
    form: FormState,
    /// The VACS checklist's questions, with what was sent.
    vacs: Vec<VacsField>,
}

/// `GET /enrolments/{id}/sample`: the sample record form.
pub async fn sample_form(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    query: web::Query<SampleQuery>,
) -> Html {
    let mut values = vec![("decision".to_owned(), String::new())];
    if let Some(plan) = query.into_inner().plan {
        values.push(("plan_id".to_owned(), plan));
    }
    let form = FormState::with_values(values);
    Html(sample_page(&state, session.0, path.into_inner(), form).await)
}

/// Loads the enrolment for sampling: the policy's refusal is explained in words.
fn sampled_enrolment(
    conn: &mut DbConnection,
    session: &Session,
    id: &str,
) -> Result<Enrolment, ActionError> {
    let enrolment = portfolio::load_enrolment(conn, id)?;
    match sampling_refusal(session, &enrolment)? {
        None => Ok(enrolment),
        Some(why) => Err(ActionError::Forbidden(why)),
    }
}

async fn sample_page(
    state: &AppState,
    session: Session,
    raw_id: String,
    form: FormState,
) -> Result<HttpResponse, PageError> {
    let id = path_id(&raw_id)?.to_string();
    let catalogue = state.catalogue.clone();
    let for_tx = session.clone();
    let view = state
        .db
        .read(move |conn| {
            let enrolment = sampled_enrolment(conn, &for_tx, &id)?;
            let standard = standard_of(&catalogue, &enrolment)?;
            let mut names = Names::default();
            let org_id = enrolment.facts()?.org_id;
            let plan_names: BTreeMap<String, String> =
                plans::list_plans(conn, &enrolment.org_id, None)?
                    .into_iter()
                    .map(|p| (p.id, p.name))
                    .collect();
            let mut earlier = Vec::new();
            for sample in plans::samples_of(conn, &enrolment.id)? {
                earlier.push(sample_line(
                    conn,
                    &mut names,
                    &plan_names,
                    &enrolment,
                    sample,
                )?);
            }
            // The plans this IV may record samples for: those they may manage.
            let plans = visible_plans(conn, &for_tx, org_id)?
                .into_iter()
                .filter(|p| {
                    Uuid::parse_str(&p.iv_id).is_ok_and(|iv_id| {
                        for_tx
                            .require(
                                Action::ManageSamplingPlan,
                                &Resource::SamplingPlan { org_id, iv_id },
                            )
                            .is_ok()
                    })
                })
                .map(|p| Choice {
                    label: format!(
                        "{} ({}, {} to {})",
                        p.name, p.kind, p.period_start, p.period_end
                    ),
                    value: p.id,
                })
                .collect();
            let decision = chain::sign_offs_of(conn, &enrolment.id)?
                .into_iter()
                .rev()
                .find(|s| s.role == "assessor")
                .filter(|_| enrolment.status() == EnrolmentStatus::Assessed)
                .map(|s| {
                    let comments = if s.comments.is_empty() {
                        String::new()
                    } else {
                        format!(": “{}”", s.comments)
                    };
                    format!(
                        "{} by {} on {}{comments}",
                        s.decision, s.user_name, s.signed_on
                    )
                });
            let candidate = names.of(conn, &enrolment.candidate_id)?;
            let assessor = match &enrolment.assessor_id {
                Some(a) => Some(names.of(conn, a)?),
                None => None,
            };
            Ok::<_, ActionError>(SampleView {
                title: format!("Sample — {candidate}"),
                id: enrolment.id.clone(),
                org_id: enrolment.org_id.clone(),
                candidate,
                assessor,
                unit: unit_name(standard),
                unit_title: standard.title.clone(),
                status: enrolment.status.to_string(),
                kind: if enrolment.status() == EnrolmentStatus::Assessed {
                    "summative"
                } else {
                    "interim"
                },
                decision,
                earlier,
                plans,
                csrf: for_tx.csrf.clone(),
                form: FormState::default(),
                vacs: Vec::new(),
            })
        })
        .await;
    let mut view = view?;
    let status = if form.has_errors() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    view.vacs = vacs_fields(&form);
    view.form = form;
    page_with_status(state, Some(&session), "pages/sample.html", &view, status)
}

/// `POST /enrolments/{id}/sample`: records the sample.
pub async fn sample(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(record_page(&state, session.0, path.into_inner(), fields).await)
}

async fn record_page(
    state: &AppState,
    session: Session,
    raw_id: String,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(&session, fields.csrf())?;
    let id = path_id(&raw_id)?.to_string();
    let plan_id = match fields.filled("plan_id") {
        None => None,
        Some(text) => match Uuid::parse_str(&text) {
            Ok(plan) => Some(plan),
            Err(_) => {
                let errors = BTreeMap::from([(
                    "plan_id".to_owned(),
                    "Choose a plan from the list".to_owned(),
                )]);
                return sample_page(state, session, raw_id, FormState::again(&fields, errors))
                    .await;
            }
        },
    };
    let vacs = match read_vacs(&fields) {
        Ok(vacs) => vacs,
        Err(errors) => {
            return sample_page(state, session, raw_id, FormState::again(&fields, errors)).await;
        }
    };
    let input = SampleDecision {
        decision: fields.text("decision").trim().to_owned(),
        feedback: fields.text("feedback").to_owned(),
        action_points: fields.text("action_points").to_owned(),
        plan_id,
        vacs,
    };
    let for_tx = session.clone();
    let base = state.config.public_url.clone();
    let done = state
        .db
        .write(move |conn| {
            let enrolment = sampled_enrolment(conn, &for_tx, &id)?;
            let now = Utc::now();
            let sample = plans::record_sample(conn, &enrolment, &for_tx.user_id, input, now)?;
            crate::notify::events::sample_recorded(conn, &base, &enrolment, &sample, now)?;
            Ok::<_, ActionError>((enrolment.org_id, sample))
        })
        .await;
    match done {
        Ok((org_id, sample)) => Ok(see_other(&format!(
            "/orgs/{org_id}/samples?recorded={}",
            sample.id
        ))),
        Err(err) => {
            let mut errors = field_errors(err)?;
            // Agree or disagree is a choice, not a word typed: say so.
            if errors.contains_key("decision") {
                errors.insert("decision".to_owned(), "Choose agree or disagree".to_owned());
            }
            sample_page(state, session, raw_id, FormState::again(&fields, errors)).await
        }
    }
}
