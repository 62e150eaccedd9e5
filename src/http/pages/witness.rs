//! Witness testimony pages: the candidate's (or assessor's) page for one testimony — send it to
//! the witness, see every link and its state, revoke — and the witness's own page, reached through
//! the one-time link, no account needed (it works on a phone).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::evidence::open;
use super::form::{Fields, FormState, field_errors};
use super::view::{Html, PageError, PageSession, check_csrf, page_with_status, see_other};
use crate::action::ActionError;
use crate::auth::policy::Action;
use crate::db::ids::{EnrolmentId, EvidenceId, WitnessRequestId};
use crate::http::extract::typed_path_id;
use crate::http::session::{Session, client_address};
use crate::http::shared::witness::check_token;
use crate::http::{ApiError, AppState};
use crate::identity::{self, ApprovedWitness};
use crate::portfolio::witness::{self, RequestInput, Testimony, WitnessView};
use crate::portfolio::{self, EvidenceRecord};

#[derive(Serialize)]
struct RequestRow {
    id: String,
    witness_name: String,
    witness_email: String,
    approved: bool,
    state: String,
    requested_at: String,
    expires_at: String,
    closed_at: Option<String>,
    confirmed_hash: Option<String>,
    confirmed_address: Option<String>,
}

#[derive(Serialize)]
struct RequestsView {
    title: String,
    id: String,
    evidence_id: String,
    candidate: String,
    csrf: String,
    added: bool,
    record: EvidenceRecord,
    awaiting: bool,
    can_send: bool,
    approved: Vec<ApprovedWitness>,
    requests: Vec<RequestRow>,
    form: FormState,
}

/// `GET /enrolments/{id}/evidence/{evidence_id}/witness`.
pub async fn requests(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> Html {
    let added = req.query_string().contains("added=1");
    Html(
        async {
            let (id, evidence_id) = (typed_path_id(&path.0)?, typed_path_id(&path.1)?);
            render(&state, &session, id, evidence_id, added, None).await
        }
        .await,
    )
}

async fn render(
    state: &AppState,
    session: &Session,
    id: EnrolmentId,
    evidence_id: EvidenceId,
    added: bool,
    refused: Option<FormState>,
) -> Result<HttpResponse, PageError> {
    let opened = open(state, session, id, Action::ReadEnrolment).await?;
    let enrolment = opened.enrolment.clone();
    let may_send = witness::actions::may_ask(&session.acting(), &enrolment)?;
    let (record, approved, requests) = state
        .db
        .read(move |conn| {
            let record = portfolio::load_evidence(conn, enrolment.id, evidence_id)?;
            if record.details.witness.is_none() {
                return Err(ActionError::NotFound);
            }
            let approved = identity::approved_witnesses(conn, enrolment.org_id)?;
            let requests = witness::requests_for(conn, enrolment.id, evidence_id)?;
            Ok((record, approved, requests))
        })
        .await?;
    let now = Utc::now();
    let fmt = |t: chrono::NaiveDateTime| t.format("%Y-%m-%d %H:%M UTC").to_string();
    let rows = requests
        .iter()
        .map(|r| RequestRow {
            id: r.id.to_string(),
            witness_name: r.witness_name.clone(),
            witness_email: r.witness_email.clone(),
            approved: r.approved_witness_id.is_some(),
            state: r.state(now).to_owned(),
            requested_at: fmt(r.requested_at),
            expires_at: fmt(r.expires_at),
            closed_at: r.closed_at.map(fmt),
            confirmed_hash: r.confirmed_hash.clone(),
            confirmed_address: r.confirmed_address.clone(),
        })
        .collect();
    let awaiting = record.awaiting_witness();
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let view = RequestsView {
        title: "Witness testimony".into(),
        id: opened.enrolment.id.to_string(),
        evidence_id: record.id.to_string(),
        candidate: opened.candidate.clone(),
        csrf: session.csrf.clone(),
        added,
        awaiting,
        can_send: may_send && awaiting,
        approved,
        requests: rows,
        record,
        form: refused.unwrap_or_default(),
    };
    page_with_status(
        state,
        Some(session),
        "pages/witness_requests.html",
        &view,
        status,
    )
}

/// The form that sends a link, as posted: an approved witness by id, or `new` with a name and
/// an address.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SendForm {
    approved_witness_id: String,
    name: String,
    email: String,
}

/// The witness's confirmation as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ConfirmForm {
    statement: String,
    relationship: String,
    job_title: String,
    /// The checkbox: ticked when sent at all, whatever its value.
    declaration: Vec<String>,
}

/// `POST /enrolments/{id}/evidence/{evidence_id}/witness`: sends (or sends again) the link.
pub async fn send(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<(String, String)>,
    fields: Fields,
) -> Html {
    Html(
        async {
            check_csrf(&session, fields.csrf())?;
            let (id, evidence_id) = (typed_path_id(&path.0)?, typed_path_id(&path.1)?);
            send_page(&state, &session, id, evidence_id, fields).await
        }
        .await,
    )
}

