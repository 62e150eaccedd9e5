//! Portfolio archives over HTTP: one enrolment's (for whoever may read it) and a cohort's zip of
//! archives (for the provider admin). Reading archives is not audited, like reading evidence files
//! and statements.
//!
//! The zip writer needs to seek, so each archive is built in a scratch file in the upload folder
//! (`DATA_DIR/files/tmp`, emptied at start-up) and then streamed from it in 64 KiB chunks. The
//! scratch file is removed when the last chunk is read, when building fails, and when the client
//! goes away half-way.

use std::io::{Read, Seek};

use actix_web::body::SizedStream;
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpResponse, web};
use chrono::Utc;

use super::enrolments::authorize;
use super::path_id;
use crate::action::ActionError;
use crate::auth::policy::{Action, Resource};
use crate::exports::archives::{
    NamedArchive, cohort_archives, cohort_zip_name, enrolment_archive, sha256_of, write_cohort_zip,
    write_enrolment_archive,
};
use crate::exports::scratch::ScratchFile;
use crate::http::session::Session;
use crate::http::{ApiError, AppState};
use crate::output::export::archive::ArchiveError;
use crate::portfolio::cohorts;

/// Bytes handed to the client per chunk.
const CHUNK: usize = 64 * 1024;

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
    let id = path_id(&path)?.to_string();
    let catalogue = state.catalogue.clone();
    let archive = state
        .db
        .read(move |conn| {
            let enrolment = authorize(conn, &session, &id, Action::ReadEnrolment)?;
            enrolment_archive(conn, &catalogue, &enrolment.id, Utc::now())
        })
        .await?;
    let store = state.store.clone();
    let built = build(&state, move |scratch| {
        write_enrolment_archive(&archive.input, store.as_ref(), scratch.file())?;
        Ok(archive.file_name)
    })
    .await?;
    Ok(streamed(built))
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
    let id = path_id(&path)?.to_string();
    let catalogue = state.catalogue.clone();
    let (name, archives): (String, Vec<NamedArchive>) = state
        .db
        .read(move |conn| {
            let cohort = cohorts::load_cohort(conn, &id)?;
            let org_id =
                uuid::Uuid::parse_str(&cohort.org_id).map_err(|_| ActionError::NotFound)?;
            session.require(Action::ExportData, &Resource::Export { org_id })?;
            let archives = cohort_archives(conn, &catalogue, &cohort.id, Utc::now())?;
            Ok::<_, ActionError>((cohort.name, archives))
        })
        .await?;
    let store = state.store.clone();
    let scratch_dir = state.upload_dir.clone();
    let built = build(&state, move |scratch| {
        write_cohort_zip(&archives, store.as_ref(), &scratch_dir, scratch.file())?;
        Ok(cohort_zip_name(&name))
    })
    .await?;
    Ok(streamed(built))
}

/// A finished zip in its scratch file, ready to send.
struct Built {
    scratch: ScratchFile,
    file_name: String,
    sha256: String,
    size: u64,
}

/// Builds a zip into a new scratch file on a blocking thread (`write` answers the file name),
/// then hashes it for `X-Content-SHA256`: one more sequential read of a file just written, cheap
/// beside building it. On failure the scratch file is dropped, so removed.
async fn build(
    state: &AppState,
    write: impl FnOnce(&ScratchFile) -> Result<String, ArchiveError> + Send + 'static,
) -> Result<Built, ApiError> {
    let dir = state.upload_dir.clone();
    web::block(move || {
        let scratch = ScratchFile::create(&dir)?;
        let file_name = write(&scratch)?;
        let mut file = scratch.file();
        file.rewind()?;
        let (sha256, size) = sha256_of(file)?;
        file.rewind()?;
        Ok::<_, ArchiveError>(Built {
            scratch,
            file_name,
            sha256,
            size,
        })
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
    .map_err(|e| ApiError::Internal(format!("archive: {e}")))
}

/// Streams a built zip from its scratch file with constant memory: a blocking thread reads
/// 64 KiB chunks into a bounded channel, so a slow client slows the reading. The thread owns the
/// scratch file and drops it (removing it) before it ends the stream, so the file is gone once the
/// client has every byte; when the client goes away the next send fails and the same happens.
fn streamed(built: Built) -> HttpResponse {
    let Built {
        scratch,
        file_name,
        sha256,
        size,
    } = built;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    actix_web::rt::task::spawn_blocking(move || {
        let mut buffer = vec![0; CHUNK];
        let mut file = scratch.file();
        loop {
            match file.read(&mut buffer) {
                Ok(0) => break,
                Ok(read) => {
                    let chunk = Bytes::copy_from_slice(&buffer[..read]);
                    if tx.blocking_send(Ok(chunk)).is_err() {
                        break; // the client went away
                    }
                }
                Err(err) => {
                    tracing::error!(%err, path = %scratch.path().display(), "archive stream failed");
                    let _ = tx.blocking_send(Err(err));
                    break;
                }
            }
        }
        drop(scratch);
        drop(tx);
    });
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/zip"))
        .insert_header(attachment(&file_name))
        .insert_header(("X-Content-SHA256", sha256))
        .body(SizedStream::new(size, body))
}

/// `Content-Disposition: attachment` with the name in UTF-8 (`filename*`) and an ASCII fallback
/// for clients that read only `filename` (candidates' names are often not ASCII).
fn attachment(file_name: &str) -> header::ContentDisposition {
    let ascii: String = file_name
        .chars()
        .map(|c| if c.is_ascii() { c } else { '_' })
        .collect();
    header::ContentDisposition {
        disposition: header::DispositionType::Attachment,
        parameters: vec![
            header::DispositionParam::Filename(ascii),
            header::DispositionParam::FilenameExt(header::ExtendedValue {
                charset: header::Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: file_name.as_bytes().to_vec(),
            }),
        ],
    }
}
