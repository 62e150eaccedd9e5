//! Recording export batches, streaming badges and loading a cohort: what the exports API and the
//! exports pages both do.

use std::io::Write;

use actix_web::HttpResponse;

use crate::db::DbConnection;
use crate::db::ids::OrgId;
use crate::exports::ExportFailure;
use crate::exports::actions::{self, Keeping};
use crate::exports::badges::for_each_badge;
use crate::exports::ledger::Batch;
use crate::exports::results::ResultsQuery;
use crate::exports::scratch::ScratchFile;
use crate::http::download::{self, Download};
use crate::http::session::Session;
use crate::http::{ApiError, AppState};
use crate::output::formats::results::ExportError;

/// Records a batch in one write transaction through [`actions::record_batch`], keeping its file
/// in the file store: what the API and the exports page both do.
pub async fn record(
    state: &AppState,
    session: &Session,
    org_id: OrgId,
    query: ResultsQuery,
) -> Result<Batch, ExportFailure> {
    let catalogue = state.catalogue.clone();
    let store = state.store.clone();
    let scratch_dir = state.upload_dir.clone();
    let session = session.clone();
    let keys = state.keys.clone();
    let public_url = state.config.public_url.clone();
    state
        .db
        .write(move |conn| {
            let keep = Keeping {
                store: store.as_ref(),
                scratch_dir: &scratch_dir,
                keys: &keys,
                public_url: &public_url,
            };
            actions::record_batch(conn, &catalogue, &session.acting(), org_id, &query, keep)
        })
        .await
}

/// Maps an export failure once: the action's own errors as usual, a write failure as ours.
pub fn failure(err: ExportFailure) -> ApiError {
    match err {
        ExportFailure::Action(action) => action.into(),
        ExportFailure::Write(write) => ApiError::Internal(write.to_string()),
        ExportFailure::Store(store) => ApiError::Internal(store.to_string()),
    }
}

/// Streams the badges `filter` selects as one JSON array (the API's and the exports page's
/// download). The caller has checked the filter and the caller's right to export.
pub async fn send_badges(
    state: &AppState,
    filter: crate::exports::results::ResultsFilter,
) -> Result<HttpResponse, ApiError> {
    let catalogue = state.catalogue.clone();
    streamed(
        state,
        "application/json",
        "badges.json",
        None,
        move |conn, out| {
            out.write_all(b"[").map_err(ExportError::from)?;
            let mut first = true;
            for_each_badge(conn, &catalogue, &filter, |_, badge| {
                if !first {
                    out.write_all(b",\n").map_err(ExportError::from)?;
                }
                first = false;
                serde_json::to_writer(&mut *out, &badge)
                    .map_err(|e| ExportError::from(std::io::Error::other(e)))?;
                Ok(())
            })?;
            out.write_all(b"]").map_err(ExportError::from)?;
            Ok(())
        },
    )
    .await
}

/// Writes what `produce` writes into a scratch file inside a read transaction (the same rows
/// from start to end), then sends it: the connection is back in the pool before the client reads
/// a byte, and a failure is an error status rather than a body cut short.
pub(crate) async fn streamed(
    state: &AppState,
    media_type: &'static str,
    file_name: &str,
    sha256: Option<String>,
    produce: impl FnOnce(&mut DbConnection, &mut dyn Write) -> Result<(), ExportFailure>
    + Send
    + 'static,
) -> Result<HttpResponse, ApiError> {
    let dir = state.upload_dir.clone();
    let scratch = state
        .db
        .read(move |conn| {
            let scratch = ScratchFile::create(&dir).map_err(ExportError::from)?;
            let mut out = std::io::BufWriter::new(scratch.file());
            produce(conn, &mut out)?;
            out.flush().map_err(ExportError::from)?;
            drop(out);
            Ok::<_, ExportFailure>(scratch)
        })
        .await
        .map_err(failure)?;
    download::send(Download {
        scratch,
        file_name: file_name.to_owned(),
        media_type,
        sha256,
    })
}
