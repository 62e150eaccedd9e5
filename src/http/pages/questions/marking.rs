//! The assessor's marks on a question request's answers.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::*;
use crate::action::ActionError;
use crate::db::ids::{EnrolmentId, QuestionAnswerId, QuestionRequestId, stored};
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::pages::form::{Fields, FormState, field_errors};
use crate::http::pages::view::{Html, PageError, PageSession, check_csrf, see_other};
use crate::http::session::Session;
use crate::portfolio::question_sets::{self, MarkInput, MarksInput, actions};

/// The marking form as posted: `result.{answer id}` and `comment.{answer id}` per answer, and
/// `method`, all read by name.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MarksForm {
    #[serde(flatten)]
    marks: BTreeMap<String, String>,
}

/// `POST /enrolments/{id}/questions/{request_id}/marks`.
pub async fn mark(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<(String, String)>,
    fields: Fields,
) -> Html {
    Html(
        async {
            let (id, request_id) = (typed_path_id(&path.0)?, typed_path_id(&path.1)?);
            mark_page(&state, &session, id, request_id, fields).await
        }
        .await,
    )
}

async fn mark_page(
    state: &AppState,
    session: &Session,
    enrolment_id: EnrolmentId,
    request_id: QuestionRequestId,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let (enrolment, request) = load_for_form(state, session, enrolment_id, request_id).await?;
    let ids: Vec<QuestionAnswerId> = request.answers.iter().map(|a| a.id).collect();
    let form: MarksForm = fields.read()?;
    let filled = |name: String| {
        form.marks
            .get(&name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let input = MarksInput {
        answers: ids
            .iter()
            .map(|id| MarkInput {
                id: *id,
                result: form
                    .marks
                    .get(&format!("result.{id}"))
                    .cloned()
                    .unwrap_or_default(),
                comment: filled(format!("comment.{id}")),
            })
            .collect(),
        method: filled("method".to_owned()),
    };
    let for_tx = state.clone();
    let acting = session.clone();
    let done = state
        .db
        .write(move |conn| {
            actions::mark(
                conn,
                for_tx.services(),
                &acting.acting(),
                enrolment_id,
                request_id,
                input,
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
            show_page(state, session, enrolment_id, request_id, Some(form), false).await
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
    rows: &[crate::http::pages::rows::EnrolmentRow],
) -> Result<Vec<MarkLink>, ActionError> {
    let ids = rows
        .iter()
        .map(|r| stored::<EnrolmentId>(&r.id))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(question_sets::waiting_marking(conn, &ids)?
        .into_iter()
        .map(|(enrolment, request, title)| MarkLink {
            link: format!("/enrolments/{enrolment}/questions/{request}"),
            candidate: rows
                .iter()
                .find(|r| enrolment == r.id)
                .map(|r| r.candidate.clone())
                .unwrap_or_default(),
            title,
        })
        .collect())
}