/// Sends the link; the CSRF token is already checked.
async fn send_page(
    state: &AppState,
    session: &Session,
    id: EnrolmentId,
    evidence_id: EvidenceId,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    let form: SendForm = fields.read()?;
    let filled = |text: String| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
    let input = match filled(form.approved_witness_id).as_deref() {
        Some("new") | None => RequestInput {
            approved_witness_id: None,
            name: filled(form.name),
            email: filled(form.email),
        },
        Some(id) => RequestInput {
            approved_witness_id: Some(id.to_owned()),
            name: None,
            email: None,
        },
    };
    let tx_state = state.clone();
    let for_tx = session.clone();
    let done = state
        .db
        .write(move |conn| {
            let acting = for_tx.acting();
            witness::actions::request(conn, tx_state.services(), &acting, id, evidence_id, input)
        })
        .await;
    let back = format!("/enrolments/{id}/evidence/{evidence_id}/witness");
    match done {
        Ok(_) => Ok(see_other(&back)),
        Err(err) => {
            let form = FormState::again(&fields, field_errors(err)?);
            render(state, session, id, evidence_id, false, Some(form)).await
        }
    }
}

/// `POST /enrolments/{id}/witness-requests/{request_id}/revoke`.
pub async fn revoke(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<(String, String)>,
    fields: Fields,
) -> Html {
    Html(
        async {
            check_csrf(&session, fields.csrf())?;
            let (id, request_id) = (typed_path_id(&path.0)?, typed_path_id(&path.1)?);
            revoke_page(&state, &session, id, request_id).await
        }
        .await,
    )
}

/// Revokes the link; the CSRF token is already checked.
async fn revoke_page(
    state: &AppState,
    session: &Session,
    id: EnrolmentId,
    request_id: WitnessRequestId,
) -> Result<HttpResponse, PageError> {
    let for_tx = session.clone();
    let revoked = state
        .db
        .write(move |conn| witness::actions::revoke(conn, &for_tx.acting(), id, request_id))
        .await?;
    Ok(see_other(&format!(
        "/enrolments/{id}/evidence/{}/witness",
        revoked.evidence_id
    )))
}

#[derive(Serialize)]
struct WitnessPage {
    title: String,
    token: String,
    view: Option<WitnessView>,
    closed: Option<String>,
    confirmed_hash: Option<String>,
    form: FormState,
    /// A witness has no account: the header offers no "Sign in".
    on_sign_in: bool,
}

/// `GET /witness/{token}`: the witness reads and confirms (no account).
pub async fn form(state: web::Data<AppState>, path: web::Path<String>) -> Html {
    Html(witness_page(&state, &path, None, None).await)
}

async fn witness_page(
    state: &AppState,
    raw_token: &str,
    refused: Option<FormState>,
    confirmed_hash: Option<String>,
) -> Result<HttpResponse, PageError> {
    let token = check_token(raw_token)?;
    let for_tx = token.clone();
    let found = state
        .db
        .read(move |conn| witness::actions::view(conn, &for_tx, Utc::now()))
        .await;
    let (view, closed) = match (found, &confirmed_hash) {
        (_, Some(_)) => (None, None),
        (Ok(view), None) => (Some(view), None),
        (Err(ActionError::Conflict(reason)), None) => (None, Some(reason)),
        (Err(other), None) => return Err(other.into()),
    };
    let status = match (&refused, &closed) {
        (Some(_), _) => StatusCode::UNPROCESSABLE_ENTITY,
        (None, Some(_)) => StatusCode::GONE,
        _ => StatusCode::OK,
    };
    let form = refused.unwrap_or_else(|| match &view {
        Some(v) => FormState::with_values([
            ("statement".to_owned(), v.statement.clone()),
            ("relationship".to_owned(), v.relationship.clone()),
            ("job_title".to_owned(), v.job_title.clone()),
        ]),
        None => FormState::default(),
    });
    let page = WitnessPage {
        title: "Confirm witness testimony".into(),
        token,
        view,
        closed,
        confirmed_hash,
        form,
        on_sign_in: true,
    };
    let mut response = page_with_status(state, None, "pages/witness.html", &page, status)?;
    response.headers_mut().insert(
        actix_web::http::header::REFERRER_POLICY,
        actix_web::http::header::HeaderValue::from_static("no-referrer"),
    );
    Ok(response)
}

/// `POST /witness/{token}`: the witness confirms.
pub async fn confirm(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(confirm_page(&state, &req, &path, fields).await)
}

async fn confirm_page(
    state: &AppState,
    req: &HttpRequest,
    raw_token: &str,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    let token = check_token(raw_token)?;
    let form: ConfirmForm = fields.read()?;
    let testimony = Testimony {
        statement: form.statement,
        relationship: form.relationship,
        job_title: form.job_title,
        declaration: !form.declaration.is_empty(),
    };
    let address = client_address(req, &state.config.trusted_proxies);
    let tx_state = state.clone();
    let done = state
        .db
        .write(move |conn| {
            let services = tx_state.services();
            witness::actions::confirm(conn, services, &token, testimony, &address, Utc::now())
        })
        .await;
    match done {
        Ok(hash) => witness_page(state, raw_token, None, Some(hash)).await,
        Err(ActionError::Invalid(errors)) => {
            let form = FormState::again(&fields, errors);
            witness_page(state, raw_token, Some(form), None).await
        }
        Err(ActionError::Conflict(_)) => witness_page(state, raw_token, None, None).await,
        Err(other) => Err(PageError::Api(ApiError::from(other))),
    }
}
