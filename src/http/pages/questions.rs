//! Questions the candidate answers, as pages: the assessor's question sets and the builder (each
//! knowledge item of the unit with its text pre-filled as an editable question, ticked to include
//! it); sending a set from a portfolio; the candidate's answer page (typed, or a recording); the
//! assessor's marking page. Each form calls one action of [`crate::portfolio::question_sets`].

use std::collections::BTreeMap;

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::evidence::open;
use super::form::{Fields, FormState, field_errors, field_id};
use super::rows::live_orgs;
use super::view::{Html, PageError, PageSession, check_csrf, page_with_status, see_other};
use crate::action::ActionError;
use crate::auth::policy::{self, Action, Resource};
use crate::http::AppState;
use crate::http::api::enrolments::standard_of;
use crate::http::api::path_id;
use crate::http::api::question_sets::{attach, receive_file};
use crate::http::session::Session;
use crate::portfolio::question_sets::{
    self, AnswerInput, AnswersInput, MarkInput, MarksInput, NewQuestion, NewQuestionSet,
    QuestionRequest, QuestionRequestStatus, QuestionSet, SendQuestions,
};
use crate::portfolio::{self, Enrolment};
use crate::standards::Standard;

fn allowed(session: &Session, action: Action, resource: &Resource) -> bool {
    policy::can(&session.actor, action, resource, Utc::now()).is_allowed()
}

fn status_of(form: &FormState) -> StatusCode {
    if form.has_errors() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    }
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
}

#[derive(Serialize)]
struct SetRow {
    id: String,
    title: String,
    unit: String,
    questions: usize,
}

#[derive(Serialize)]
struct OrgSets {
    id: String,
    name: String,
    sets: Vec<SetRow>,
    /// The units of the organisation's catalogue that have knowledge items.
    units: Vec<Choice>,
}

#[derive(Serialize)]
struct SetsView {
    title: &'static str,
    orgs: Vec<OrgSets>,
    saved: bool,
}

/// `?saved=1` after a set was saved.
#[derive(Debug, Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// `GET /question-sets`: the sets of every organisation where the viewer may manage them.
pub async fn sets(
    state: web::Data<AppState>,
    session: PageSession,
    query: web::Query<SavedQuery>,
) -> Html {
    let session = session.0;
    let orgs: Vec<Uuid> = live_orgs(&session.actor)
        .into_iter()
        .filter(|org_id| {
            allowed(
                &session,
                Action::ManageQuestionSets,
                &Resource::Organisation { org_id: *org_id },
            )
        })
        .collect();
    let catalogue = state.catalogue.clone();
    let actor = session.actor.clone();
    let read = state
        .db
        .read(move |conn| {
            let mut all = Vec::new();
            for org_id in orgs {
                let org = crate::identity::find_organisation(conn, &org_id.to_string())?;
                let sets = question_sets::list_sets(conn, &actor, &org.id, None)?;
                let units = catalogue
                    .visible_to(org_id)
                    .into_iter()
                    .filter(|l| !l.standard.knowledge.is_empty())
                    .map(|l| Choice {
                        value: format!("{}@{}", l.standard.code, l.standard.version),
                        label: format!(
                            "{} v{} — {}",
                            l.standard.code, l.standard.version, l.standard.title
                        ),
                    })
                    .collect();
                all.push(OrgSets {
                    id: org.id.clone(),
                    name: org.name,
                    sets: sets
                        .into_iter()
                        .map(|s| SetRow {
                            unit: format!("{} v{}", s.standard_code, s.standard_version),
                            questions: s.items.len(),
                            id: s.id,
                            title: s.title,
                        })
                        .collect(),
                    units,
                });
            }
            Ok::<_, ActionError>(all)
        })
        .await;
    let orgs = match read {
        Ok(orgs) => orgs,
        Err(err) => return Html(Err(err.into())),
    };
    let view = SetsView {
        title: "Question sets",
        orgs,
        saved: query.saved.is_some(),
    };
    Html(page_with_status(
        &state,
        Some(&session),
        "pages/question_sets.html",
        &view,
        StatusCode::OK,
    ))
}

