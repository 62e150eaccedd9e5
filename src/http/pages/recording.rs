//! A recording's page: the player, its time points (each one a jump to that moment) and the form
//! to mark another — "04:12 — 1.3 establishing rapport". For the candidate and the assessor.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::evidence::open;
use super::form::{Fields, FormState, field_errors};
use super::view::{Html, PageError, PageSession, check_csrf, page_with_status, see_other};
use crate::action::ActionError;
use crate::auth::policy::Action;
use crate::db::ids::{EnrolmentId, EvidenceId, TimePointId};
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::session::Session;
use crate::portfolio::evidence::actions;
use crate::portfolio::time_points::{self, NewTimePoint, TimePoint};
use crate::portfolio::{self, EvidenceRecord};
use crate::standards::Standard;

/// A time point as the page shows it.
#[derive(Debug, Serialize)]
pub struct TimePointView {
    /// Its id.
    pub id: String,
    /// `04:12`.
    pub at: String,
    /// Seconds, for the player.
    pub seconds: i32,
    /// The criterion or knowledge item.
    pub mapping: String,
    /// Its words in the standard.
    pub text: String,
    /// The note.
    pub note: String,
    /// Who marked it.
    pub by: String,
    /// Whether the viewer may remove it.
    pub removable: bool,
}

/// What a mapping's id stands for in the standard.
fn mapping_text(standard: &Standard, id: &str) -> String {
    standard
        .criterion(id)
        .map(|c| c.text.clone())
        .or_else(|| standard.knowledge_item(id).map(|k| k.text.clone()))
        .unwrap_or_default()
}

/// The names of the people who marked `points`, each read once.
pub fn markers(
    conn: &mut crate::db::DbConnection,
    points: &[TimePoint],
) -> Result<HashMap<String, String>, ActionError> {
    let mut names = HashMap::new();
    for p in points {
        if let std::collections::hash_map::Entry::Vacant(entry) =
            names.entry(p.created_by.to_string())
        {
            let name = crate::identity::load_user(conn, p.created_by)?.name;
            entry.insert(name);
        }
    }
    Ok(names)
}

/// The time points as shown to `viewer` (`assessor` when they assess the enrolment).
pub fn time_point_views(
    standard: &Standard,
    points: &[TimePoint],
    names: &mut impl FnMut(&str) -> String,
    viewer: &str,
    assessor: bool,
) -> Vec<TimePointView> {
    points
        .iter()
        .map(|p| TimePointView {
            id: p.id.to_string(),
            at: p.at(),
            seconds: p.at_seconds,
            text: mapping_text(standard, &p.mapping),
            mapping: p.mapping.clone(),
            note: p.note.clone(),
            by: names(&p.created_by.to_string()),
            removable: assessor || p.created_by == viewer,
        })
        .collect()
}

#[derive(Serialize)]
struct MappingOption {
    value: String,
    label: String,
}

#[derive(Serialize)]
struct RecordingView {
    title: String,
    id: String,
    evidence_id: String,
    candidate: String,
    csrf: String,
    heading: String,
    /// `audio` or `video`.
    media: &'static str,
    url: String,
    content_type: String,
    points: Vec<TimePointView>,
    /// The mapped criteria and knowledge items.
    mappings: Vec<MappingOption>,
    can_mark: bool,
    form: FormState,
}

/// `GET /enrolments/{id}/evidence/{evidence_id}/recording`.
pub async fn show(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<(String, String)>,
) -> Html {
    Html(
        async {
            let (id, evidence_id) = (typed_path_id(&path.0)?, typed_path_id(&path.1)?);
            render(&state, &session, id, evidence_id, None).await
        }
        .await,
    )
}

async fn render(
    state: &AppState,
    session: &Session,
    id: EnrolmentId,
    evidence_id: EvidenceId,
    refused: Option<FormState>,
) -> Result<HttpResponse, PageError> {
    let opened = open(state, session, id, Action::ReadEnrolment).await?;
    let enrolment = opened.enrolment.clone();
    let for_tx = session.clone();
    let (record, points, names, can_mark) = state
        .db
        .read(move |conn| {
            let record = portfolio::load_evidence(conn, enrolment.id, evidence_id)?;
            if !time_points::is_recording(&record) {
                return Err(ActionError::NotFound);
            }
            let points = time_points::of_evidence(conn, enrolment.id, record.id)?;
            let names = markers(conn, &points)?;
            let can_mark = actions::may_mark(conn, &for_tx.acting(), enrolment.id).is_ok();
            Ok::<_, ActionError>((record, points, names, can_mark))
        })
        .await?;
    let standard = crate::http::shared::enrolments::standard_of(state, &opened.enrolment)?;
    let assessor = opened
        .enrolment
        .assessor_id
        .is_some_and(|id| id == session.user_id);
    let mut name_of = |id: &str| names.get(id).cloned().unwrap_or_default();
    let points = time_point_views(standard, &points, &mut name_of, &session.user_id, assessor);
    let view = view_of(
        session, &opened, standard, record, points, can_mark, refused,
    );
    let status = if view.form.has_errors() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page_with_status(state, Some(session), "pages/recording.html", &view, status)
}

