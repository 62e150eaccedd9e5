//! The portfolio page (`/enrolments/{id}`): progress per outcome in both views, the gaps in plain
//! words, every piece of evidence with the assessor's judgement and feedback per mapping; and the
//! two forms that change the portfolio's state from there — the candidate's submission with the
//! declaration, the assessor's reopening with a reason.

use std::collections::{BTreeMap, HashMap};

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use super::form::{Fields, FormState, field_errors};
use super::rows::{Names, unit_name};
use super::view::{Html, PageError, PageSession, check_csrf, page_with_status, see_other};
use crate::action::ActionError;
use crate::auth::policy::{Action, EnrolmentStatus, Resource};
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::http::AppState;
use crate::http::api::enrolments::authorize;
use crate::http::api::path_id;
use crate::http::session::Session;
use crate::portfolio::{self, Enrolment, EvidenceRecord};
use crate::portfolio::{acknowledgements, time_points};
use crate::rules::report::{InstanceReport, Report};
use crate::rules::{Progress, View};
use crate::standards::Standard;

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

#[derive(Debug, Serialize)]
struct MappingView {
    id: String,
    text: String,
    range: Vec<String>,
    judgement: &'static str,
    feedback: Option<String>,
}

#[derive(Debug, Serialize)]
struct FileView {
    name: String,
    size: String,
    url: String,
    /// The same file shown in the browser (for the types that may be).
    inline_url: String,
    /// image, audio, video, pdf or file (a download only).
    shown: &'static str,
}

/// One piece of evidence as the pages show it.
#[derive(Debug, Serialize)]
pub(super) struct EvidenceView {
    id: String,
    heading: String,
    method: &'static str,
    date: NaiveDate,
    time: Option<String>,
    setting: &'static str,
    channels: Vec<&'static str>,
    site: Option<String>,
    attributes: Vec<(String, String)>,
    recorded_by: String,
    recorded_at: NaiveDateTime,
    declared_at: Option<NaiveDateTime>,
    file: Option<FileView>,
    criteria: Vec<MappingView>,
    knowledge: Vec<MappingView>,
    details: crate::portfolio::EvidenceDetails,
    not_counted: Vec<String>,
    waiting: bool,
    /// An observation or questioning record the assessor made: the candidate acknowledges it.
    pub(super) ack_needed: bool,
    /// The candidate's acknowledgement, when made.
    pub(super) acknowledged: Option<AckLine>,
    /// Some mapping was rejected (the candidate has something to do).
    rejected: bool,
    /// Witness testimony the witness has not confirmed yet (it does not count).
    awaiting_witness: bool,
    /// The testimony's witness page (links sent, confirmation).
    witness_url: Option<String>,
    /// A recording's page: its player and time points.
    recording_url: Option<String>,
    /// A recording's time points, in playing order.
    pub(super) time_points: Vec<super::recording::TimePointView>,
}

/// A candidate's acknowledgement as the pages show it.
#[derive(Debug, Serialize)]
pub(super) struct AckLine {
    pub(super) on: NaiveDate,
    pub(super) comment: String,
}

/// The IV's disagreement waiting for the assessor, as the pages show it.
#[derive(Debug, Serialize)]
pub(super) struct SentBackView {
    pub(super) verifier: String,
    pub(super) date_sampled: NaiveDate,
    pub(super) feedback: String,
    pub(super) action_points: Vec<String>,
}

impl From<crate::signoff::feedback::SentBack> for SentBackView {
    fn from(s: crate::signoff::feedback::SentBack) -> Self {
        SentBackView {
            verifier: s.verifier,
            date_sampled: s.date_sampled,
            feedback: s.feedback,
            action_points: s.action_points,
        }
    }
}

/// A "not yet competent" decision the candidate still has to act on.
#[derive(Debug, Serialize)]
pub(super) struct ToDoView {
    pub(super) decided_on: NaiveDate,
    pub(super) feedback: String,
    pub(super) gaps: Vec<String>,
}