#[derive(Serialize)]
struct BuilderRow {
    /// The knowledge item id (or `extra-N` for a question covering something else).
    key: String,
    covers: String,
    prompt: String,
    included: bool,
    question: String,
    include_name: String,
    question_name: String,
    include_id: String,
    question_id: String,
    error: String,
}

#[derive(Serialize)]
struct BuilderView {
    title: String,
    action: String,
    unit: String,
    standard: String,
    csrf: String,
    rows: Vec<BuilderRow>,
    form: FormState,
    cancel: String,
}

/// `?standard=CODE@VERSION` for a new set.
#[derive(Debug, Deserialize)]
pub struct NewQuery {
    standard: Option<String>,
}

fn builder_rows(
    standard: &Standard,
    set: Option<&QuestionSet>,
    fields: Option<&Fields>,
) -> Vec<BuilderRow> {
    let mut rows: Vec<BuilderRow> = question_sets::prompts(standard)
        .into_iter()
        .map(|p| {
            let existing = set.and_then(|s| {
                s.items
                    .iter()
                    .find(|i| i.covers.len() == 1 && i.covers[0] == p.id)
            });
            let include_name = format!("include.{}", p.id);
            let question_name = format!("question.{}", p.id);
            let (included, question) = match fields {
                Some(f) => (f.ticked(&include_name), f.text(&question_name).to_owned()),
                None => (
                    existing.is_some(),
                    existing.map_or(p.question.clone(), |i| i.question.clone()),
                ),
            };
            BuilderRow {
                covers: p.id.clone(),
                prompt: format!("{} {}", p.id, p.text),
                included,
                question,
                include_id: field_id(&include_name),
                question_id: field_id(&question_name),
                include_name,
                question_name,
                key: p.id,
                error: String::new(),
            }
        })
        .collect();
    // Questions covering more than one item, or criteria (written through the API), stay as they are.
    if let Some(set) = set {
        for (n, item) in set
            .items
            .iter()
            .filter(|i| {
                !(i.covers.len() == 1 && standard.knowledge.iter().any(|k| k.id == i.covers[0]))
            })
            .enumerate()
        {
            let key = format!("extra-{n}");
            let include_name = format!("include.{key}");
            let question_name = format!("question.{key}");
            rows.push(BuilderRow {
                covers: item.covers.join(","),
                prompt: format!("Covers {}", item.covers.join(", ")),
                included: fields.is_none_or(|f| f.ticked(&include_name)),
                question: fields
                    .map_or(item.question.clone(), |f| f.text(&question_name).to_owned()),
                include_id: field_id(&include_name),
                question_id: field_id(&question_name),
                include_name,
                question_name,
                key,
                error: String::new(),
            });
        }
    }
    rows
}

/// The set as the builder's form describes it, and which row each question came from.
fn read_builder(
    fields: &Fields,
    standard_spec: &str,
    rows: &[BuilderRow],
) -> (NewQuestionSet, Vec<String>) {
    let mut items = Vec::new();
    let mut keys = Vec::new();
    for row in rows {
        if fields.ticked(&row.include_name) {
            let covers = if row.key.starts_with("extra-") {
                fields
                    .text(&format!("covers.{}", row.key))
                    .split(',')
                    .map(|c| c.trim().to_owned())
                    .filter(|c| !c.is_empty())
                    .collect()
            } else {
                vec![row.key.clone()]
            };
            items.push(NewQuestion {
                covers,
                question: fields.text(&row.question_name).to_owned(),
            });
            keys.push(row.key.clone());
        }
    }
    (
        NewQuestionSet {
            standard: standard_spec.to_owned(),
            title: fields.text("title").to_owned(),
            items,
        },
        keys,
    )
}