fn view_of(
    session: &Session,
    opened: &super::evidence::Opened,
    standard: &Standard,
    record: EvidenceRecord,
    points: Vec<TimePointView>,
    can_mark: bool,
    refused: Option<FormState>,
) -> RecordingView {
    let file = record.file.clone();
    let content_type = file
        .as_ref()
        .map(|f| f.content_type.clone())
        .unwrap_or_default();
    let heading = record
        .instance
        .title
        .clone()
        .unwrap_or_else(|| super::view::capitalise(record.instance.method.label()));
    let mappings = time_points::mapped(&record)
        .into_iter()
        .map(|id| MappingOption {
            label: format!("{id} {}", mapping_text(standard, id)),
            value: id.to_owned(),
        })
        .collect();
    RecordingView {
        title: format!("Recording: {heading}"),
        id: opened.enrolment.id.to_string(),
        evidence_id: record.id.to_string(),
        candidate: opened.candidate.clone(),
        csrf: session.csrf.clone(),
        heading: format!("{heading} of {}", record.instance.date),
        media: if content_type.starts_with("video/") {
            "video"
        } else {
            "audio"
        },
        url: format!(
            "/api/enrolments/{}/evidence/{}/file?inline=1",
            opened.enrolment.id, record.id
        ),
        content_type,
        points,
        mappings,
        can_mark,
        form: refused.unwrap_or_default(),
    }
}

/// The form that marks a time point, as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MarkForm {
    at: String,
    mapping: String,
    note: String,
}

/// `POST /enrolments/{id}/evidence/{evidence_id}/time-points`.
pub async fn add(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<(String, String)>,
    fields: Fields,
) -> Html {
    Html(
        async {
            check_csrf(&session, fields.csrf())?;
            let (id, evidence_id) = (typed_path_id(&path.0)?, typed_path_id(&path.1)?);
            add_page(&state, &session, id, evidence_id, fields).await
        }
        .await,
    )
}

/// Marks the time point; the CSRF token is already checked.
async fn add_page(
    state: &AppState,
    session: &Session,
    id: EnrolmentId,
    evidence_id: EvidenceId,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    let MarkForm { at, mapping, note } = fields.read()?;
    let input = NewTimePoint { at, mapping, note };
    let for_tx = session.clone();
    let done = state
        .db
        .write(move |conn| actions::mark(conn, &for_tx.acting(), id, evidence_id, input))
        .await;
    match done {
        Ok(point) => Ok(see_other(&format!(
            "/enrolments/{}/evidence/{}/recording?marked={}#point-{}",
            point.enrolment_id, point.evidence_id, point.id, point.id
        ))),
        Err(err) => {
            let form = FormState::again(&fields, field_errors(err)?);
            render(state, session, id, evidence_id, Some(form)).await
        }
    }
}

/// `POST /enrolments/{id}/evidence/{evidence_id}/time-points/{point_id}/remove`.
pub async fn remove(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<(String, String, String)>,
    fields: Fields,
) -> Html {
    let (id, evidence, point) = path.into_inner();
    Html(
        async {
            check_csrf(&session, fields.csrf())?;
            let ids = (
                typed_path_id(&id)?,
                typed_path_id(&evidence)?,
                typed_path_id(&point)?,
            );
            remove_page(&state, &session, ids).await
        }
        .await,
    )
}

/// Removes the time point; the CSRF token is already checked.
async fn remove_page(
    state: &AppState,
    session: &Session,
    (id, evidence_id, point_id): (EnrolmentId, EvidenceId, TimePointId),
) -> Result<HttpResponse, PageError> {
    let for_tx = session.clone();
    let removed = state
        .db
        .write(move |conn| actions::unmark(conn, &for_tx.acting(), id, evidence_id, point_id))
        .await?;
    Ok(see_other(&format!(
        "/enrolments/{}/evidence/{}/recording",
        removed.enrolment_id, removed.evidence_id
    )))
}