/// The candidate's statement of competence, as the pages offer it.
#[derive(Debug, Serialize)]
pub(super) struct StatementLinks {
    pub(super) code: String,
    pub(super) issued: NaiveDate,
    pub(super) verification_url: String,
    /// The verification page on this instance.
    pub(super) verify: String,
    pub(super) revoked: bool,
    pub(super) pdf: String,
    pub(super) badge: String,
}

/// The current statement of an enrolment, when the session may read it.
pub(super) fn statement_links(
    conn: &mut DbConnection,
    session: &Session,
    enrolment: &Enrolment,
) -> Result<Option<StatementLinks>, ActionError> {
    let readable = session
        .require(
            Action::ReadStatement,
            &Resource::Statement {
                enrolment: enrolment.facts()?,
            },
        )
        .is_ok();
    if !readable {
        return Ok(None);
    }
    let Some(row) = crate::signoff::statements::current(conn, &enrolment.id)? else {
        return Ok(None);
    };
    let summary = row.summary()?;
    Ok(Some(StatementLinks {
        verify: format!("/verify/{}", summary.code),
        code: summary.code,
        issued: summary.issued,
        verification_url: summary.verification_url,
        revoked: summary.revoked_at.is_some(),
        pdf: format!("/api/enrolments/{}/statement.pdf", enrolment.id),
        badge: format!("/api/enrolments/{}/credential.json", enrolment.id),
    }))
}

