//! Witness testimony recorded by the candidate: the form and the record it makes.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::*;
use crate::auth::policy::Action;
use crate::db::ids::EnrolmentId;
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::pages::form::{Fields, Ticked};
use crate::http::pages::record::{
    RecordForm, new_record_fields, place_errors, read_activity, read_attributes, read_mappings,
};
use crate::http::pages::rows::standard_of;
use crate::http::pages::view::{Html, PageError, PageSession, check_csrf, see_other};
use crate::http::session::Session;
use crate::standards::Standard;

/// `GET /enrolments/{id}/testimony/new`: the witness testimony form.
pub async fn testimony_form(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    Html(async { testimony_form_page(&state, &session, typed_path_id(&path)?).await }.await)
}

async fn testimony_form_page(
    state: &AppState,
    session: &Session,
    id: EnrolmentId,
) -> Result<HttpResponse, PageError> {
    let opened = open(state, session, id, Action::AddEvidence).await?;
    let standard = standard_of(&state.catalogue, &opened.enrolment)?;
    let view = EvidenceForm::new(
        state,
        session,
        &opened,
        standard,
        "Add witness testimony",
        &new_record_fields(),
        BTreeMap::new(),
    );
    show(
        state,
        session,
        "pages/evidence_testimony.html",
        &view,
        false,
    )
}

/// The testimony form's own fields, as posted: the witness (`details.witness.name` …) and the
/// candidate's declaration.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TestimonyForm {
    details: TestimonyDetails,
    declaration: Ticked,
}

/// `details.witness`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TestimonyDetails {
    witness: WitnessForm,
}

/// The witness as the candidate describes them.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WitnessForm {
    name: String,
    job_title: String,
    relationship: String,
    contact: String,
    statement: String,
}

/// The record a testimony form describes; problems by field.
fn testimony_record(
    standard: &Standard,
    fields: &RecordForm,
    form: &TestimonyForm,
) -> (Map<String, Value>, Vec<String>, BTreeMap<String, String>) {
    let mut record = Map::new();
    let mut errors = BTreeMap::new();
    record.insert("method".into(), json!("witness_testimony"));
    read_activity(fields, &mut record, &mut errors);
    record.insert(
        "attributes".into(),
        Value::Object(read_attributes(standard, fields)),
    );
    let mappings = read_mappings(standard, fields);
    let order: Vec<String> = mappings.iter().map(|(id, _)| id.clone()).collect();
    record.insert(
        "criteria".into(),
        Value::Array(mappings.into_iter().map(|(_, m)| m).collect()),
    );
    if order.is_empty() {
        errors.insert(
            "criteria".into(),
            "Tick the criteria the witness saw the candidate meet".into(),
        );
    }
    let w = &form.details.witness;
    // Always the whole witness, so every missing detail is named. The witness confirms it
    // themselves, through the link they are sent: nobody declares it on their behalf here.
    let witness = json!({
        "name": w.name.trim(), "job_title": w.job_title.trim(),
        "relationship": w.relationship.trim(), "contact": w.contact.trim(),
        "statement": w.statement.trim(),
        "declaration": false,
    });
    record.insert("details".into(), json!({ "witness": witness }));
    record.insert("declaration".into(), json!(form.declaration.0));
    (record, order, errors)
}

/// `POST /enrolments/{id}/testimony/new`.
pub async fn testimony(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(
        async {
            check_csrf(&session, fields.csrf())?;
            testimony_page(&state, &session, typed_path_id(&path)?, fields).await
        }
        .await,
    )
}

/// The witness's address as the testimony form posts it (checked here: the link is mailed there).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WitnessContact {
    #[serde(rename = "details.witness.contact")]
    contact: String,
}

/// Adds the testimony; the CSRF token is already checked.
async fn testimony_page(
    state: &AppState,
    session: &Session,
    id: EnrolmentId,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    let opened = open(state, session, id, Action::AddEvidence).await?;
    let standard = standard_of(&state.catalogue, &opened.enrolment)?;
    let (record, order, errors) = testimony_record(standard, &fields.read()?, &fields.read()?);
    let mut errors = errors;
    let WitnessContact { contact } = fields.read()?;
    let contact = contact.trim().to_owned();
    let looks_like_email = contact.contains('@') && contact.contains('.');
    if !contact.is_empty() && !looks_like_email {
        errors.insert(
            "details.witness.contact".into(),
            "Enter the witness's email address: the link to confirm is sent there".into(),
        );
    }
    let errors = if errors.is_empty() {
        let new = to_new_evidence(record)?;
        match add(state, session, opened.enrolment.id, new, None).await? {
            // Next: send it to the witness (their link is mailed to them).
            Ok(evidence_id) => {
                return Ok(see_other(&format!(
                    "/enrolments/{}/evidence/{evidence_id}/witness?added=1",
                    opened.enrolment.id
                )));
            }
            Err(refused) => place_errors(refused, &order, standard),
        }
    } else {
        let all = with_action_problems(state, session, &opened, record, false, errors);
        place_errors(all.await?, &order, standard)
    };
    let view = EvidenceForm::new(
        state,
        session,
        &opened,
        standard,
        "Add witness testimony",
        &fields,
        errors,
    );
    show(state, session, "pages/evidence_testimony.html", &view, true)
}