/// The action's field names as the builder's.
fn builder_errors(
    errors: BTreeMap<String, String>,
    keys: &[String],
    rows: &[BuilderRow],
) -> BTreeMap<String, String> {
    errors
        .into_iter()
        .map(|(field, reason)| {
            if field == "items" {
                let first = rows
                    .first()
                    .map_or("title".to_owned(), |r| r.include_name.clone());
                return (first, reason);
            }
            if let Some(rest) = field.strip_prefix("items[") {
                if let Some((i, what)) = rest.split_once("].") {
                    if let Some(key) = i.parse::<usize>().ok().and_then(|i| keys.get(i)) {
                        let _ = what;
                        return (format!("question.{key}"), reason);
                    }
                }
            }
            (field, reason)
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn builder_view(
    session: &Session,
    title: String,
    action: String,
    standard: &Standard,
    set: Option<&QuestionSet>,
    fields: Option<&Fields>,
    errors: BTreeMap<String, String>,
    cancel: String,
) -> BuilderView {
    let mut rows = builder_rows(standard, set, fields);
    for row in &mut rows {
        if let Some(error) = errors
            .get(&row.question_name)
            .or_else(|| errors.get(&row.include_name))
        {
            row.error = super::form::sentence("question", error);
        }
    }
    let form = match fields {
        Some(f) => FormState::again(f, errors),
        None => FormState::with_values([(
            "title".to_owned(),
            set.map(|s| s.title.clone()).unwrap_or_default(),
        )]),
    };
    BuilderView {
        title,
        action,
        unit: format!(
            "{} v{} — {}",
            standard.code, standard.version, standard.title
        ),
        standard: format!("{}@{}", standard.code, standard.version),
        csrf: session.csrf.clone(),
        rows,
        form,
        cancel,
    }
}

fn org_of(raw: &str) -> Result<Uuid, PageError> {
    Ok(path_id(raw)?)
}

/// `GET /orgs/{org_id}/question-sets/new?standard=CODE@VERSION`: the builder.
pub async fn new_form(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    query: web::Query<NewQuery>,
) -> Html {
    Html(new_form_page(
        &state,
        &session,
        &path,
        query.standard.as_deref().unwrap_or(""),
    ))
}

fn new_form_page(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    spec: &str,
) -> Result<HttpResponse, PageError> {
    let org_id = org_of(raw_org)?;
    session.require(
        Action::ManageQuestionSets,
        &Resource::Organisation { org_id },
    )?;
    let Some(loaded) = state.catalogue.find_in(org_id, spec.trim()) else {
        return Ok(see_other("/question-sets"));
    };
    let view = builder_view(
        session,
        "New question set".into(),
        format!("/orgs/{org_id}/question-sets/new"),
        &loaded.standard,
        None,
        None,
        BTreeMap::new(),
        "/question-sets".into(),
    );
    page_with_status(
        state,
        Some(session),
        "pages/question_set.html",
        &view,
        StatusCode::OK,
    )
}

/// `POST /orgs/{org_id}/question-sets/new`.
pub async fn create(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(create_page(&state, &session, &path, fields).await)
}

async fn create_page(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let org_id = org_of(raw_org)?;
    let spec = fields.text("standard").to_owned();
    let Some(loaded) = state.catalogue.find_in(org_id, spec.trim()) else {
        return Err(ActionError::invalid("standard", "choose a unit of the catalogue").into());
    };
    let standard = &loaded.standard;
    let rows = builder_rows(standard, None, Some(&fields));
    let (input, keys) = read_builder(&fields, &spec, &rows);
    let catalogue = state.catalogue.clone();
    let actor = session.actor.clone();
    let org = org_id.to_string();
    let done = state
        .db
        .write(move |conn| {
            question_sets::create_set(conn, &catalogue, &actor, &org, input, Utc::now())
        })
        .await;
    match done {
        Ok(_) => Ok(see_other("/question-sets?saved=1")),
        Err(err) => {
            let errors = builder_errors(field_errors(err)?, &keys, &rows);
            let view = builder_view(
                session,
                "New question set".into(),
                format!("/orgs/{org_id}/question-sets/new"),
                standard,
                None,
                Some(&fields),
                errors,
                "/question-sets".into(),
            );
            page_with_status(
                state,
                Some(session),
                "pages/question_set.html",
                &view,
                status_of(&view.form),
            )
        }
    }
}

async fn load_set(
    state: &AppState,
    session: &Session,
    raw_set: &str,
) -> Result<QuestionSet, PageError> {
    let set_id = path_id(raw_set)?.to_string();
    let actor = session.actor.clone();
    let set = state
        .db
        .read(move |conn| question_sets::load_set(conn, &actor, &set_id))
        .await?;
    Ok(set)
}

fn standard_of_set<'a>(state: &'a AppState, set: &QuestionSet) -> Result<&'a Standard, PageError> {
    let org_id = Uuid::parse_str(&set.org_id).map_err(|_| ActionError::NotFound)?;
    state
        .catalogue
        .get_in(
            org_id,
            &set.standard_code,
            u32::try_from(set.standard_version).unwrap_or_default(),
        )
        .map(|l| &l.standard)
        .ok_or_else(|| {
            ActionError::Conflict("the set's unit is no longer in the catalogue".into()).into()
        })
}

/// `GET /question-sets/{set_id}`: the builder, filled with the set.
pub async fn edit_form(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    Html(edit_form_page(&state, &session, &path).await)
}

async fn edit_form_page(
    state: &AppState,
    session: &Session,
    raw_set: &str,
) -> Result<HttpResponse, PageError> {
    let set = load_set(state, session, raw_set).await?;
    let standard = standard_of_set(state, &set)?;
    let view = builder_view(
        session,
        format!("Question set: {}", set.title),
        format!("/question-sets/{}", set.id),
        standard,
        Some(&set),
        None,
        BTreeMap::new(),
        "/question-sets".into(),
    );
    page_with_status(
        state,
        Some(session),
        "pages/question_set.html",
        &view,
        StatusCode::OK,
    )
}

/// `POST /question-sets/{set_id}`.
pub async fn update(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(update_page(&state, &session, &path, fields).await)
}

async fn update_page(
    state: &AppState,
    session: &Session,
    raw_set: &str,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let set = load_set(state, session, raw_set).await?;
    let standard = standard_of_set(state, &set)?;
    let rows = builder_rows(standard, Some(&set), Some(&fields));
    let (input, keys) = read_builder(&fields, "", &rows);
    let catalogue = state.catalogue.clone();
    let actor = session.actor.clone();
    let set_id = set.id.clone();
    let done = state
        .db
        .write(move |conn| {
            question_sets::update_set(conn, &catalogue, &actor, &set_id, input, Utc::now())
        })
        .await;
    match done {
        Ok(_) => Ok(see_other("/question-sets?saved=1")),
        Err(err) => {
            let errors = builder_errors(field_errors(err)?, &keys, &rows);
            let view = builder_view(
                session,
                format!("Question set: {}", set.title),
                format!("/question-sets/{}", set.id),
                standard,
                Some(&set),
                Some(&fields),
                errors,
                "/question-sets".into(),
            );
            page_with_status(
                state,
                Some(session),
                "pages/question_set.html",
                &view,
                status_of(&view.form),
            )
        }
    }
}

#[derive(Serialize)]
struct RequestRow {
    id: String,
    title: String,
    status: String,
    sent_on: String,
    due_on: String,
    satisfactory: usize,
    questions: usize,
}

fn request_row(r: &QuestionRequest) -> RequestRow {
    RequestRow {
        id: r.id.clone(),
        title: r.title.clone(),
        status: r.status.to_string(),
        sent_on: r.sent_at.format("%-d %B %Y").to_string(),
        due_on: r
            .due_on
            .map(|d| d.format("%-d %B %Y").to_string())
            .unwrap_or_default(),
        satisfactory: r
            .answers
            .iter()
            .filter(|a| a.result.as_deref() == Some(question_sets::result::SATISFACTORY))
            .count(),
        questions: r.answers.len(),
    }
}

#[derive(Serialize)]
struct RequestsView {
    title: String,
    id: String,
    candidate: String,
    unit: String,
    csrf: String,
    requests: Vec<RequestRow>,
    can_send: bool,
    sets: Vec<Choice>,
    form: FormState,
    sent: bool,
}

/// `?sent=1` after a set was sent.
#[derive(Debug, Deserialize)]
pub struct SentQuery {
    sent: Option<String>,
}

/// `GET /enrolments/{id}/questions`: the sets sent to this candidate, and (for the assessor) the
/// form to send another.
pub async fn requests(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    query: web::Query<SentQuery>,
) -> Html {
    Html(requests_page(&state, &session, &path, None, query.sent.is_some()).await)
}

async fn requests_page(
    state: &AppState,
    session: &Session,
    raw_id: &str,
    refused: Option<FormState>,
    sent: bool,
) -> Result<HttpResponse, PageError> {
    let opened = open(state, session, raw_id, Action::ReadEnrolment).await?;
    let enrolment = opened.enrolment.clone();
    let can_send = allowed(
        session,
        Action::RecordAssessorEvidence,
        &Resource::Enrolment(enrolment.facts()?),
    );
    let actor = session.actor.clone();
    let (requests, sets) = state
        .db
        .read(move |conn| {
            let requests = question_sets::list_requests(conn, &actor, &enrolment)?;
            let sets = if can_send {
                question_sets::list_sets(
                    conn,
                    &actor,
                    &enrolment.org_id,
                    Some(&enrolment.standard_code),
                )?
            } else {
                Vec::new()
            };
            Ok::<_, ActionError>((requests, sets))
        })
        .await?;
    let form = refused.unwrap_or_default();
    let view = RequestsView {
        title: "Questions to answer".into(),
        id: opened.enrolment.id.clone(),
        candidate: opened.candidate.clone(),
        unit: opened.enrolment.standard_code.clone(),
        csrf: session.csrf.clone(),
        requests: requests.iter().map(request_row).collect(),
        can_send,
        sets: sets
            .into_iter()
            .map(|s| Choice {
                label: format!("{} ({} questions)", s.title, s.items.len()),
                value: s.id,
            })
            .collect(),
        sent,
        form,
    };
    let status = status_of(&view.form);
    page_with_status(
        state,
        Some(session),
        "pages/question_requests.html",
        &view,
        status,
    )
}

/// `POST /enrolments/{id}/questions`: sends a set.
pub async fn send(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(send_page(&state, &session, &path, fields).await)
}

async fn send_page(
    state: &AppState,
    session: &Session,
    raw_id: &str,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let id = path_id(raw_id)?.to_string();
    let due = fields.filled("due_on");
    let due_on = match due
        .as_deref()
        .map(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d"))
    {
        None => None,
        Some(Ok(day)) => Some(day),
        Some(Err(_)) => {
            let form = FormState::again(
                &fields,
                BTreeMap::from([(
                    "due_on".to_owned(),
                    "write the date as YYYY-MM-DD".to_owned(),
                )]),
            );
            return requests_page(state, session, raw_id, Some(form), false).await;
        }
    };
    let input = SendQuestions {
        set_id: fields.text("set_id").to_owned(),
        due_on,
    };
    let for_tx = state.clone();
    let actor = session.actor.clone();
    let done = state
        .db
        .write(move |conn| {
            let enrolment = portfolio::load_enrolment(conn, &id)?;
            let standard = standard_of(&for_tx, &enrolment)?;
            question_sets::send(
                conn,
                &for_tx.config.public_url,
                standard,
                &actor,
                &enrolment,
                input,
                Utc::now(),
            )
        })
        .await;
    match done {
        Ok(request) => Ok(see_other(&format!(
            "/enrolments/{}/questions?sent=1#request-{}",
            request.enrolment_id, request.id
        ))),
        Err(ActionError::Conflict(reason)) => {
            let form = FormState::again(&fields, BTreeMap::from([("set_id".to_owned(), reason)]));
            requests_page(state, session, raw_id, Some(form), false).await
        }
        Err(err) => {
            let form = FormState::again(&fields, field_errors(err)?);
            requests_page(state, session, raw_id, Some(form), false).await
        }
    }
}

#[derive(Serialize)]
struct AnswerView {
    id: String,
    position: i32,
    question: String,
    covers: String,
    text: String,
    file_name: String,
    file_url: String,
    file_video: bool,
    result: String,
    comment: String,
    text_name: String,
    text_id: String,
    result_name: String,
    result_id: String,
    comment_name: String,
    comment_id: String,
    upload_id: String,
}

#[derive(Serialize)]
struct RequestView {
    title: String,
    id: String,
    request_id: String,
    candidate: String,
    csrf: String,
    status: String,
    due_on: String,
    /// answer, mark or read.
    mode: &'static str,
    answers: Vec<AnswerView>,
    recorded: bool,
    evidence_id: String,
    form: FormState,
    saved: bool,
}

/// `?saved=1` after a draft was saved or a recording uploaded.
#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    saved: Option<String>,
}

/// `GET /enrolments/{id}/questions/{request_id}`: the candidate answers, the assessor marks,
/// anyone else who may read the portfolio sees the answers and marks.
pub async fn show(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<(String, String)>,
    query: web::Query<ShowQuery>,
) -> Html {
    Html(
        show_page(
            &state,
            &session,
            &path.0,
            &path.1,
            None,
            query.saved.is_some(),
        )
        .await,
    )
}

async fn show_page(
    state: &AppState,
    session: &Session,
    raw_id: &str,
    raw_request: &str,
    refused: Option<FormState>,
    saved: bool,
) -> Result<HttpResponse, PageError> {
    let opened = open(state, session, raw_id, Action::ReadEnrolment).await?;
    let request_id = path_id(raw_request)?.to_string();
    let enrolment = opened.enrolment.clone();
    let actor = session.actor.clone();
    let request = state
        .db
        .read(move |conn| question_sets::load_request(conn, &actor, &enrolment, &request_id))
        .await?;
    let facts = Resource::Enrolment(opened.enrolment.facts()?);
    let mode = if request.status == QuestionRequestStatus::Sent
        && session.user_id == opened.enrolment.candidate_id
        && allowed(session, Action::AddEvidence, &facts)
    {
        "answer"
    } else if request.status == QuestionRequestStatus::Answered
        && allowed(session, Action::JudgeEvidence, &facts)
    {
        "mark"
    } else {
        "read"
    };
    let form = refused.unwrap_or_default();
    let view = request_view(
        session,
        &opened.enrolment,
        &opened.candidate,
        request,
        mode,
        form,
        saved,
    );
    let status = status_of(&view.form);
    page_with_status(
        state,
        Some(session),
        "pages/question_request.html",
        &view,
        status,
    )
}

fn request_view(
    session: &Session,
    enrolment: &Enrolment,
    candidate: &str,
    request: QuestionRequest,
    mode: &'static str,
    form: FormState,
    saved: bool,
) -> RequestView {
    let recorded = request.answers.iter().any(|a| a.file.is_some());
    let answers = request
        .answers
        .iter()
        .map(|a| {
            let text_name = format!("answer.{}", a.id);
            let result_name = format!("result.{}", a.id);
            let comment_name = format!("comment.{}", a.id);
            AnswerView {
                id: a.id.clone(),
                position: a.position,
                question: a.question.clone(),
                covers: a.covers.join(", "),
                text: form
                    .values
                    .get(&text_name)
                    .cloned()
                    .unwrap_or_else(|| a.text.clone().unwrap_or_default()),
                file_name: a.file.as_ref().map(|f| f.name.clone()).unwrap_or_default(),
                file_url: format!(
                    "/api/enrolments/{}/question-requests/{}/answers/{}/recording?inline=1",
                    enrolment.id, request.id, a.id
                ),
                file_video: false,
                result: form
                    .values
                    .get(&result_name)
                    .cloned()
                    .unwrap_or_else(|| a.result.clone().unwrap_or_default()),
                comment: form
                    .values
                    .get(&comment_name)
                    .cloned()
                    .unwrap_or_else(|| a.comment.clone().unwrap_or_default()),
                text_id: field_id(&text_name),
                result_id: field_id(&result_name),
                comment_id: field_id(&comment_name),
                upload_id: field_id(&format!("file.{}", a.id)),
                text_name,
                result_name,
                comment_name,
            }
        })
        .collect();
    RequestView {
        title: request.title.clone(),
        id: enrolment.id.clone(),
        request_id: request.id.clone(),
        candidate: candidate.to_owned(),
        csrf: session.csrf.clone(),
        status: request.status.to_string(),
        due_on: request
            .due_on
            .map(|d| d.format("%-d %B %Y").to_string())
            .unwrap_or_default(),
        mode,
        answers,
        recorded,
        evidence_id: request.evidence_id.clone().unwrap_or_default(),
        form,
        saved,
    }
}

/// Maps `answers[i].x` of the action to the page's `x.{answer id}` field.
fn answer_errors(
    errors: BTreeMap<String, String>,
    ids: &[String],
    text_field: &str,
) -> BTreeMap<String, String> {
    errors
        .into_iter()
        .map(|(field, reason)| {
            if let Some(rest) = field.strip_prefix("answers[") {
                if let Some((i, what)) = rest.split_once("].") {
                    if let Some(id) = i.parse::<usize>().ok().and_then(|i| ids.get(i)) {
                        let name = if what == "text" { text_field } else { what };
                        return (format!("{name}.{id}"), reason);
                    }
                }
            }
            (field, reason)
        })
        .collect()
}

async fn load_for_form(
    state: &AppState,
    session: &Session,
    raw_id: &str,
    raw_request: &str,
) -> Result<(Enrolment, QuestionRequest), PageError> {
    let id = path_id(raw_id)?.to_string();
    let request_id = path_id(raw_request)?.to_string();
    let actor = session.actor.clone();
    Ok(state
        .db
        .read(move |conn| {
            let enrolment = portfolio::load_enrolment(conn, &id)?;
            let request = question_sets::load_request(conn, &actor, &enrolment, &request_id)?;
            Ok::<_, ActionError>((enrolment, request))
        })
        .await?)
}

/// `POST /enrolments/{id}/questions/{request_id}/answers`: save a draft or submit.
pub async fn answer(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<(String, String)>,
    fields: Fields,
) -> Html {
    Html(answer_page(&state, &session, &path.0, &path.1, fields).await)
}

async fn answer_page(
    state: &AppState,
    session: &Session,
    raw_id: &str,
    raw_request: &str,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let (enrolment, request) = load_for_form(state, session, raw_id, raw_request).await?;
    let ids: Vec<String> = request.answers.iter().map(|a| a.id.clone()).collect();
    let submit = fields.text("action") == "submit";
    let input = AnswersInput {
        answers: ids
            .iter()
            .map(|id| AnswerInput {
                id: id.clone(),
                text: fields.text(&format!("answer.{id}")).to_owned(),
            })
            .collect(),
        submit,
    };
    let base = state.config.public_url.clone();
    let actor = session.actor.clone();
    let request_id = request.id.clone();
    let for_tx = enrolment.clone();
    let done = state
        .db
        .write(move |conn| {
            question_sets::answer(conn, &base, &actor, &for_tx, &request_id, input, Utc::now())
        })
        .await;
    match done {
        Ok(_) if submit => Ok(see_other(&format!(
            "/enrolments/{}/questions?answered=1",
            enrolment.id
        ))),
        Ok(_) => Ok(see_other(&format!(
            "/enrolments/{}/questions/{}?saved=1",
            enrolment.id, request.id
        ))),
        Err(err) => {
            let errors = answer_errors(field_errors(err)?, &ids, "answer");
            let form = FormState::again(&fields, errors);
            show_page(state, session, raw_id, raw_request, Some(form), false).await
        }
    }
}

/// `POST /enrolments/{id}/questions/{request_id}/answers/{answer_id}/recording` (multipart).
pub async fn recording(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<(String, String, String)>,
    mut multipart: Multipart,
) -> Html {
    let (id, request, answer) = path.into_inner();
    Html(recording_page(&state, &session, &id, &request, &answer, &mut multipart).await)
}

async fn recording_page(
    state: &AppState,
    session: &Session,
    raw_id: &str,
    raw_request: &str,
    raw_answer: &str,
    multipart: &mut Multipart,
) -> Result<HttpResponse, PageError> {
    let id = path_id(raw_id)?.to_string();
    let request_id = path_id(raw_request)?.to_string();
    let answer_id = path_id(raw_answer)?.to_string();
    // Refused before the body is read, like the API.
    crate::http::api::question_sets::may_attach(state, session, &id, &request_id, &answer_id)
        .await?;
    let received = match receive_file(state, multipart).await {
        Ok(received) => received,
        Err(crate::http::ApiError::Validation { errors, .. }) => {
            let errors = errors
                .into_iter()
                .map(|(k, v)| {
                    (
                        if k == "file" {
                            format!("file.{answer_id}")
                        } else {
                            k
                        },
                        v,
                    )
                })
                .collect();
            let form = FormState::again(&Fields::default(), errors);
            return show_page(state, session, raw_id, raw_request, Some(form), false).await;
        }
        Err(other) => return Err(other.into()),
    };
    let (csrf, file) = received;
    if let Err(refused) = check_csrf(session, csrf.as_deref()) {
        file.0.discard();
        return Err(refused);
    }
    match attach(
        state,
        session.clone(),
        id.clone(),
        request_id.clone(),
        answer_id.clone(),
        file,
    )
    .await
    {
        Ok(_) => Ok(see_other(&format!(
            "/enrolments/{id}/questions/{request_id}?saved=1#answer-{answer_id}"
        ))),
        Err(crate::http::ApiError::Validation { errors, .. }) => {
            let errors = errors
                .into_iter()
                .map(|(k, v)| {
                    (
                        if k == "file" {
                            format!("file.{answer_id}")
                        } else {
                            k
                        },
                        v,
                    )
                })
                .collect();
            let form = FormState::again(&Fields::default(), errors);
            show_page(state, session, raw_id, raw_request, Some(form), false).await
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /enrolments/{id}/questions/{request_id}/marks`.
pub async fn mark(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<(String, String)>,
    fields: Fields,
) -> Html {
    Html(mark_page(&state, &session, &path.0, &path.1, fields).await)
}

async fn mark_page(
    state: &AppState,
    session: &Session,
    raw_id: &str,
    raw_request: &str,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let (enrolment, request) = load_for_form(state, session, raw_id, raw_request).await?;
    let ids: Vec<String> = request.answers.iter().map(|a| a.id.clone()).collect();
    let input = MarksInput {
        answers: ids
            .iter()
            .map(|id| MarkInput {
                id: id.clone(),
                result: fields.text(&format!("result.{id}")).to_owned(),
                comment: fields.filled(&format!("comment.{id}")),
            })
            .collect(),
        method: fields.filled("method"),
    };
    let for_tx = state.clone();
    let actor = session.actor.clone();
    let request_id = request.id.clone();
    let target = enrolment.clone();
    let done = state
        .db
        .write(move |conn| {
            let standard = standard_of(&for_tx, &target)?;
            question_sets::mark(
                conn,
                &for_tx.config.public_url,
                &for_tx.catalogue,
                standard,
                &actor,
                &target,
                &request_id,
                input,
                Utc::now(),
            )
        })
        .await;
    match done {
        Ok(marked) => Ok(see_other(&match &marked.evidence_id {
            Some(evidence) => format!("/enrolments/{}#evidence-{evidence}", enrolment.id),
            None => format!("/enrolments/{}/questions/{}", enrolment.id, marked.id),
        })),
        Err(err) => {
            let errors = answer_errors(field_errors(err)?, &ids, "answer");
            let form = FormState::again(&fields, errors);
            show_page(state, session, raw_id, raw_request, Some(form), false).await
        }
    }
}

/// Answers waiting for the assessor's marking, as the caseload lists them.
#[derive(Debug, Serialize)]
pub struct MarkLink {
    /// The marking page.
    pub link: String,
    /// The set's title.
    pub title: String,
    /// The candidate's name.
    pub candidate: String,
}

/// The answered sets waiting for marking on these caseload rows, oldest first.
pub fn to_mark(
    conn: &mut crate::db::DbConnection,
    rows: &[super::rows::EnrolmentRow],
) -> Result<Vec<MarkLink>, ActionError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    Ok(question_sets::waiting_marking(conn, &ids)?
        .into_iter()
        .map(|(enrolment, request, title)| MarkLink {
            link: format!("/enrolments/{enrolment}/questions/{request}"),
            candidate: rows
                .iter()
                .find(|r| r.id == enrolment)
                .map(|r| r.candidate.clone())
                .unwrap_or_default(),
            title,
        })
        .collect())
}
