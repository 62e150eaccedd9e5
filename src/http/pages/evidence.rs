//! Adding evidence from the web: uploading a file (product evidence, an electronic data record) and
//! witness testimony — by the candidate (with their declaration) or the assessor. The upload is a
//! plain multipart form that works without JavaScript; with it, `attest.js` sends the same form
//! with a progress bar. The file is streamed to disk while hashed, exactly as the API's upload.

use std::collections::BTreeMap;

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use futures_util::StreamExt;
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::form::{Fields, FormState};
use super::record::{
    ActivityView, AttributeView, Choice, OutcomeView, activity_view, attributes_view,
    criteria_view, knowledge_view, new_record_fields, place_errors, read_activity, read_attributes,
    read_mappings,
};
use super::rows::{standard_of, unit_name};
use super::view::{Html, PageError, PageSession, check_csrf, page_with_status, see_other};
use crate::action::ActionError;
use crate::auth::policy::Action;
use crate::http::api::enrolments::authorize;
use crate::http::api::path_id;
use crate::http::session::Session;
use crate::http::{ApiError, AppState, upload};
use crate::identity;
use crate::portfolio::{self, Enrolment, NewEvidence, StoredFile};
use crate::standards::Standard;
use crate::storage::{self, StorageError};

/// Text parts of an upload form are small; anything larger is not from our form.
const TEXT_PART_LIMIT: usize = 64 * 1024;

/// What every evidence form shows around its own fields.
#[derive(Serialize)]
pub struct EvidenceForm {
    /// The page title.
    pub title: String,
    /// The enrolment id.
    pub id: String,
    /// "NZQA 28268 v2: Communicate with …".
    pub unit: String,
    /// The candidate's name.
    pub candidate: String,
    /// The form's CSRF token.
    pub csrf: String,
    /// Whether the candidate is adding it (their declaration is asked for).
    pub by_candidate: bool,
    /// What was typed, and the errors.
    pub form: FormState,
    /// When and where.
    pub activity: ActivityView,
    /// The criteria with range items (mapping forms).
    pub outcomes: Vec<OutcomeView>,
    /// The standard's attributes.
    pub attributes: Vec<AttributeView>,
    /// The standard's knowledge items.
    pub knowledge: Vec<Choice>,
    /// The upload limit in MB.
    pub max_upload_mb: u64,
}

/// An enrolment opened for adding evidence, with its candidate's name.
pub struct Opened {
    /// The enrolment.
    pub enrolment: Enrolment,
    /// The candidate's name.
    pub candidate: String,
}

/// Loads the enrolment if the session may do `action` to it.
pub async fn open(
    state: &AppState,
    session: &Session,
    raw_id: &str,
    action: Action,
) -> Result<Opened, PageError> {
    let id = path_id(raw_id)?.to_string();
    let for_tx = session.clone();
    Ok(state
        .db
        .read(move |conn| {
            let enrolment = authorize(conn, &for_tx, &id, action)?;
            let candidate = identity::load_user(conn, &enrolment.candidate_id)?.name;
            Ok::<_, ActionError>(Opened {
                enrolment,
                candidate,
            })
        })
        .await?)
}

impl EvidenceForm {
    /// The form for `opened`, filled from `fields`, with `errors`.
    pub fn new(
        state: &AppState,
        session: &Session,
        opened: &Opened,
        standard: &Standard,
        title: &str,
        fields: &Fields,
        errors: BTreeMap<String, String>,
    ) -> Self {
        let form = FormState::again(fields, errors);
        Self {
            title: title.to_owned(),
            id: opened.enrolment.id.clone(),
            unit: format!("{}: {}", unit_name(standard), standard.title),
            candidate: opened.candidate.clone(),
            csrf: session.csrf.clone(),
            by_candidate: opened.enrolment.candidate_id == session.user_id,
            activity: activity_view(fields),
            outcomes: criteria_view(standard, fields, &form),
            attributes: attributes_view(standard, fields, &form),
            knowledge: knowledge_view(standard, fields),
            max_upload_mb: state.config.max_upload_bytes / (1024 * 1024),
            form,
        }
    }
}

