//! The portfolio page: progress by outcome, what the signed-in person may do, the forms it offers.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::*;
use crate::action::ActionError;
use crate::auth::policy::{Action, EnrolmentStatus, Resource};
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::EnrolmentId;
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::pages::form::FormState;
use crate::http::pages::rows::{Names, unit_name};
use crate::http::pages::view::{Html, PageError, PageSession, page_with_status};
use crate::http::session::Session;
use crate::http::shared::enrolments::authorize;
use crate::portfolio::shown::{ShownInstance, ShownReport};
use crate::portfolio::{self, Enrolment};
use crate::portfolio::{acknowledgements, time_points};
use crate::rules::{Progress, View};

/// `?view=claimed|confirmed`: which view the gap list shows; `?added=ID` after adding evidence.
#[derive(Debug, Deserialize)]
pub struct ViewQuery {
    view: Option<String>,
    added: Option<String>,
    acknowledged: Option<String>,
}

#[derive(Debug, Serialize)]
struct Bars {
    claimed: Progress,
    confirmed: Progress,
}

#[derive(Debug, Serialize)]
struct OutcomeProgress {
    id: String,
    label: String,
    title: String,
    bars: Bars,
}

#[derive(Debug, Default, Serialize)]
struct Can {
    add: bool,
    record: bool,
    judge: bool,
    submit: bool,
    reopen: bool,
    decide: bool,
    sample: bool,
    staff: bool,
    /// Download the portfolio archive.
    archive: bool,
}

#[derive(Debug, Serialize)]
struct Unit {
    name: String,
    title: String,
    credits: Option<String>,
}

#[derive(Debug, Serialize)]
struct PortfolioView {
    title: String,
    id: String,
    status: String,
    start_date: NaiveDate,
    reopen_reason: Option<String>,
    unit: Unit,
    candidate: String,
    assessor: Option<String>,
    verifier: Option<String>,
    view: &'static str,
    complete: bool,
    overall: Bars,
    outcomes: Vec<OutcomeProgress>,
    knowledge: Option<Bars>,
    gaps: Vec<String>,
    evidence: Vec<EvidenceView>,
    outcome_choices: Vec<(String, String)>,
    can: Can,
    /// The session is the candidate's own: links say "my portfolio".
    own: bool,
    csrf: String,
    submit_form: FormState,
    reopen_form: FormState,
    /// The evidence just added, to confirm it.
    added: Option<String>,
    /// The internal verifier's disagreement still waiting for the assessor (staff only).
    sent_back: Option<SentBackView>,
    /// The assessor's "not yet competent" feedback and gaps, while the candidate acts on them.
    to_do: Option<ToDoView>,
    /// The statement of competence, when issued and readable.
    statement: Option<StatementLinks>,
    /// The record just acknowledged.
    acknowledged: Option<String>,
    /// The acknowledgement form as sent, when refused.
    ack_form: Option<AckForm>,
    /// The standard version's last date for assessment, when it has one.
    last_assessment: Option<NaiveDate>,
    /// The extension that lets the enrolment be assessed after it.
    extension: Option<portfolio::expiry::ExtensionInForce>,
    /// The enrolment's last move to another version of its standard.
    last_move: Option<portfolio::moves::LastMove>,
}

#[derive(Debug, Serialize)]
struct AckForm {
    evidence_id: String,
    form: FormState,
}

/// `GET /enrolments/{id}`.
pub async fn show(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    query: web::Query<ViewQuery>,
) -> Html {
    let view = match query.view.as_deref() {
        Some("claimed") => View::Claimed,
        _ => View::Confirmed,
    };
    let forms = Forms {
        added: query.added.clone(),
        acknowledged: query.acknowledged.clone(),
        ..Forms::default()
    };
    Html(render(&state, session.0, path.into_inner(), view, forms).await)
}

