//! Recording oral or written questioning as evidence.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::auth::policy::Action;
use crate::db::ids::EnrolmentId;
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::pages::evidence::{EvidenceForm, add_described, open, show};
use crate::http::pages::form::{Fields, filled, ticked};
use crate::http::pages::record::{
    RecordForm, new_record_fields, place_errors, read_activity, read_attributes, read_mappings,
};
use crate::http::pages::rows::standard_of;
use crate::http::pages::view::{Html, PageError, PageSession, check_csrf};
use crate::http::session::Session;
use crate::standards::Standard;

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
    opened: &crate::http::pages::evidence::Opened,
    standard: &Standard,
    fields: &Fields,
    form: &QuestioningForm,
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
                question: form.question.get(&n).cloned().unwrap_or_default(),
                answer: form.answer.get(&n).cloned().unwrap_or_default(),
            })
            .collect(),
        written: form.method == "written_questioning",
    }
}

/// `GET /enrolments/{id}/questioning/new`.
pub async fn questioning_form(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    Html(async { questioning_form_page(&state, &session, typed_path_id(&path)?).await }.await)
}

async fn questioning_form_page(
    state: &AppState,
    session: &Session,
    id: EnrolmentId,
) -> Result<HttpResponse, PageError> {
    let opened = open(state, session, id, Action::RecordAssessorEvidence).await?;
    let standard = standard_of(&state.catalogue, &opened.enrolment)?;
    let view = questioning_view(
        state,
        session,
        &opened,
        standard,
        &new_record_fields(),
        &QuestioningForm::default(),
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

/// The questioning form's own fields, as posted: the method, the question and answer rows
/// (`question.1`, `answer.1` …) and the summary.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct QuestioningForm {
    method: String,
    question: BTreeMap<usize, String>,
    answer: BTreeMap<usize, String>,
    details: Summary,
}

/// `details.summary`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Summary {
    summary: String,
}

fn questioning_record(
    standard: &Standard,
    fields: &RecordForm,
    form: &QuestioningForm,
) -> (Map<String, Value>, Vec<String>, BTreeMap<String, String>) {
    let mut record = Map::new();
    let mut errors = BTreeMap::new();
    let method = match form.method.as_str() {
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
        let row = |rows: &BTreeMap<usize, String>| rows.get(&n).and_then(|text| filled(text));
        let (question, answer) = (row(&form.question), row(&form.answer));
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
    record.insert("knowledge".into(), json!(ticked(&fields.knowledge)));
    let mut details = json!({ "questions": questions });
    if let Some(summary) = filled(&form.details.summary) {
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
    Html(async { questioning_page(&state, &session, typed_path_id(&path)?, fields).await }.await)
}

async fn questioning_page(
    state: &AppState,
    session: &Session,
    id: EnrolmentId,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let opened = open(state, session, id, Action::RecordAssessorEvidence).await?;
    let standard = standard_of(&state.catalogue, &opened.enrolment)?;
    let form: QuestioningForm = fields.read()?;
    let (record, order, errors) = questioning_record(standard, &fields.read()?, &form);
    let errors = match add_described(state, session, &opened, record, errors).await? {
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
    let view = questioning_view(state, session, &opened, standard, &fields, &form, errors);
    show(
        state,
        session,
        "pages/evidence_questioning.html",
        &view,
        true,
    )
}
