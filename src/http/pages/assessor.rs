//! The assessor's pages: the caseload; the questioning record; judging a piece of evidence mapping
//! by mapping. (The observation checklist is in `observation`.)

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::evidence::{EvidenceForm, add_described, open, show};
use super::form::{Fields, FormState, field_id};
use super::portfolio::{EvidenceView, evidence_view};
use super::record::{
    new_record_fields, place_errors, read_activity, read_attributes, read_mappings,
};
use super::rows::{EnrolmentRow, live_orgs, rows_in_org, standard_of};
use super::view::{Html, PageError, PageSession, check_csrf, page, see_other};
use crate::action::ActionError;
use crate::auth::policy::{Action, Role};
use crate::http::AppState;
use crate::http::api::enrolments::{NextJudgement, authorize, next_waiting};
use crate::http::api::path_id;
use crate::http::session::Session;
use crate::portfolio::{self, JudgementInput, Judgements};
use crate::rules::portfolio::Judgement;
use crate::standards::Standard;

/// `?sort=waiting|close|idle`; `?nothing=1` when "next item waiting" found nothing.
#[derive(Debug, Deserialize)]
pub struct CaseloadQuery {
    sort: Option<String>,
    nothing: Option<String>,
}

#[derive(Serialize)]
struct CaseloadView {
    title: &'static str,
    sort: &'static str,
    rows: Vec<EnrolmentRow>,
    waiting: usize,
    /// Decisions the internal verifier sent back, waiting for the assessor's answer.
    sent_back: usize,
    /// Arrived from "next item waiting" (or from saving judgements) with nothing left to judge.
    nothing_waiting: bool,
    /// Answers to questions waiting for marking.
    to_mark: Vec<super::questions::MarkLink>,
}

/// `GET /caseload`: every enrolment the assessor assesses, sorted by what needs them first.
pub async fn caseload(
    state: web::Data<AppState>,
    session: PageSession,
    query: web::Query<CaseloadQuery>,
) -> Html {
    let sort = match query.sort.as_deref() {
        Some("close") => "close",
        Some("idle") => "idle",
        _ => "waiting",
    };
    let catalogue = state.catalogue.clone();
    let for_tx = session.0.clone();
    let loaded = state
        .db
        .read(move |conn| {
            let me = for_tx.user_id.clone();
            let now = Utc::now();
            let mut rows = Vec::new();
            for org in live_orgs(&for_tx.actor) {
                let assesses = for_tx
                    .actor
                    .grants
                    .iter()
                    .any(|g| g.org_id == org && g.role == Role::Assessor && g.is_live(now));
                if assesses {
                    rows.extend(rows_in_org(conn, &catalogue, &for_tx.actor, org, |e| {
                        e.assessor_id.as_deref() == Some(me.as_str())
                    })?);
                }
            }
            let to_mark = super::questions::to_mark(conn, &rows)?;
            Ok::<_, ActionError>((rows, to_mark))
        })
        .await;
    let (mut rows, to_mark) = match loaded {
        Ok(loaded) => loaded,
        Err(err) => return Html(Err(err.into())),
    };
    // Finished work (certified, withdrawn) stays listed, last; a decision the IV sent back comes
    // first in every sort, until the assessor has answered it.
    let done = |r: &EnrolmentRow| matches!(r.status.as_str(), "certified" | "withdrawn");
    match sort {
        "close" => rows.sort_by_key(|r| {
            (
                !r.sent_back,
                done(r),
                r.complete,
                std::cmp::Reverse(r.confirmed),
            )
        }),
        "idle" => rows.sort_by_key(|r| (!r.sent_back, done(r), std::cmp::Reverse(r.idle_days))),
        _ => rows.sort_by_key(|r| {
            (
                !r.sent_back,
                done(r),
                std::cmp::Reverse(r.waiting),
                std::cmp::Reverse(r.idle_days),
            )
        }),
    }
    let view = CaseloadView {
        title: "Your caseload",
        sent_back: rows.iter().filter(|r| r.sent_back).count(),
        sort,
        waiting: rows.iter().map(|r| r.waiting).sum(),
        nothing_waiting: query.nothing.is_some(),
        rows,
        to_mark,
    };
    page(&state, Some(&session), "pages/caseload.html", &view).into()
}