/// Shows an evidence form: 200 when new, 422 when shown again with errors.
pub fn show<T: Serialize>(
    state: &AppState,
    session: &Session,
    template: &str,
    view: &T,
    has_errors: bool,
) -> Result<HttpResponse, PageError> {
    let status = if has_errors {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page_with_status(state, Some(session), template, view, status)
}

/// The API's evidence record from the form's JSON; the form has already checked every field the
/// record's types constrain, so a failure here is a fault.
pub fn to_new_evidence(record: Map<String, Value>) -> Result<NewEvidence, PageError> {
    serde_json::from_value(Value::Object(record))
        .map_err(|e| PageError::Api(ApiError::Internal(format!("form record: {e}"))))
}

/// Adds the record (with its stored file) as the session, authorized for `action`, in one
/// transaction; field problems come back to show on the form.
pub async fn add(
    state: &AppState,
    session: &Session,
    enrolment_id: &str,
    action: Action,
    new: NewEvidence,
    file: Option<StoredFile>,
) -> Result<Result<String, BTreeMap<String, String>>, PageError> {
    let catalogue = state.catalogue.clone();
    let base = state.config.public_url.clone();
    let for_tx = session.clone();
    let id = enrolment_id.to_owned();
    let added = state
        .db
        .write(move |conn| {
            let enrolment = authorize(conn, &for_tx, &id, action)?;
            let standard = standard_of(&catalogue, &enrolment)?;
            let now = Utc::now();
            let record = portfolio::add_evidence(
                conn,
                standard,
                &enrolment,
                &for_tx.user_id,
                new,
                file,
                now,
            )?;
            crate::notify::events::evidence_added(
                conn,
                &base,
                &enrolment,
                &record,
                &for_tx.user_id,
                now,
            )?;
            Ok(record)
        })
        .await;
    match added {
        Ok(record) => {
            state.refresher.refresh(enrolment_id).await;
            Ok(Ok(record.id))
        }
        Err(ActionError::Invalid(errors)) => Ok(Err(errors)),
        Err(other) => Err(other.into()),
    }
}

/// Adds the record a form described when it has no problems, and answers with the way to the
/// portfolio; otherwise (or when the action refuses fields) gives the problems back to show.
pub async fn add_described(
    state: &AppState,
    session: &Session,
    opened: &Opened,
    action: Action,
    record: Map<String, Value>,
    mut errors: BTreeMap<String, String>,
) -> Result<Result<HttpResponse, BTreeMap<String, String>>, PageError> {
    if errors.is_empty() {
        let new = to_new_evidence(record)?;
        match add(state, session, &opened.enrolment.id, action, new, None).await? {
            Ok(evidence_id) => return Ok(Ok(added(&opened.enrolment.id, &evidence_id))),
            Err(refused) => errors.extend(refused),
        }
    } else {
        errors =
            with_action_problems(state, session, opened, action, record, false, errors).await?;
    }
    Ok(Err(errors))
}

/// Adds to the form's own `errors` whatever the action would also refuse in `record` (checked
/// without writing), so every problem shows in one round; the form's word wins on a field.
pub async fn with_action_problems(
    state: &AppState,
    session: &Session,
    opened: &Opened,
    action: Action,
    record: Map<String, Value>,
    has_file: bool,
    mut errors: BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, PageError> {
    // The dates the form already found missing or wrong get a stand-in, so everything else can be
    // checked; a record still not whole is checked by the form alone.
    let mut record = record;
    let today = Value::String(Utc::now().date_naive().to_string());
    record.entry("date").or_insert_with(|| today.clone());
    if let Some(witness) = record
        .get_mut("details")
        .and_then(|d| d.get_mut("witness"))
        .and_then(Value::as_object_mut)
    {
        witness.entry("declared_on").or_insert(today);
    }
    let Ok(new) = serde_json::from_value::<NewEvidence>(Value::Object(record)) else {
        return Ok(errors);
    };
    let catalogue = state.catalogue.clone();
    let for_tx = session.clone();
    let id = opened.enrolment.id.clone();
    let found = state
        .db
        .read(move |conn| {
            let enrolment = authorize(conn, &for_tx, &id, action)?;
            let standard = standard_of(&catalogue, &enrolment)?;
            let problems = portfolio::evidence_problems(
                conn,
                standard,
                &enrolment,
                &for_tx.user_id,
                &new,
                has_file,
            )?;
            Ok::<_, ActionError>(problems.into_map())
        })
        .await?;
    for (field, reason) in found {
        errors.entry(field).or_insert(reason);
    }
    Ok(errors)
}

/// Where to go after adding evidence: the portfolio, at the new record, saying it was added. (The
/// query survives the redirect an upload script follows, where the fragment does not.)
pub fn added(enrolment_id: &str, evidence_id: &str) -> HttpResponse {
    see_other(&format!(
        "/enrolments/{enrolment_id}?added={evidence_id}#evidence-{evidence_id}"
    ))
}

/// `GET /enrolments/{id}/evidence/new`: the upload form.
pub async fn upload_form(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    Html(upload_form_page(&state, &session, &path).await)
}

async fn upload_form_page(
    state: &AppState,
    session: &Session,
    raw_id: &str,
) -> Result<HttpResponse, PageError> {
    let opened = open(state, session, raw_id, Action::AddEvidence).await?;
    let standard = standard_of(&state.catalogue, &opened.enrolment)?;
    let mut fields = new_record_fields();
    fields.push("method".into(), "product_evidence".into());
    let view = EvidenceForm::new(
        state,
        session,
        &opened,
        standard,
        "Upload evidence",
        &fields,
        BTreeMap::new(),
    );
    show(state, session, "pages/evidence_upload.html", &view, false)
}

/// A received file and its sanitised name, waiting for the record to be accepted.
type Upload = Option<(storage::Received, String)>;

/// Reads the multipart form: text parts into fields, the file streamed to a temporary file.
async fn read_upload(
    state: &AppState,
    multipart: &mut Multipart,
) -> Result<(Fields, Upload), PageError> {
    let mut fields = Fields::default();
    let mut upload: Upload = None;
    while let Some(part) = multipart.next().await {
        let mut part = part.map_err(|e| ApiError::BadRequest(format!("unreadable upload: {e}")))?;
        let name = part.name().unwrap_or_default().to_owned();
        let file_name = part
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_owned);
        match file_name {
            // A file input left empty sends a part with no name and no bytes.
            Some(file_name) if name == "file" && !file_name.is_empty() => {
                if upload.is_some() {
                    return Err(ApiError::field("file", "send one file per evidence record").into());
                }
                match upload::receive(state, &mut part).await? {
                    Ok(received) => upload = Some((received, storage::sanitise_name(&file_name))),
                    // A refusal is the user's to fix on the form; a storage fault is not.
                    Err(
                        err @ (StorageError::Io(_)
                        | StorageError::Corrupt(_)
                        | StorageError::Remote(_)),
                    ) => {
                        return Err(ApiError::from(err).into());
                    }
                    Err(refused) => {
                        fields.push(
                            "file-error".into(),
                            super::view::capitalise(&refused.to_string()),
                        );
                    }
                }
            }
            Some(_) => while part.next().await.is_some() {},
            None => {
                let mut bytes = Vec::new();
                while let Some(chunk) = part.next().await {
                    let chunk = chunk
                        .map_err(|e| ApiError::BadRequest(format!("unreadable upload: {e}")))?;
                    bytes.extend_from_slice(&chunk);
                    if bytes.len() > TEXT_PART_LIMIT {
                        return Err(ApiError::PayloadTooLarge(format!(
                            "the {name} field is too long"
                        ))
                        .into());
                    }
                }
                fields.push_checked(name, String::from_utf8_lossy(&bytes).into_owned())?;
            }
        }
    }
    Ok((fields, upload))
}

/// The record an upload form describes; problems by field.
fn upload_record(
    standard: &Standard,
    fields: &Fields,
    has_file: bool,
) -> (Map<String, Value>, Vec<String>, BTreeMap<String, String>) {
    let mut record = Map::new();
    let mut errors = BTreeMap::new();
    let method = match fields.text("method") {
        "electronic_data_record" => "electronic_data_record",
        _ => "product_evidence",
    };
    record.insert("method".into(), json!(method));
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
    if let Some(summary) = fields.filled("details.summary") {
        record.insert("details".into(), json!({ "summary": summary }));
    }
    record.insert("declaration".into(), json!(fields.ticked("declaration")));
    if let Some(reason) = fields.filled("file-error") {
        errors.insert("file".into(), reason);
    } else if !has_file {
        errors.insert("file".into(), "Choose the file to upload".into());
    }
    if order.is_empty() {
        errors.insert(
            "criteria".into(),
            "Tick at least one criterion this evidence shows".into(),
        );
    }
    (record, order, errors)
}

/// `POST /enrolments/{id}/evidence/new`: receives the file and adds the record.
pub async fn upload(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    mut multipart: Multipart,
) -> Html {
    Html(upload_page(&state, &session, &path, &mut multipart).await)
}

async fn upload_page(
    state: &AppState,
    session: &Session,
    raw_id: &str,
    multipart: &mut Multipart,
) -> Result<HttpResponse, PageError> {
    // Refused before a byte of a large body is read when the user may not add evidence at all.
    let opened = open(state, session, raw_id, Action::AddEvidence).await?;
    let (fields, upload) = read_upload(state, multipart).await?;
    check_csrf(session, fields.csrf())?;
    let standard = standard_of(&state.catalogue, &opened.enrolment)?;
    let (record, order, mut errors) = upload_record(standard, &fields, upload.is_some());
    let again = |errors: BTreeMap<String, String>| {
        let mut errors = place_errors(errors, &order, standard);
        if !errors.contains_key("file") {
            errors.insert(
                "file".into(),
                "Choose the file again: it is not kept while the form has problems".into(),
            );
        }
        let view = EvidenceForm::new(
            state,
            session,
            &opened,
            standard,
            "Upload evidence",
            &fields,
            errors,
        );
        show(state, session, "pages/evidence_upload.html", &view, true)
    };
    if !errors.is_empty() {
        let has_file = upload.is_some();
        let action = Action::AddEvidence;
        let all = with_action_problems(state, session, &opened, action, record, has_file, errors);
        return again(all.await?);
    }
    let Some((file, name)) = upload else {
        return again(errors);
    };
    let new = to_new_evidence(record)?;
    let stored = upload::describe(&file, name);
    match add(
        state,
        session,
        &opened.enrolment.id,
        Action::AddEvidence,
        new,
        Some(stored),
    )
    .await?
    {
        Ok(evidence_id) => {
            upload::publish(state, file).await?;
            Ok(added(&opened.enrolment.id, &evidence_id))
        }
        Err(refused) => {
            errors.extend(refused);
            again(errors)
        }
    }
}

/// `GET /enrolments/{id}/testimony/new`: the witness testimony form.
pub async fn testimony_form(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    Html(testimony_form_page(&state, &session, &path).await)
}

async fn testimony_form_page(
    state: &AppState,
    session: &Session,
    raw_id: &str,
) -> Result<HttpResponse, PageError> {
    let opened = open(state, session, raw_id, Action::AddEvidence).await?;
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

/// The record a testimony form describes; problems by field.
fn testimony_record(
    standard: &Standard,
    fields: &Fields,
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
    let text = |name: &str| {
        fields
            .text(&format!("details.witness.{name}"))
            .trim()
            .to_owned()
    };
    // Always the whole witness, so every missing detail is named. The witness confirms it
    // themselves, through the link they are sent: nobody declares it on their behalf here.
    let witness = json!({
        "name": text("name"), "job_title": text("job_title"),
        "relationship": text("relationship"), "contact": text("contact"),
        "statement": text("statement"),
        "declaration": false,
    });
    record.insert("details".into(), json!({ "witness": witness }));
    record.insert("declaration".into(), json!(fields.ticked("declaration")));
    (record, order, errors)
}

/// `POST /enrolments/{id}/testimony/new`.
pub async fn testimony(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(testimony_page(&state, &session, &path, fields).await)
}

async fn testimony_page(
    state: &AppState,
    session: &Session,
    raw_id: &str,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let opened = open(state, session, raw_id, Action::AddEvidence).await?;
    let standard = standard_of(&state.catalogue, &opened.enrolment)?;
    let (record, order, errors) = testimony_record(standard, &fields);
    let action = Action::AddEvidence;
    let mut errors = errors;
    let contact = fields.text("details.witness.contact").trim().to_owned();
    let looks_like_email = contact.contains('@') && contact.contains('.');
    if !contact.is_empty() && !looks_like_email {
        errors.insert(
            "details.witness.contact".into(),
            "Enter the witness's email address: the link to confirm is sent there".into(),
        );
    }
    let errors = if errors.is_empty() {
        let new = to_new_evidence(record)?;
        match add(state, session, &opened.enrolment.id, action, new, None).await? {
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
        let all = with_action_problems(state, session, &opened, action, record, false, errors);
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
