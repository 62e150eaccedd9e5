//! What every evidence form shares: opening the enrolment for it, showing the form, reading the
//! common fields, adding the record and answering with its problems.

use std::collections::BTreeMap;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use chrono::Utc;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::action::{ActionError, Problems};
use crate::auth::policy::Action;
use crate::db::ids::{EnrolmentId, EvidenceId};
use crate::http::pages::form::{Fields, FormState};
use crate::http::pages::record::{
    ActivityView, AttributeView, Choice, OutcomeView, activity_view, attributes_view,
    criteria_view, knowledge_view,
};
use crate::http::pages::rows::unit_name;
use crate::http::pages::view::{PageError, page_with_status, see_other};
use crate::http::session::Session;
use crate::http::shared::enrolments::authorize;
use crate::http::{ApiError, AppState};
use crate::identity;
use crate::portfolio::evidence::actions;
use crate::portfolio::{Enrolment, NewEvidence, StoredFile};
use crate::standards::Standard;

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
    id: EnrolmentId,
    action: Action,
) -> Result<Opened, PageError> {
    let for_tx = session.clone();
    Ok(state
        .db
        .read(move |conn| {
            let enrolment = authorize(conn, &for_tx, id, action)?;
            let candidate = identity::load_user(conn, enrolment.candidate_id)?.name;
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
            id: opened.enrolment.id.to_string(),
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

/// Adds the record (with its stored file) as the session, in one transaction; field problems come
/// back to show on the form.
pub async fn add(
    state: &AppState,
    session: &Session,
    id: EnrolmentId,
    new: NewEvidence,
    file: Option<StoredFile>,
) -> Result<Result<EvidenceId, BTreeMap<String, String>>, PageError> {
    let tx_state = state.clone();
    let for_tx = session.clone();
    let added = state
        .db
        .write(move |conn| actions::add(conn, tx_state.services(), &for_tx.acting(), id, new, file))
        .await;
    match added {
        Ok(record) => {
            state.refresher.refresh(id);
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
    record: Map<String, Value>,
    mut errors: BTreeMap<String, String>,
) -> Result<Result<HttpResponse, BTreeMap<String, String>>, PageError> {
    if errors.is_empty() {
        let new = to_new_evidence(record)?;
        let enrolment_id = opened.enrolment.id;
        match add(state, session, enrolment_id, new, None).await? {
            Ok(evidence_id) => return Ok(Ok(added(enrolment_id, evidence_id))),
            Err(refused) => errors.extend(refused),
        }
    } else {
        errors = with_action_problems(state, session, opened, record, false, errors).await?;
    }
    Ok(Err(errors))
}

/// Adds to the form's own `errors` whatever the action would also refuse in `record` (checked
/// without writing), so every problem shows in one round; the form's word wins on a field.
pub async fn with_action_problems(
    state: &AppState,
    session: &Session,
    opened: &Opened,
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
    let id = opened.enrolment.id;
    let tx_state = state.clone();
    let for_tx = session.clone();
    let found = state
        .db
        .read(move |conn| {
            let acting = for_tx.acting();
            actions::problems(conn, tx_state.services(), &acting, id, &new, has_file)
                .map(Problems::into_map)
        })
        .await?;
    for (field, reason) in found {
        errors.entry(field).or_insert(reason);
    }
    Ok(errors)
}

/// Where to go after adding evidence: the portfolio, at the new record, saying it was added. (The
/// query survives the redirect an upload script follows, where the fragment does not.)
pub fn added(enrolment_id: EnrolmentId, evidence_id: EvidenceId) -> HttpResponse {
    see_other(&format!(
        "/enrolments/{enrolment_id}?added={evidence_id}#evidence-{evidence_id}"
    ))
}
