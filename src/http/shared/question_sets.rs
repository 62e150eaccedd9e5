//! Recorded answers to question sets: receiving the file and attaching it.

use actix_multipart::Multipart;
use futures_util::StreamExt;

use crate::db::ids::{EnrolmentId, QuestionAnswerId, QuestionRequestId};
use crate::http::session::Session;
use crate::http::{ApiError, AppState, upload};
use crate::portfolio::question_sets::{QuestionRequest, actions};
use crate::storage;

/// Receives the one `file` part of a multipart body, and the `csrf` part a page's form carries
/// (the page checks it; the API checks its header as for any call).
pub async fn receive_file(
    state: &AppState,
    multipart: &mut Multipart,
) -> Result<(Option<String>, Recording), ApiError> {
    let mut received: Option<Recording> = None;
    let mut csrf: Option<String> = None;
    let outcome: Result<(), ApiError> = async {
        while let Some(field) = multipart.next().await {
            let mut field =
                field.map_err(|e| ApiError::BadRequest(format!("unreadable upload: {e}")))?;
            let name = field.name().unwrap_or_default().to_owned();
            if name == "csrf" {
                let mut bytes = Vec::new();
                while let Some(chunk) = field.next().await {
                    let chunk = chunk
                        .map_err(|e| ApiError::BadRequest(format!("unreadable upload: {e}")))?;
                    bytes.extend_from_slice(&chunk);
                    if bytes.len() > 256 {
                        return Err(ApiError::field("csrf", "is too long"));
                    }
                }
                csrf = Some(String::from_utf8_lossy(&bytes).into_owned());
                continue;
            }
            if name != "file" {
                return Err(ApiError::field(
                    name,
                    "is not a part of this form (send file)",
                ));
            }
            if received.is_some() {
                return Err(ApiError::field("file", "send one recording per answer"));
            }
            let file_name = storage::sanitise_name(
                field
                    .content_disposition()
                    .and_then(|d| d.get_filename())
                    .unwrap_or("recording"),
            );
            received = Some((upload::receive(state, &mut field).await??, file_name));
        }
        Ok(())
    }
    .await;
    match (outcome, received) {
        (Ok(()), Some(received)) => Ok((csrf, received)),
        (Ok(()), None) => Err(ApiError::field("file", "is required: the recording")),
        (Err(err), received) => {
            if let Some((file, _)) = received {
                file.discard();
            }
            Err(err)
        }
    }
}

/// Refuses early, before the body is read, a caller who may not give this answer a recording (the
/// evidence upload does the same): a refused upload is never received.
pub async fn may_attach(
    state: &AppState,
    session: &Session,
    id: EnrolmentId,
    request_id: QuestionRequestId,
    answer_id: QuestionAnswerId,
) -> Result<(), ApiError> {
    let session = session.clone();
    state
        .db
        .read(move |conn| {
            actions::may_attach_recording(conn, &session.acting(), id, request_id, answer_id)
        })
        .await?;
    Ok(())
}

/// Records a received recording against an answer, then publishes the file (or discards it when
/// the action refused it).
pub async fn attach(
    state: &AppState,
    session: Session,
    id: EnrolmentId,
    request_id: QuestionRequestId,
    answer_id: QuestionAnswerId,
    (file, name): Recording,
) -> Result<QuestionRequest, ApiError> {
    let stored = upload::describe(&file, name);
    let done = state
        .db
        .write(move |conn| {
            actions::attach_recording(conn, &session.acting(), id, request_id, answer_id, stored)
        })
        .await;
    match done {
        Ok(request) => {
            upload::publish(state, file).await?;
            Ok(request)
        }
        Err(err) => {
            file.discard();
            Err(err.into())
        }
    }
}

/// A received recording: the staged file and its sanitised name.
pub type Recording = (storage::Received, String);