/// Where "next item waiting" leads: the judge page of the oldest evidence waiting for the
/// assessor, or back to the caseload saying nothing is.
fn next_location(next: Option<&NextJudgement>, saved: bool) -> String {
    match next {
        Some(next) => format!(
            "/enrolments/{}/evidence/{}/judge{}",
            next.enrolment_id,
            next.evidence_id,
            if saved { "?saved=1" } else { "" }
        ),
        None => "/caseload?nothing=1".to_owned(),
    }
}

/// `GET /caseload/next`: one action from the caseload to the oldest evidence waiting for judgement.
pub async fn caseload_next(state: web::Data<AppState>, session: PageSession) -> Html {
    let for_tx = session.0.clone();
    let next = state
        .db
        .read(move |conn| next_waiting(conn, &for_tx, None))
        .await;
    Html(
        next.map(|next| see_other(&next_location(next.as_ref(), false)))
            .map_err(PageError::from),
    )
}

/// How many question and answer pairs the questioning form offers.
const QUESTION_ROWS: usize = 5;

#[derive(Serialize)]
struct QuestionRow {
    n: usize,
    question: String,
    answer: String,
}

#[derive(Serialize)]
struct QuestioningView {
    #[serde(flatten)]
    common: EvidenceForm,
    questions: Vec<QuestionRow>,
    written: bool,
}

fn questioning_view(
    state: &AppState,
    session: &Session,
    opened: &super::evidence::Opened,
    standard: &Standard,
    fields: &Fields,
    errors: BTreeMap<String, String>,
) -> QuestioningView {
    QuestioningView {
        common: EvidenceForm::new(
            state,
            session,
            opened,
            standard,
            "Record questioning",
            fields,
            errors,
        ),
        questions: (1..=QUESTION_ROWS)
            .map(|n| QuestionRow {
                n,
                question: fields.text(&format!("question.{n}")).to_owned(),
                answer: fields.text(&format!("answer.{n}")).to_owned(),
            })
            .collect(),
        written: fields.text("method") == "written_questioning",
    }
}

/// `GET /enrolments/{id}/questioning/new`.
pub async fn questioning_form(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    Html(questioning_form_page(&state, &session, &path).await)
}

async fn questioning_form_page(
    state: &AppState,
    session: &Session,
    raw_id: &str,
) -> Result<HttpResponse, PageError> {
    let opened = open(state, session, raw_id, Action::RecordAssessorEvidence).await?;
    let standard = standard_of(&state.catalogue, &opened.enrolment)?;
    let view = questioning_view(
        state,
        session,
        &opened,
        standard,
        &new_record_fields(),
        BTreeMap::new(),
    );
    show(
        state,
        session,
        "pages/evidence_questioning.html",
        &view,
        false,
    )
}

fn questioning_record(
    standard: &Standard,
    fields: &Fields,
) -> (Map<String, Value>, Vec<String>, BTreeMap<String, String>) {
    let mut record = Map::new();
    let mut errors = BTreeMap::new();
    let method = match fields.text("method") {
        "written_questioning" => "written_questioning",
        _ => "oral_questioning",
    };
    record.insert("method".into(), json!(method));
    read_activity(fields, &mut record, &mut errors);
    record.insert(
        "attributes".into(),
        Value::Object(read_attributes(standard, fields)),
    );
    let mut questions = Vec::new();
    for n in 1..=QUESTION_ROWS {
        let question = fields.filled(&format!("question.{n}"));
        let answer = fields.filled(&format!("answer.{n}"));
        match (question, answer) {
            (Some(question), Some(answer)) => {
                questions.push(json!({ "question": question, "answer": answer }))
            }
            (Some(_), None) => {
                errors.insert(
                    format!("answer.{n}"),
                    "Write down the candidate's answer".into(),
                );
            }
            (None, Some(_)) => {
                errors.insert(
                    format!("question.{n}"),
                    "Write down the question asked".into(),
                );
            }
            (None, None) => {}
        }
    }
    let mappings = read_mappings(standard, fields);
    let order: Vec<String> = mappings.iter().map(|(id, _)| id.clone()).collect();
    record.insert(
        "criteria".into(),
        Value::Array(mappings.into_iter().map(|(_, m)| m).collect()),
    );
    record.insert("knowledge".into(), json!(fields.all("knowledge")));
    let mut details = json!({ "questions": questions });
    if let Some(summary) = fields.filled("details.summary") {
        details["summary"] = json!(summary);
    }
    record.insert("details".into(), details);
    (record, order, errors)
}

