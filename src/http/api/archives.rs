//! Portfolio archives over HTTP: one enrolment's (for whoever may read it) and a cohort's zip of
//! archives (for the provider admin). Reading archives is not audited, like reading evidence files
//! and statements.
//!
//! The zip writer needs to seek, so each archive is built in a scratch file in the upload folder
//! (`DATA_DIR/files/tmp`, emptied at start-up) and then streamed from it in 64 KiB chunks. The
//! scratch file is removed when the last chunk is read, when building fails, and when the client
//! goes away half-way.

use std::io::Seek;

use actix_web::{HttpResponse, web};

use crate::db::ids::{CohortId, EnrolmentId};
use crate::exports::actions;
use crate::exports::archive_files::{
    cohort_zip_name, sha256_of, write_cohort_zip, write_enrolment_archive,
};
use crate::exports::scratch::ScratchFile;
use crate::http::download::{self, Download};
use crate::http::extract::typed_path_id;
use crate::http::session::Session;
use crate::http::{ApiError, AppState};
use crate::output::formats::archive::ArchiveError;

/// The portfolio archive of one enrolment: `index.html`, every evidence file and `manifest.json`
/// with the SHA-256 of each (`attest verify-archive FILE.zip` checks it).
#[utoipa::path(get, path = "/api/enrolments/{id}/archive.zip", params(("id" = Uuid, Path)),
    responses((status = 200, description = "the portfolio archive (docs/exports.md); `X-Content-SHA256` is the zip's SHA-256",
            content_type = "application/zip"),
        (status = 403, body = crate::http::error::Problem), (status = 404, body = crate::http::error::Problem)))]
pub async fn enrolment(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: EnrolmentId = typed_path_id(&path)?;
    let catalogue = state.catalogue.clone();
    let fonts = state.fonts.clone();
    let archive = state
        .db
        .read(move |conn| {
            actions::enrolment_archive(conn, &catalogue, fonts.get()?, &session.acting(), id)
        })
        .await?;
    let store = state.store.clone();
    let built = build(&state, move |scratch| {
        write_enrolment_archive(&archive.input, store.as_ref(), scratch.file())?;
        Ok(archive.file_name)
    })
    .await?;
    download::send(built)
}

/// Every portfolio archive of a cohort in one zip: one entry per enrolment, each a whole archive
/// (stored, not compressed again) that checks on its own.
#[utoipa::path(get, path = "/api/cohorts/{id}/archives.zip", params(("id" = Uuid, Path)),
    responses((status = 200, description = "a zip of portfolio archives, one per enrolment", content_type = "application/zip"),
        (status = 403, body = crate::http::error::Problem), (status = 404, body = crate::http::error::Problem)))]
pub async fn cohort(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: CohortId = typed_path_id(&path)?;
    let catalogue = state.catalogue.clone();
    let fonts = state.fonts.clone();
    let (cohort, archives) = state
        .db
        .read(move |conn| {
            actions::cohort_archives(conn, &catalogue, fonts.get()?, &session.acting(), id)
        })
        .await?;
    let name = cohort.name;
    let store = state.store.clone();
    let scratch_dir = state.upload_dir.clone();
    let built = build(&state, move |scratch| {
        write_cohort_zip(&archives, store.as_ref(), &scratch_dir, scratch.file())?;
        Ok(cohort_zip_name(&name))
    })
    .await?;
    download::send(built)
}

/// Builds a zip into a new scratch file on a blocking thread (`write` answers the file name),
/// then hashes it for `X-Content-SHA256`: one more sequential read of a file just written, cheap
/// beside building it. On failure the scratch file is dropped, so removed.
pub(crate) async fn build(
    state: &AppState,
    write: impl FnOnce(&ScratchFile) -> Result<String, ArchiveError> + Send + 'static,
) -> Result<Download, ApiError> {
    let dir = state.upload_dir.clone();
    web::block(move || {
        let scratch = ScratchFile::create(&dir)?;
        let file_name = write(&scratch)?;
        let mut file = scratch.file();
        file.rewind()?;
        let (sha256, _) = sha256_of(file)?;
        Ok::<_, ArchiveError>(Download {
            scratch,
            file_name,
            media_type: "application/zip",
            sha256: Some(sha256),
        })
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
    .map_err(|e| ApiError::Internal(format!("archive: {e}")))
}