/// The "not yet competent" feedback the candidate still has to act on.
pub(super) fn to_do(
    conn: &mut DbConnection,
    enrolment: &Enrolment,
) -> Result<Option<ToDoView>, ActionError> {
    Ok(
        crate::signoff::feedback::open_feedback(conn, enrolment)?.map(|f| ToDoView {
            decided_on: f.decided_at.date(),
            gaps: f.gap_list(),
            feedback: f.feedback,
        }),
    )
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

/// The two state-changing forms on the page, as sent when one was refused; the evidence just added.
#[derive(Default)]
struct Forms {
    submit: FormState,
    reopen: FormState,
    added: Option<String>,
    acknowledged: Option<String>,
    /// The acknowledgement form refused: (evidence id, the form as sent).
    acknowledge: Option<(String, FormState)>,
}

async fn render(
    state: &AppState,
    session: Session,
    raw_id: String,
    view: View,
    forms: Forms,
) -> Result<HttpResponse, PageError> {
    let id = path_id(&raw_id)?.to_string();
    let catalogue = state.catalogue.clone();
    let for_tx = session.clone();
    let mut built = state
        .db
        .read(move |conn| portfolio_view(conn, &catalogue, &for_tx, &id, view))
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
    id: &str,
    view: View,
) -> Result<PortfolioView, ActionError> {
    let enrolment = authorize(conn, session, id, Action::ReadEnrolment)?;
    let mut names = Names::default();
    let candidate = names.of(conn, &enrolment.candidate_id)?;
    let assessor = match &enrolment.assessor_id {
        Some(id) => Some(names.of(conn, id)?),
        None => None,
    };
    let verifier = match &enrolment.iv_id {
        Some(id) => Some(names.of(conn, id)?),
        None => None,
    };
    let evaluation =
        portfolio::Evaluation::load(conn, catalogue, &enrolment, Some(candidate.clone()))?;
    let (standard, records) = (evaluation.standard, &evaluation.records);
    let report = evaluation.progress();
    let shown = match view {
        View::Claimed => &report.claimed,
        View::Confirmed => &report.confirmed,
    };
    let instances: HashMap<&str, &InstanceReport> =
        shown.evidence.iter().map(|i| (i.id, i)).collect();
    let mut evidence = Vec::with_capacity(records.len());
    let acknowledgements = acknowledgements::acknowledgements_of(conn, &enrolment.id)?;
    let points = time_points::of_enrolment(conn, &enrolment.id)?;
    let assesses = enrolment.assessor_id.as_deref() == Some(session.user_id.as_str());
    for record in records {
        let recorded_by = names.of(conn, &record.recorded_by)?;
        let mut shown = evidence_view(
            standard,
            &enrolment.id,
            record,
            recorded_by,
            instances.get(record.id.as_str()).copied(),
        );
        let mine: Vec<_> = points
            .iter()
            .filter(|p| p.evidence_id == record.id)
            .cloned()
            .collect();
        if !mine.is_empty() {
            let mut name_of = |id: &str| names.of(conn, id).unwrap_or_default();
            shown.time_points = super::recording::time_point_views(
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
    let own = session.user_id == enrolment.candidate_id;
    let sent_back = if own {
        None
    } else {
        crate::signoff::feedback::pending(conn, &enrolment.id)?.map(SentBackView::from)
    };
    let to_do = to_do(conn, &enrolment)?;
    let statement = statement_links(conn, session, &enrolment)?;
    let extension = portfolio::expiry::extension_in_force(conn, &enrolment.id)?;
    let last_move = portfolio::moves::last(conn, &enrolment)?;
    Ok(PortfolioView {
        last_move,
        last_assessment: crate::catalogue::last_assessment_day(standard),
        extension,
        title: format!("{} — {}", candidate, unit_name(standard)),
        id: enrolment.id.clone(),
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
        complete: report.confirmed.complete,
        overall: Bars {
            claimed: report.claimed.progress,
            confirmed: report.confirmed.progress,
        },
        outcomes: outcome_progress(&report.claimed, &report.confirmed),
        knowledge: knowledge_progress(&report.claimed, &report.confirmed),
        gaps: shown.gaps.iter().map(|g| g.message.clone()).collect(),
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

fn outcome_progress(claimed: &Report, confirmed: &Report) -> Vec<OutcomeProgress> {
    claimed
        .outcomes
        .iter()
        .zip(&confirmed.outcomes)
        .map(|(c, k)| OutcomeProgress {
            id: c.id.to_string(),
            label: format!("Outcome {}", c.id),
            title: c.title.to_string(),
            bars: Bars {
                claimed: c.progress,
                confirmed: k.progress,
            },
        })
        .collect()
}

/// Required knowledge items met, when the standard has any.
fn knowledge_progress(claimed: &Report, confirmed: &Report) -> Option<Bars> {
    let count = |report: &Report| {
        let mut progress = Progress::default();
        for item in report.knowledge.iter().filter(|k| k.required) {
            progress.add(item.status == crate::rules::Status::Met);
        }
        progress
    };
    let (claimed, confirmed) = (count(claimed), count(confirmed));
    (claimed.total > 0).then_some(Bars { claimed, confirmed })
}

fn judgement_word(judgement: crate::rules::portfolio::Judgement) -> &'static str {
    use crate::rules::portfolio::Judgement;
    match judgement {
        Judgement::Pending => "pending",
        Judgement::Accepted => "accepted",
        Judgement::Rejected => "rejected",
    }
}

/// A range item by its words in the standard (an item an open list does not name, as written).
fn range_item_text(standard: &Standard, list: &str, item: &str) -> String {
    standard
        .range_list(list)
        .and_then(|l| l.items.iter().find(|i| i.id == item))
        .map_or_else(|| item.to_owned(), |i| i.text.clone())
}

/// An attribute value in words: the declared labels, "yes" for a flag.
fn attribute_words(
    standard: &Standard,
    id: &str,
    value: &crate::rules::portfolio::AttributeValue,
) -> (String, String) {
    use crate::rules::portfolio::AttributeValue;
    let attribute = standard.attribute(id);
    let label = attribute.map_or_else(|| id.to_owned(), |a| a.label.clone());
    let word = |w: &String| {
        attribute
            .and_then(|a| {
                a.values
                    .iter()
                    .find(|v| &v.id == w)
                    .map(|v| v.label.clone())
            })
            .or_else(|| {
                attribute
                    .and_then(|a| a.values_from.as_deref())
                    .and_then(|list| standard.range_list(list))
                    .and_then(|l| l.items.iter().find(|i| &i.id == w).map(|i| i.text.clone()))
            })
            .unwrap_or_else(|| w.clone())
    };
    let words = match value {
        AttributeValue::Flag(true) => "yes".to_owned(),
        AttributeValue::Flag(false) => "no".to_owned(),
        other => other
            .words()
            .iter()
            .map(word)
            .collect::<Vec<_>>()
            .join(", "),
    };
    (label, words)
}

fn size_words(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} bytes"),
        b if b < 1024 * 1024 => format!("{} KB", b / 1024),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

/// The evidence as the portfolio and the judge page show it; `instance` adds what the engine
/// made of it.
pub(super) fn evidence_view(
    standard: &Standard,
    enrolment_id: &str,
    record: &EvidenceRecord,
    recorded_by: String,
    instance: Option<&InstanceReport>,
) -> EvidenceView {
    let e = &record.instance;
    let method = e.method.label();
    let criteria: Vec<MappingView> = e
        .criteria
        .iter()
        .map(|m| MappingView {
            id: m.criterion.clone(),
            text: standard
                .criterion(&m.criterion)
                .map(|c| c.text.clone())
                .unwrap_or_default(),
            range: m
                .range
                .iter()
                .flat_map(|(list, items)| items.iter().map(move |item| (list, item)))
                .map(|(list, item)| range_item_text(standard, list, item))
                .collect(),
            judgement: judgement_word(m.judgement),
            feedback: m.feedback.clone(),
        })
        .collect();
    let knowledge: Vec<MappingView> = e
        .knowledge
        .iter()
        .map(|k| MappingView {
            id: k.item.clone(),
            text: standard
                .knowledge_item(&k.item)
                .map(|i| i.text.clone())
                .unwrap_or_default(),
            range: Vec::new(),
            judgement: judgement_word(k.judgement),
            feedback: k.feedback.clone(),
        })
        .collect();
    let waiting = criteria
        .iter()
        .chain(&knowledge)
        .any(|m| m.judgement == "pending");
    let rejected = criteria
        .iter()
        .chain(&knowledge)
        .any(|m| m.judgement == "rejected");
    EvidenceView {
        id: record.id.clone(),
        heading: e
            .title
            .clone()
            .unwrap_or_else(|| super::view::capitalise(method)),
        method,
        date: e.date,
        time: e.time.map(|t| t.format("%H:%M").to_string()),
        setting: match e.setting {
            crate::rules::portfolio::Setting::Workplace => "workplace",
            crate::rules::portfolio::Setting::Simulation => "simulation",
        },
        channels: e.channel.iter().map(|c| c.label()).collect(),
        site: e.site.clone(),
        attributes: e
            .attributes
            .iter()
            .map(|(id, value)| attribute_words(standard, id, value))
            .collect(),
        recorded_by,
        recorded_at: record.recorded_at,
        declared_at: record.declared_at,
        file: record.file.as_ref().map(|f| {
            let url = format!("/api/enrolments/{enrolment_id}/evidence/{}/file", record.id);
            FileView {
                name: f.name.clone(),
                size: size_words(f.size),
                inline_url: format!("{url}?inline=1"),
                url,
                shown: crate::http::inline::shown_as(&f.content_type),
            }
        }),
        criteria,
        knowledge,
        details: record.details.clone(),
        not_counted: instance
            .map(|i| i.not_counted.iter().map(|r| r.message.clone()).collect())
            .unwrap_or_default(),
        waiting,
        ack_needed: false,
        acknowledged: None,
        rejected,
        awaiting_witness: record.awaiting_witness(),
        witness_url: record
            .details
            .witness
            .as_ref()
            .map(|_| format!("/enrolments/{enrolment_id}/evidence/{}/witness", record.id)),
        recording_url: time_points::is_recording(record).then(|| {
            format!(
                "/enrolments/{enrolment_id}/evidence/{}/recording",
                record.id
            )
        }),
        time_points: Vec::new(),
    }
}

/// `POST /enrolments/{id}/submit`: the candidate's declaration and submission.
pub async fn submit(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(submit_page(&state, session.0, path.into_inner(), fields).await)
}

async fn submit_page(
    state: &AppState,
    session: Session,
    raw_id: String,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(&session, fields.csrf())?;
    let id = path_id(&raw_id)?.to_string();
    let declaration = fields.ticked("declaration");
    let for_tx = session.clone();
    let done = state
        .db
        .write(move |conn| {
            let enrolment = authorize(conn, &for_tx, &id, Action::SubmitEnrolment)?;
            // The same action as the API: the declaration is the candidate's signature, which the
            // statement of competence needs later.
            crate::signoff::chain::candidate_submits(
                conn,
                &enrolment,
                &for_tx.user_id,
                declaration,
                Utc::now(),
            )
        })
        .await;
    match done {
        Ok(enrolment) => Ok(see_other(&format!("/enrolments/{}", enrolment.id))),
        Err(err) => {
            let errors = field_errors(err)?;
            let forms = Forms {
                submit: FormState::again(&fields, errors),
                ..Forms::default()
            };
            render(state, session, raw_id, View::Confirmed, forms).await
        }
    }
}

/// `POST /enrolments/{id}/reopen`: the assessor reopens a submitted or assessed portfolio.
pub async fn reopen(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(reopen_page(&state, session.0, path.into_inner(), fields).await)
}

async fn reopen_page(
    state: &AppState,
    session: Session,
    raw_id: String,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(&session, fields.csrf())?;
    let id = path_id(&raw_id)?.to_string();
    let reason = fields.text("reason").to_owned();
    let for_tx = session.clone();
    let done = state
        .db
        .write(move |conn| {
            let enrolment = authorize(conn, &for_tx, &id, Action::ReopenEnrolment)?;
            portfolio::reopen(conn, &enrolment, &for_tx.user_id, &reason, Utc::now())
        })
        .await;
    match done {
        Ok(enrolment) => Ok(see_other(&format!("/enrolments/{}", enrolment.id))),
        Err(err) => {
            let errors: BTreeMap<String, String> = field_errors(err)?;
            let forms = Forms {
                reopen: FormState::again(&fields, errors),
                ..Forms::default()
            };
            render(state, session, raw_id, View::Confirmed, forms).await
        }
    }
}

/// `POST /enrolments/{id}/evidence/{evidence_id}/acknowledge`: the candidate acknowledges an
/// observation or questioning record, with an optional comment.
pub async fn acknowledge(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<(String, String)>,
    fields: Fields,
) -> Html {
    let (raw_id, raw_evidence) = path.into_inner();
    Html(acknowledge_page(&state, session.0, raw_id, raw_evidence, fields).await)
}

async fn acknowledge_page(
    state: &AppState,
    session: Session,
    raw_id: String,
    raw_evidence: String,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(&session, fields.csrf())?;
    let id = path_id(&raw_id)?.to_string();
    let evidence_id = path_id(&raw_evidence)?.to_string();
    let comment = fields.text("comment").to_owned();
    let base = state.config.public_url.clone();
    let for_tx = session.clone();
    let target = evidence_id.clone();
    let done = state
        .db
        .write(move |conn| {
            let enrolment = authorize(conn, &for_tx, &id, Action::ReadEnrolment)?;
            acknowledgements::acknowledge(
                conn,
                &base,
                &enrolment,
                &for_tx.user_id,
                &target,
                &comment,
                Utc::now(),
            )
        })
        .await;
    match done {
        Ok(ack) => Ok(see_other(&format!(
            "/enrolments/{}?acknowledged={}#evidence-{}",
            ack.enrolment_id, ack.evidence_id, ack.evidence_id
        ))),
        Err(err) => {
            let errors = field_errors(err)?;
            let forms = Forms {
                acknowledge: Some((evidence_id, FormState::again(&fields, errors))),
                ..Forms::default()
            };
            render(state, session, raw_id, View::Confirmed, forms).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(size_words(900), "900 bytes");
        assert_eq!(size_words(2048), "2 KB");
        assert_eq!(size_words(3 * 1024 * 1024 + 512 * 1024), "3.5 MB");
    }
}
