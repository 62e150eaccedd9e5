//! Uploading a file as evidence: the form and the multipart body read part by part.

use std::collections::BTreeMap;

use actix_multipart::Multipart;
use actix_web::{HttpResponse, web};
use futures_util::StreamExt;
use serde_json::{Map, Value, json};

use super::*;
use crate::auth::policy::Action;
use crate::db::ids::EnrolmentId;
use crate::http::extract::typed_path_id;
use crate::http::pages::form::{Fields, Ticked, filled};
use crate::http::pages::record::{
    RecordForm, new_record_fields, place_errors, read_activity, read_attributes, read_mappings,
};
use crate::http::pages::rows::standard_of;
use crate::http::pages::view::{Html, PageError, PageSession, check_csrf};
use crate::http::session::Session;
use crate::http::{ApiError, AppState, upload};
use crate::standards::Standard;
use crate::storage::{self, StorageError};

/// Text parts of an upload form are small; anything larger is not from our form.
const TEXT_PART_LIMIT: usize = 64 * 1024;

/// `GET /enrolments/{id}/evidence/new`: the upload form.
pub async fn upload_form(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    Html(async { upload_form_page(&state, &session, typed_path_id(&path)?).await }.await)
}

async fn upload_form_page(
    state: &AppState,
    session: &Session,
    id: EnrolmentId,
) -> Result<HttpResponse, PageError> {
    let opened = open(state, session, id, Action::AddEvidence).await?;
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
                            crate::http::pages::view::capitalise(&refused.to_string()),
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

/// The upload form's own fields, as posted (and `file-error`, added as the file is received).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct UploadForm {
    method: String,
    details: UploadDetails,
    declaration: Ticked,
    #[serde(rename = "file-error")]
    file_error: String,
}

/// `details.summary`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct UploadDetails {
    summary: String,
}

/// The record an upload form describes; problems by field.
fn upload_record(
    standard: &Standard,
    fields: &RecordForm,
    form: &UploadForm,
    has_file: bool,
) -> (Map<String, Value>, Vec<String>, BTreeMap<String, String>) {
    let mut record = Map::new();
    let mut errors = BTreeMap::new();
    let method = match form.method.as_str() {
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
    if let Some(summary) = filled(&form.details.summary) {
        record.insert("details".into(), json!({ "summary": summary }));
    }
    record.insert("declaration".into(), json!(form.declaration.0));
    if let Some(reason) = filled(&form.file_error) {
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
    Html(
        async {
            let id = typed_path_id(&path)?;
            upload_page(&state, &session, id, &mut multipart).await
        }
        .await,
    )
}

async fn upload_page(
    state: &AppState,
    session: &Session,
    id: EnrolmentId,
    multipart: &mut Multipart,
) -> Result<HttpResponse, PageError> {
    // Refused before a byte of a large body is read when the user may not add evidence at all.
    let opened = open(state, session, id, Action::AddEvidence).await?;
    let (fields, upload) = read_upload(state, multipart).await?;
    check_csrf(session, fields.csrf())?;
    let standard = standard_of(&state.catalogue, &opened.enrolment)?;
    let (record, order, mut errors) =
        upload_record(standard, &fields.read()?, &fields.read()?, upload.is_some());
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
        let all = with_action_problems(state, session, &opened, record, has_file, errors);
        return again(all.await?);
    }
    let Some((file, name)) = upload else {
        return again(errors);
    };
    let new = to_new_evidence(record)?;
    let stored = upload::describe(&file, name);
    match add(state, session, opened.enrolment.id, new, Some(stored)).await? {
        Ok(evidence_id) => {
            upload::publish(state, file).await?;
            Ok(added(opened.enrolment.id, evidence_id))
        }
        Err(refused) => {
            errors.extend(refused);
            again(errors)
        }
    }
}