pub(super) async fn render(
    state: &AppState,
    session: Session,
    raw_id: String,
    view: View,
    forms: Forms,
) -> Result<HttpResponse, PageError> {
    let id: EnrolmentId = typed_path_id(&raw_id)?;
    let catalogue = state.catalogue.clone();
    let for_tx = session.clone();
    let mut built = state
        .db
        .read(move |conn| portfolio_view(conn, &catalogue, &for_tx, id, view))
        .await?;
    let refused_ack = forms
        .acknowledge
        .as_ref()
        .is_some_and(|(_, f)| f.has_errors());
    let status = if forms.submit.has_errors() || forms.reopen.has_errors() || refused_ack {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    built.submit_form = forms.submit;
    built.reopen_form = forms.reopen;
    // Only an id of this portfolio's evidence is echoed.
    built.added = forms
        .added
        .filter(|added| built.evidence.iter().any(|e| &e.id == added));
    built.acknowledged = forms
        .acknowledged
        .filter(|done| built.evidence.iter().any(|e| &e.id == done));
    if let Some((evidence_id, form)) = forms.acknowledge {
        built.ack_form = Some(AckForm { evidence_id, form });
    }
    page_with_status(
        state,
        Some(&session),
        "pages/portfolio.html",
        &built,
        status,
    )
}

fn allowed(session: &Session, action: Action, enrolment: &Enrolment) -> Result<bool, ActionError> {
    Ok(session
        .require(action, &Resource::Enrolment(enrolment.facts()?))
        .is_ok())
}

/// What the session may do here, by the policy and by the portfolio's state.
fn abilities(session: &Session, enrolment: &Enrolment) -> Result<Can, ActionError> {
    let status = enrolment.status();
    let record = allowed(session, Action::RecordAssessorEvidence, enrolment)?;
    let open =
        status == EnrolmentStatus::Active || (status == EnrolmentStatus::Submitted && record);
    Ok(Can {
        add: open && allowed(session, Action::AddEvidence, enrolment)?,
        record: open && record,
        judge: open && allowed(session, Action::JudgeEvidence, enrolment)?,
        submit: status == EnrolmentStatus::Active
            && allowed(session, Action::SubmitEnrolment, enrolment)?,
        reopen: matches!(
            status,
            EnrolmentStatus::Submitted | EnrolmentStatus::Assessed
        ) && allowed(session, Action::ReopenEnrolment, enrolment)?,
        decide: matches!(
            status,
            EnrolmentStatus::Submitted | EnrolmentStatus::Assessed
        ) && allowed(session, Action::DecideUnit, enrolment)?,
        sample: matches!(
            status,
            EnrolmentStatus::Active | EnrolmentStatus::Submitted | EnrolmentStatus::Assessed
        ) && allowed(session, Action::SampleEnrolment, enrolment)?,
        staff: allowed(session, Action::AssignEnrolmentStaff, enrolment)?,
        archive: allowed(session, Action::ReadEnrolment, enrolment)?,
    })
}

fn portfolio_view(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    session: &Session,
    id: EnrolmentId,
    view: View,
) -> Result<PortfolioView, ActionError> {
    let enrolment = authorize(conn, session, id, Action::ReadEnrolment)?;
    let mut names = Names::default();
    let candidate = names.of(conn, enrolment.candidate_id)?;
    let assessor = match &enrolment.assessor_id {
        Some(id) => Some(names.of(conn, *id)?),
        None => None,
    };
    let verifier = match &enrolment.iv_id {
        Some(id) => Some(names.of(conn, *id)?),
        None => None,
    };
    let (standard, records, reports) =
        portfolio::shown::records_and_reports(conn, catalogue, &enrolment)?;
    let in_view = reports.of(view);
    let reasons: HashMap<&str, &ShownInstance> = in_view
        .evidence
        .iter()
        .map(|i| (i.id.as_str(), i))
        .collect();
    let mut evidence = Vec::with_capacity(records.len());
    let acknowledgements = acknowledgements::acknowledgements_of(conn, enrolment.id)?;
    let points = time_points::of_enrolment(conn, enrolment.id)?;
    let assesses = enrolment
        .assessor_id
        .is_some_and(|id| id == session.user_id);
    for record in &records {
        let recorded_by = names.of(conn, record.recorded_by)?;
        let not_counted = reasons
            .get(record.id.to_string().as_str())
            .map(|i| i.not_counted.iter().map(|r| r.message.clone()).collect())
            .unwrap_or_default();
        let mut shown = evidence_view(standard, enrolment.id, record, recorded_by, not_counted);
        let mine: Vec<_> = points
            .iter()
            .filter(|p| p.evidence_id == record.id)
            .cloned()
            .collect();
        if !mine.is_empty() {
            let mut name_of = |id: &str| {
                crate::db::ids::stored(id)
                    .map_err(ActionError::from)
                    .and_then(|user| names.of(conn, user))
                    .unwrap_or_default()
            };
            shown.time_points = crate::http::pages::recording::time_point_views(
                standard,
                &mine,
                &mut name_of,
                &session.user_id,
                assesses,
            );
        }
        shown.ack_needed = acknowledgements::needs_acknowledgement(&enrolment, record);
        shown.acknowledged = acknowledgements
            .iter()
            .find(|a| a.evidence_id == record.id)
            .map(|a| AckLine {
                on: a.acknowledged_at.date(),
                comment: a.comment.clone(),
            });
        evidence.push(shown);
    }
    let own = enrolment.candidate_id == session.user_id;
    let sent_back = if own {
        None
    } else {
        crate::signoff::feedback::pending(conn, enrolment.id)?.map(SentBackView::from)
    };
    let to_do = to_do(conn, &enrolment)?;
    let statement = statement_links(conn, session, &enrolment)?;
    let extension = portfolio::expiry::extension_in_force(conn, enrolment.id)?;
    let last_move = portfolio::moves::last(conn, &enrolment)?;
    Ok(PortfolioView {
        last_move,
        last_assessment: crate::catalogue::last_assessment_day(standard),
        extension,
        title: format!("{} — {}", candidate, unit_name(standard)),
        id: enrolment.id.to_string(),
        status: enrolment.status.to_string(),
        start_date: enrolment.start_date,
        reopen_reason: enrolment.reopen_reason.clone(),
        unit: Unit {
            name: unit_name(standard),
            title: standard.title.clone(),
            credits: standard
                .credits
                .as_ref()
                .map(|c| format!("{} {}", c.value, c.unit)),
        },
        candidate,
        assessor,
        verifier,
        view: view.as_str(),
        complete: reports.confirmed.complete,
        overall: Bars {
            claimed: reports.claimed.progress,
            confirmed: reports.confirmed.progress,
        },
        outcomes: outcome_progress(&reports.claimed, &reports.confirmed),
        knowledge: knowledge_progress(&reports.claimed, &reports.confirmed),
        gaps: in_view.gaps.iter().map(|g| g.message.clone()).collect(),
        evidence,
        outcome_choices: standard
            .outcomes
            .iter()
            .map(|o| (o.id.clone(), o.title.clone()))
            .collect(),
        can: abilities(session, &enrolment)?,
        own,
        csrf: session.csrf.clone(),
        submit_form: FormState::default(),
        reopen_form: FormState::default(),
        added: None,
        sent_back,
        to_do,
        statement,
        acknowledged: None,
        ack_form: None,
    })
}

fn outcome_progress(claimed: &ShownReport, confirmed: &ShownReport) -> Vec<OutcomeProgress> {
    claimed
        .outcomes
        .iter()
        .zip(&confirmed.outcomes)
        .map(|(c, k)| OutcomeProgress {
            id: c.id.clone(),
            label: format!("Outcome {}", c.id),
            title: c.title.clone(),
            bars: Bars {
                claimed: c.progress,
                confirmed: k.progress,
            },
        })
        .collect()
}

/// Required knowledge items met, when the standard has any.
fn knowledge_progress(claimed: &ShownReport, confirmed: &ShownReport) -> Option<Bars> {
    let count = |report: &ShownReport| {
        let mut progress = Progress::default();
        for item in report.knowledge.iter().filter(|k| k.required) {
            progress.add(item.status == crate::rules::Status::Met);
        }
        progress
    };
    let (claimed, confirmed) = (count(claimed), count(confirmed));
    (claimed.total > 0).then_some(Bars { claimed, confirmed })
}