/// `POST /enrolments/{id}/questioning/new`.
pub async fn questioning(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(questioning_page(&state, &session, &path, fields).await)
}

async fn questioning_page(
    state: &AppState,
    session: &Session,
    raw_id: &str,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let opened = open(state, session, raw_id, Action::RecordAssessorEvidence).await?;
    let standard = standard_of(&state.catalogue, &opened.enrolment)?;
    let (record, order, errors) = questioning_record(standard, &fields);
    let action = Action::RecordAssessorEvidence;
    let errors = match add_described(state, session, &opened, action, record, errors).await? {
        Ok(done) => return Ok(done),
        Err(errors) => errors,
    };
    let errors = place_errors(errors, &order, standard)
        .into_iter()
        .map(|(key, reason)| match key.as_str() {
            "details.questions" => ("question.1".to_owned(), reason),
            _ => (key, reason),
        })
        .collect();
    let view = questioning_view(state, session, &opened, standard, &fields, errors);
    show(
        state,
        session,
        "pages/evidence_questioning.html",
        &view,
        true,
    )
}

#[derive(Serialize)]
struct JudgedMapping {
    /// `criteria[0]` or `knowledge[1]`: the API's path, also the form's field prefix.
    key: String,
    id: String,
    text: String,
    range: Vec<String>,
    choices: Vec<super::record::Choice>,
    feedback: String,
    dom: String,
    feedback_dom: String,
    error: Option<String>,
}

#[derive(Serialize)]
struct JudgeView {
    title: String,
    id: String,
    evidence_id: String,
    heading: String,
    candidate: String,
    csrf: String,
    form: FormState,
    /// Criteria first, then knowledge items.
    mappings: Vec<JudgedMapping>,
    /// The evidence itself.
    evidence: EvidenceView,
    /// Mappings still waiting for a judgement.
    waiting: usize,
    /// Arrived here after saving the previous item's judgements.
    saved: bool,
}

fn judgement_of(word: &str) -> Option<Judgement> {
    match word {
        "accepted" => Some(Judgement::Accepted),
        "rejected" => Some(Judgement::Rejected),
        "pending" => Some(Judgement::Pending),
        _ => None,
    }
}

fn word_of(judgement: Judgement) -> &'static str {
    match judgement {
        Judgement::Accepted => "accepted",
        Judgement::Rejected => "rejected",
        Judgement::Pending => "pending",
    }
}

/// A mapping of the record as stored: what the judge form shows for it.
struct StoredMapping<'a> {
    /// `criteria[0]` or `knowledge[1]`.
    key: String,
    id: &'a str,
    text: String,
    range: Vec<String>,
    judgement: Judgement,
    feedback: Option<&'a str>,
}

/// One mapping's controls: accept / reject / leave pending, and the feedback — as stored, or as
/// sent when the form comes back with errors.
fn judged(stored: StoredMapping<'_>, sent: Option<&Fields>, form: &FormState) -> JudgedMapping {
    let key = stored.key;
    let field = format!("{key}.judgement");
    let chosen = sent.map_or_else(
        || word_of(stored.judgement).to_owned(),
        |f| f.text(&field).to_owned(),
    );
    let feedback = sent.map_or_else(
        || stored.feedback.unwrap_or_default().to_owned(),
        |f| f.text(&format!("{key}.feedback")).to_owned(),
    );
    let choices = [
        ("accepted", "Accept"),
        ("rejected", "Reject"),
        ("pending", "Not judged yet"),
    ]
    .iter()
    .map(|(value, label)| super::record::Choice {
        value: (*value).to_owned(),
        label: (*label).to_owned(),
        checked: chosen == *value,
        dom: field_id(&format!("{field}.{value}")),
    })
    .collect();
    JudgedMapping {
        dom: field_id(&field),
        feedback_dom: field_id(&format!("{key}.feedback")),
        error: form
            .error(&field)
            .or_else(|| form.error(&format!("{key}.feedback"))),
        key,
        id: stored.id.to_owned(),
        text: stored.text,
        range: stored.range,
        choices,
        feedback,
    }
}

