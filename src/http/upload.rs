//! Receiving an evidence file from a multipart form, shared by the API and the upload page: the
//! bytes are streamed to a staging file and hashed as they arrive, then moved into the store only
//! after the record that refers to them has committed.

use actix_multipart::Field;
use actix_web::web;
use futures_util::StreamExt;

use super::{ApiError, AppState};
use crate::portfolio::StoredFile;
use crate::storage::{Received, Receiving, StorageError};

/// Streams one file part to a temporary file. The outer error is the client's (the upload broke
/// off); the inner one is storage refusing the file (too large, empty, a type not accepted) or
/// failing. Either way nothing is left on disk.
pub async fn receive(
    state: &AppState,
    part: &mut Field,
) -> Result<Result<Received, StorageError>, ApiError> {
    let mut receiving = match Receiving::start(&state.upload_dir, state.config.max_upload_bytes) {
        Ok(receiving) => receiving,
        Err(err) => return Ok(Err(err)),
    };
    while let Some(chunk) = part.next().await {
        let chunk = match chunk {
            Ok(chunk) => chunk,
            Err(e) => {
                receiving.abort();
                return Err(ApiError::BadRequest(format!(
                    "the upload was interrupted: {e}"
                )));
            }
        };
        if let Err(err) = receiving.write(&chunk) {
            receiving.abort();
            return Ok(Err(err));
        }
    }
    Ok(receiving.finish())
}

/// Describes a received file for its record. The file stays under its staging name until
/// [`publish`]: a request refused or failing before its record commits leaves nothing behind.
pub fn describe(file: &Received, name: String) -> StoredFile {
    StoredFile {
        sha256: file.sha256.clone(),
        name,
        size: i64::try_from(file.size).unwrap_or(i64::MAX),
        content_type: file.content_type.clone(),
    }
}

/// Moves a received file into the store (off the async threads), once the record that refers to
/// it has committed. Should this fail, `attest files gc` names the record that lacks its file.
pub async fn publish(state: &AppState, file: Received) -> Result<(), ApiError> {
    let store = state.store.clone();
    web::block(move || store.put(&file.path, &file.sha256))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))??;
    Ok(())
}

impl From<StorageError> for ApiError {
    fn from(err: StorageError) -> Self {
        match err {
            StorageError::TooLarge { .. } => ApiError::PayloadTooLarge(err.to_string()),
            StorageError::Refused(_) => ApiError::UnsupportedMediaType(err.to_string()),
            StorageError::Empty => ApiError::field("file", "is empty"),
            StorageError::Missing(_) => ApiError::NotFound,
            StorageError::Corrupt(_) | StorageError::Io(_) | StorageError::Remote(_) => {
                ApiError::Internal(err.to_string())
            }
        }
    }
}