async fn judge_view(
    state: &AppState,
    session: &Session,
    raw_id: &str,
    raw_evidence: &str,
    fields: Option<&Fields>,
    errors: BTreeMap<String, String>,
    saved: bool,
) -> Result<JudgeView, PageError> {
    let id = path_id(raw_id)?.to_string();
    let evidence_id = path_id(raw_evidence)?.to_string();
    let for_tx = session.clone();
    let (enrolment, record, candidate, recorded_by, points) = state
        .db
        .read(move |conn| {
            let enrolment = authorize(conn, &for_tx, &id, Action::JudgeEvidence)?;
            let record = portfolio::load_evidence(conn, &enrolment.id, &evidence_id)?;
            let candidate = crate::identity::load_user(conn, &enrolment.candidate_id)?.name;
            let recorded_by = crate::identity::load_user(conn, &record.recorded_by)?.name;
            let points = portfolio::time_points::of_evidence(conn, &enrolment.id, &record.id)?;
            let markers = super::recording::markers(conn, &points)?;
            Ok::<_, ActionError>((enrolment, record, candidate, recorded_by, (points, markers)))
        })
        .await?;
    let standard = standard_of(&state.catalogue, &enrolment)?;
    // What is being judged, as the portfolio shows it: the file, the facts, the testimony, and a
    // recording's time points.
    let mut evidence = evidence_view(standard, &enrolment.id, &record, recorded_by, None);
    let (points, names) = points;
    evidence.time_points = super::recording::time_point_views(
        standard,
        &points,
        &mut |id: &str| names.get(id).cloned().unwrap_or_default(),
        &session.user_id,
        enrolment.assessor_id.as_deref() == Some(session.user_id.as_str()),
    );
    let form = match fields {
        Some(fields) => FormState::again(fields, errors),
        None => FormState::default(),
    };
    let criteria: Vec<JudgedMapping> = record
        .instance
        .criteria
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let text = standard
                .criterion(&m.criterion)
                .map(|c| c.text.clone())
                .unwrap_or_default();
            let range = m
                .range
                .iter()
                .flat_map(|(list, items)| {
                    items.iter().map(move |item| {
                        standard
                            .range_list(list)
                            .and_then(|l| l.items.iter().find(|x| &x.id == item))
                            .map_or_else(|| item.clone(), |x| x.text.clone())
                    })
                })
                .collect();
            let stored = StoredMapping {
                key: format!("criteria[{i}]"),
                id: &m.criterion,
                text,
                range,
                judgement: m.judgement,
                feedback: m.feedback.as_deref(),
            };
            judged(stored, fields, &form)
        })
        .collect();
    let knowledge: Vec<JudgedMapping> = record
        .instance
        .knowledge
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let text = standard
                .knowledge_item(&k.item)
                .map(|x| x.text.clone())
                .unwrap_or_default();
            let stored = StoredMapping {
                key: format!("knowledge[{i}]"),
                id: &k.item,
                text,
                range: Vec::new(),
                judgement: k.judgement,
                feedback: k.feedback.as_deref(),
            };
            judged(stored, fields, &form)
        })
        .collect();
    let heading = record
        .instance
        .title
        .clone()
        .unwrap_or_else(|| super::view::capitalise(record.instance.method.label()));
    let waiting = record.waiting_mappings();
    Ok(JudgeView {
        title: format!("Judge: {heading}"),
        id: enrolment.id,
        evidence_id: record.id,
        heading: format!("{heading} of {}", record.instance.date),
        candidate,
        csrf: session.csrf.clone(),
        form,
        waiting,
        mappings: criteria.into_iter().chain(knowledge).collect(),
        evidence,
        saved,
    })
}

/// `?saved=1`: the previous item's judgements were saved and this is the next one waiting.
#[derive(Debug, Deserialize)]
pub struct JudgeQuery {
    saved: Option<String>,
}

/// `GET /enrolments/{id}/evidence/{evidence_id}/judge`.
pub async fn judge_form(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<(String, String)>,
    query: web::Query<JudgeQuery>,
) -> Html {
    let (id, evidence) = path.into_inner();
    let saved = query.saved.is_some();
    let view = judge_view(
        &state,
        &session,
        &id,
        &evidence,
        None,
        BTreeMap::new(),
        saved,
    )
    .await;
    Html(view.and_then(|view| page(&state, Some(&session), "pages/judge.html", &view)))
}

/// Reads the judgement of each mapping listed on the form (`criteria[i].id` hidden fields). With
/// the "Accept all" button (`accept_rest`), every mapping not marked rejected is accepted.
fn read_judgements(fields: &Fields) -> (Judgements, BTreeMap<String, String>) {
    let mut errors = BTreeMap::new();
    let accept_rest = fields.filled("accept_rest").is_some();
    let mut read = |kind: &str| {
        let mut inputs = Vec::new();
        for i in 0.. {
            let key = format!("{kind}[{i}]");
            let Some(id) = fields.filled(&format!("{key}.id")) else {
                break;
            };
            let word = fields.text(&format!("{key}.judgement"));
            let word = if accept_rest && word != "rejected" {
                "accepted"
            } else {
                word
            };
            match judgement_of(word) {
                Some(judgement) => inputs.push(JudgementInput {
                    id,
                    judgement,
                    feedback: fields.filled(&format!("{key}.feedback")),
                }),
                None => {
                    errors.insert(
                        format!("{key}.judgement"),
                        format!("Choose accept or reject for {id}"),
                    );
                }
            }
        }
        inputs
    };
    let judgements = Judgements {
        criteria: read("criteria"),
        knowledge: read("knowledge"),
        accept_rest,
    };
    (judgements, errors)
}

/// `POST /enrolments/{id}/evidence/{evidence_id}/judge`.
pub async fn judge(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<(String, String)>,
    fields: Fields,
) -> Html {
    let (id, evidence) = path.into_inner();
    Html(judge_page(&state, &session, &id, &evidence, fields).await)
}

async fn judge_page(
    state: &AppState,
    session: &Session,
    raw_id: &str,
    raw_evidence: &str,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let id = path_id(raw_id)?.to_string();
    let evidence_id = path_id(raw_evidence)?.to_string();
    let (judgements, mut errors) = read_judgements(&fields);
    if errors.is_empty() {
        let for_tx = session.clone();
        let base = state.config.public_url.clone();
        let enrolment_id = id.clone();
        let done = state
            .db
            .write(move |conn| {
                let enrolment = authorize(conn, &for_tx, &id, Action::JudgeEvidence)?;
                let now = Utc::now();
                let (record, judged) = portfolio::judge_evidence(
                    conn,
                    &enrolment,
                    &evidence_id,
                    &for_tx.user_id,
                    judgements,
                    now,
                )?;
                crate::notify::events::evidence_judged(
                    conn, &base, &enrolment, &record, &judged, now,
                )?;
                // On to the next item waiting; what was left pending here waits for another time.
                next_waiting(conn, &for_tx, Some(&record.id))
            })
            .await;
        match done {
            Ok(next) => {
                state.refresher.refresh(&enrolment_id).await;
                return Ok(see_other(&next_location(next.as_ref(), true)));
            }
            Err(ActionError::Invalid(refused)) => errors.extend(refused),
            Err(other) => return Err(other.into()),
        }
    }
    let view = judge_view(
        state,
        session,
        raw_id,
        raw_evidence,
        Some(&fields),
        errors,
        false,
    )
    .await?;
    show(state, session, "pages/judge.html", &view, true)
}
