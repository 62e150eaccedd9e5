//! Stored evaluations: the engine's report of each enrolment in both views, kept as the exact
//! bytes `GET /api/enrolments/{id}/progress` sends, with a few figures the caseload shows.
//!
//! A stored row is stamped with what it was computed from: the enrolment's `revision` (bumped by
//! database triggers whenever evidence, marks, the pinned standard or the candidate's name
//! change, whatever code made the change), the standard's content hash, the organisation's
//! interpretations version (bumped by a trigger when its interpretations change) and
//! [`ENGINE_REVISION`]. A row whose stamp differs from the present one is stale and never used.
//! Writes that change a portfolio have it recomputed right after they commit (outside the write
//! lock, see [`super::Refresher`]) so the next read is a point select; a read that finds a stale
//! row recomputes it the same way (see [`crate::http::api::enrolments::load_progress`]).
//!
//! What is kept is the report (its size grows with the evidence instances it lists) and small
//! figures — never the evidence records themselves.

use std::collections::HashMap;

use bytes::Bytes;

use crate::db::FirstRow;
use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::enrolment::{Enrolment, load_enrolment};
use super::evidence::EvidenceRecord;
use super::progress::Evaluation;
use super::report_cache::ReportCache;
use crate::action::ActionError;
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::{EnrolmentId, OrgId};
use crate::db::schema::{enrolments, evaluations, org_settings, users};
use crate::rules::ENGINE_REVISION;

/// What an evaluation was computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    /// The enrolment's revision.
    pub revision: i64,
    /// SHA-256 of the pinned standard's file.
    pub standard_hash: String,
    /// The organisation's interpretations version.
    pub interpretations_version: i64,
    /// The engine's revision.
    pub engine_revision: i32,
}

/// A stored evaluation.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = evaluations)]
pub struct StoredEvaluation {
    /// The enrolment.
    pub enrolment_id: String,
    /// Stamp: the enrolment's revision.
    pub revision: i64,
    /// Stamp: the standard's content hash.
    pub standard_hash: String,
    /// Stamp: the organisation's interpretations version.
    pub interpretations_version: i64,
    /// Stamp: the engine's revision.
    pub engine_revision: i32,
    /// Strong entity tag of `progress` (a digest of its stamp, see [`etag`]).
    pub etag: String,
    /// `{"claimed": Report, "confirmed": Report}` as sent; empty when the report is kept as gzip
    /// alone (read it through [`StoredEvaluation::json`]).
    pub progress: String,
    /// Requirements met in the claimed view, whole percent.
    pub claimed_percent: i32,
    /// Requirements met in the confirmed view, whole percent.
    pub confirmed_percent: i32,
    /// Whether the unit is complete (confirmed view).
    pub complete: bool,
    /// Criteria and knowledge mappings waiting for the assessor's judgement.
    pub waiting: i32,
    /// The day of the candidate's latest own record.
    pub last_by_candidate: Option<NaiveDate>,
    /// When it was computed.
    pub computed_at: NaiveDateTime,
    /// Gzip of the report's JSON, for clients that take gzip; the only copy of a report of
    /// [`super::report_body::GZIP_FROM`] bytes or more. None in rows stored before gzip copies
    /// were kept.
    pub progress_gzip: Option<Vec<u8>>,
}

impl StoredEvaluation {
    /// The report's JSON, uncompressed when it is kept as gzip.
    pub fn json(&self) -> Result<std::borrow::Cow<'_, str>, ActionError> {
        super::report_body::json_of(&self.progress, self.progress_gzip.as_deref())
            .map_err(unreadable)
    }

    /// [`StoredEvaluation::json`], taking the row.
    pub fn into_json(self) -> Result<String, ActionError> {
        if self.gzip_alone() {
            self.json().map(std::borrow::Cow::into_owned)
        } else {
            Ok(self.progress)
        }
    }

    /// Whether the report is kept as gzip alone (see [`super::report_body::gzip_alone`]).
    pub fn gzip_alone(&self) -> bool {
        super::report_body::gzip_alone(&self.progress, self.progress_gzip.as_deref())
    }

    /// The stamp it carries.
    pub fn stamp(&self) -> Stamp {
        Stamp {
            revision: self.revision,
            standard_hash: self.standard_hash.clone(),
            interpretations_version: self.interpretations_version,
            engine_revision: self.engine_revision,
        }
    }
}

/// The organisation's interpretations version (0 before it has settings).
pub fn interpretations_version(conn: &mut DbConnection, org_id: OrgId) -> QueryResult<i64> {
    Ok(org_settings::table
        .find(org_id)
        .select(org_settings::interpretations_version)
        .first_row(conn)
        .optional()?
        .unwrap_or(0))
}

/// The stamp an evaluation of `enrolment` (as read in this transaction) would carry now.
pub fn current_stamp(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    enrolment: &Enrolment,
) -> Result<Stamp, ActionError> {
    let loaded = catalogue.pinned(enrolment)?;
    Ok(Stamp {
        revision: enrolment.revision,
        standard_hash: loaded.content_hash.clone(),
        interpretations_version: interpretations_version(conn, enrolment.org_id)?,
        engine_revision: ENGINE_REVISION,
    })
}

/// The stored evaluation of `enrolment` when its stamp is the present one; `None` when there is
/// none or it is stale. One point select (two when `version` is not given: the organisation's
/// interpretations version, which a caller reading many enrolments of one organisation passes).
pub fn fresh(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    enrolment: &Enrolment,
    version: Option<i64>,
) -> Result<Option<StoredEvaluation>, ActionError> {
    let Ok(loaded) = catalogue.pinned(enrolment) else {
        return Ok(None);
    };
    // The stored row and the organisation's interpretations version in one point select.
    let (stored, version) = match version {
        Some(v) => (
            evaluations::table
                .find(&enrolment.id)
                .select(StoredEvaluation::as_select())
                .first_row::<StoredEvaluation, _>(conn)
                .optional()?,
            v,
        ),
        None => match evaluations::table
            .left_join(org_settings::table.on(org_settings::org_id.eq(&enrolment.org_id)))
            .filter(evaluations::enrolment_id.eq(&enrolment.id))
            .select((
                StoredEvaluation::as_select(),
                org_settings::interpretations_version.nullable(),
            ))
            .first_row::<(StoredEvaluation, Option<i64>), _>(conn)
            .optional()?
        {
            Some((stored, version)) => (Some(stored), version.unwrap_or(0)),
            None => (None, 0),
        },
    };
    Ok(stored.filter(|s| is_current(s.stamped(), enrolment, &loaded.content_hash, version)))
}

/// What a progress read needs of a stored row to tell whether it is current and whether the
/// client already holds it. The report itself is read after, and only when it is sent
/// ([`report_of`]): a 304 reads none of its bytes, and a client reads only the coding it gets.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = evaluations)]
pub struct StoredHead {
    /// Stamp: the enrolment's revision.
    pub revision: i64,
    /// Stamp: the standard's content hash.
    pub standard_hash: String,
    /// Stamp: the organisation's interpretations version.
    pub interpretations_version: i64,
    /// Stamp: the engine's revision.
    pub engine_revision: i32,
    /// The report's strong ETag.
    pub etag: String,
}

/// The enrolment `id` and the head of its stored evaluation when that is current (see
/// [`fresh`]), in one point select: what a progress read needs before the policy is asked of the
/// enrolment.
pub fn with_enrolment(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    id: EnrolmentId,
) -> Result<(Enrolment, Option<StoredHead>), ActionError> {
    let (enrolment, stored, version) = crate::on_backend!(conn, |c| enrolments::table
        .left_join(evaluations::table)
        .left_join(org_settings::table.on(org_settings::org_id.eq(enrolments::org_id)))
        .filter(enrolments::id.eq(id))
        .select((
            Enrolment::as_select(),
            Option::<StoredHead>::as_select(),
            org_settings::interpretations_version.nullable(),
        ))
        .first_row::<(Enrolment, Option<StoredHead>, Option<i64>), _>(c))?;
    let current = match catalogue.pinned(&enrolment) {
        Ok(loaded) => stored.filter(|s| {
            is_current(
                s.stamped(),
                &enrolment,
                &loaded.content_hash,
                version.unwrap_or(0),
            )
        }),
        Err(_) => None,
    };
    Ok((enrolment, current))
}

/// A stored report's bytes, as one client gets them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredReport {
    /// The JSON.
    Json(Bytes),
    /// Gzip of the JSON, for a client that takes gzip.
    Gzip(Bytes),
    /// Gzip of the JSON, the only copy kept (a large report), for a client that does not take
    /// gzip: to unpack ([`StoredReport::unpack`]).
    Packed(Vec<u8>),
}

impl StoredReport {
    /// The JSON of a report kept as gzip alone ([`StoredReport::Packed`]).
    pub fn unpack(gzip: &[u8]) -> Result<String, ActionError> {
        super::report_body::json_of("", Some(gzip))
            .map(std::borrow::Cow::into_owned)
            .map_err(unreadable)
    }
}

/// A stored report whose gzip cannot be read.
fn unreadable(e: std::io::Error) -> ActionError {
    ActionError::from(diesel::result::Error::DeserializationError(Box::new(e)))
}

/// The stored report of `enrolment_id`, whose current row is tagged `tag`, for a client that
/// takes gzip (`gzip`) or not: from `cache` when it holds the report of that tag, else read
/// ([`report_of`]) and kept there. Read it in the transaction that found the row current; `None`
/// when the row no longer carries `tag` (see [`report_of`]).
pub fn cached_report(
    conn: &mut DbConnection,
    cache: &ReportCache,
    enrolment_id: EnrolmentId,
    tag: &str,
    gzip: bool,
) -> QueryResult<Option<StoredReport>> {
    if let Some(bytes) = cache.get(&enrolment_id, gzip, tag) {
        return Ok(Some(if gzip {
            StoredReport::Gzip(bytes)
        } else {
            StoredReport::Json(bytes)
        }));
    }
    let report = report_of(conn, &enrolment_id, tag, gzip)?;
    match &report {
        Some(StoredReport::Json(json)) => {
            cache.put(enrolment_id, false, tag.to_owned(), json.clone());
        }
        Some(StoredReport::Gzip(gzip)) => {
            cache.put(enrolment_id, true, tag.to_owned(), gzip.clone());
        }
        // Unpacked on every read: a megabyte or more, past what the cache keeps.
        Some(StoredReport::Packed(_)) | None => {}
    }
    Ok(report)
}

/// The stored report of `enrolment_id` tagged `tag` for a client that takes gzip (`gzip`) or not:
/// only the column it gets is read (a second only for a row stored before gzip copies were kept,
/// or for a large report kept as gzip alone). Each select asks for the tag too: on PostgreSQL
/// each statement of a read sees what was committed when it began, so a refresh can commit between
/// the head's select and these; its bytes must not go out under the old tag, or be kept under it.
/// `None` then.
fn report_of(
    conn: &mut DbConnection,
    enrolment_id: &EnrolmentId,
    tag: &str,
    gzip: bool,
) -> QueryResult<Option<StoredReport>> {
    let row = || {
        evaluations::table
            .find(enrolment_id)
            .filter(evaluations::etag.eq(tag))
    };
    let packed = |conn: &mut DbConnection| {
        row()
            .select(evaluations::progress_gzip)
            .first_row::<Option<Vec<u8>>, _>(conn)
            .optional()
    };
    if gzip {
        match packed(conn)? {
            None => return Ok(None),
            Some(Some(packed)) => return Ok(Some(StoredReport::Gzip(packed.into()))),
            Some(None) => {}
        }
    }
    let Some(json) = row()
        .select(evaluations::progress)
        .first_row::<String, _>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    if !json.is_empty() {
        return Ok(Some(StoredReport::Json(json.into())));
    }
    Ok(packed(conn)?.map(|packed| match packed {
        Some(packed) if gzip => StoredReport::Gzip(packed.into()),
        Some(packed) => StoredReport::Packed(packed),
        None => StoredReport::Json(json.into()),
    }))
}

/// A stored row's stamp as borrowed parts: (revision, standard hash, interpretations version,
/// engine revision).
type StampParts<'a> = (i64, &'a str, i64, i32);

/// `stamped()` for each row shape that carries the four stamp columns.
macro_rules! stamped {
    ($($row:ty),*) => {$(
        impl $row {
            fn stamped(&self) -> StampParts<'_> {
                (
                    self.revision,
                    &self.standard_hash,
                    self.interpretations_version,
                    self.engine_revision,
                )
            }
        }
    )*};
}

stamped!(StoredEvaluation, StoredHead, Summary);

/// Whether a stored stamp is the one an evaluation of `enrolment` would carry now.
fn is_current(
    (revision, standard_hash, interpretations_version, engine_revision): StampParts<'_>,
    enrolment: &Enrolment,
    content_hash: &str,
    version: i64,
) -> bool {
    revision == enrolment.revision
        && standard_hash == content_hash
        && interpretations_version == version
        && engine_revision == ENGINE_REVISION
}

/// The figures a list of enrolments shows from a stored evaluation, without the report itself
/// (which can be megabytes: a caseload of 200 would read them all).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = evaluations)]
pub struct Summary {
    /// Stamp: the enrolment's revision.
    pub revision: i64,
    /// Stamp: the standard's content hash.
    pub standard_hash: String,
    /// Stamp: the organisation's interpretations version.
    pub interpretations_version: i64,
    /// Stamp: the engine's revision.
    pub engine_revision: i32,
    /// Requirements met in the claimed view, whole percent.
    pub claimed_percent: i32,
    /// Requirements met in the confirmed view, whole percent.
    pub confirmed_percent: i32,
    /// Whether the unit is complete (confirmed view).
    pub complete: bool,
    /// Criteria and knowledge mappings waiting for the assessor's judgement.
    pub waiting: i32,
    /// The day of the candidate's latest own record.
    pub last_by_candidate: Option<NaiveDate>,
}

impl From<StoredEvaluation> for Summary {
    fn from(e: StoredEvaluation) -> Self {
        Self {
            revision: e.revision,
            standard_hash: e.standard_hash,
            interpretations_version: e.interpretations_version,
            engine_revision: e.engine_revision,
            claimed_percent: e.claimed_percent,
            confirmed_percent: e.confirmed_percent,
            complete: e.complete,
            waiting: e.waiting,
            last_by_candidate: e.last_by_candidate,
        }
    }
}

/// The summary of `enrolment`'s evaluation: the stored one when current (one point select that
/// leaves the report on disk), else computed in this transaction and not stored (the next write
/// or progress read stores it). `version` is the organisation's interpretations version, which a
/// caller listing many enrolments of one organisation reads once.
pub fn summary(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    enrolment: &Enrolment,
    version: i64,
) -> Result<Summary, ActionError> {
    summaries(conn, catalogue, &[(enrolment, version)])?
        .pop()
        .ok_or_else(|| diesel::result::Error::NotFound.into())
}

/// Ids per select of many enrolments' rows: well under the bind limits of both backends.
const IDS_PER_SELECT: usize = 500;

/// The summaries of many enrolments' evaluations, in their order, each as [`summary`] gives it:
/// the stored rows read in one select per 500 (never the reports), and each one that is stale or
/// missing computed in this transaction and not stored. Each enrolment comes with its
/// organisation's interpretations version; each must be pinned to a standard in the catalogue.
pub fn summaries(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    enrolments: &[(&Enrolment, i64)],
) -> Result<Vec<Summary>, ActionError> {
    let mut stored: HashMap<EnrolmentId, Summary> = HashMap::with_capacity(enrolments.len());
    for chunk in enrolments.chunks(IDS_PER_SELECT) {
        let ids: Vec<EnrolmentId> = chunk.iter().map(|(e, _)| e.id).collect();
        let found: Vec<(EnrolmentId, Summary)> = evaluations::table
            .filter(evaluations::enrolment_id.eq_any(&ids))
            .select((evaluations::enrolment_id, Summary::as_select()))
            .load(conn)?;
        stored.extend(found);
    }
    enrolments
        .iter()
        .map(|&(enrolment, version)| {
            let loaded = catalogue.pinned(enrolment)?;
            // A stale row is never used, whatever it says.
            let current = stored
                .get(&enrolment.id)
                .filter(|s| is_current(s.stamped(), enrolment, &loaded.content_hash, version));
            match current {
                Some(summary) => Ok(summary.clone()),
                None => Ok(compute(conn, catalogue, enrolment)?.into()),
            }
        })
        .collect()
}

/// The entity tag of the report computed for `enrolment_id` at `stamp`. The report is a function
/// of what the stamp stands for — the portfolio at that revision, the standard's content, the
/// interpretations chosen, the engine — so two answers share a tag exactly when their bytes
/// match. Digesting the stamp rather than the report keeps every refresh from hashing a report
/// that grows with the portfolio (hundreds of KB; half a refresh's instructions under callgrind).
pub fn etag(enrolment_id: EnrolmentId, stamp: &Stamp) -> String {
    use sha2::{Digest, Sha256};
    let text = format!(
        "{enrolment_id}\0{}\0{}\0{}\0{}",
        stamp.revision, stamp.standard_hash, stamp.interpretations_version, stamp.engine_revision
    );
    hex::encode(&Sha256::digest(text.as_bytes())[..16])
}

/// Criteria and knowledge mappings the assessor has not judged yet.
pub fn waiting_for_judgement(records: &[EvidenceRecord]) -> usize {
    records.iter().map(EvidenceRecord::waiting_mappings).sum()
}

/// What a list shows of the records themselves: the day of the candidate's latest own record, and
/// the mappings waiting for judgement.
pub fn record_figures(
    records: &[EvidenceRecord],
    candidate_id: crate::db::ids::UserId,
) -> (Option<NaiveDate>, usize) {
    let last_by_candidate = records
        .iter()
        .filter(|r| candidate_id == r.recorded_by)
        .map(|r| r.recorded_at.date())
        .max();
    (last_by_candidate, waiting_for_judgement(records))
}

/// Evaluates the enrolment as it is in this transaction (both views, labelled with the
/// candidate's name, exactly as the progress API sends it) without storing anything.
pub fn compute(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    enrolment: &Enrolment,
) -> Result<StoredEvaluation, ActionError> {
    let stamp = current_stamp(conn, catalogue, enrolment)?;
    let candidate: String = users::table
        .find(&enrolment.candidate_id)
        .select(users::name)
        .first_row(conn)?;
    let (evaluation, (last_by_candidate, waiting)) =
        Evaluation::load_for_reports(conn, catalogue, enrolment, Some(candidate), |records| {
            record_figures(records, enrolment.candidate_id)
        })?;
    let report = evaluation
        .progress_json()
        .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    drop(evaluation);
    // What the evaluation held is free now, but glibc keeps it unless asked (see `memory`).
    if report.json_len >= crate::memory::WORTH_RELEASING {
        crate::memory::release_freed();
    }
    let etag = etag(enrolment.id, &stamp);
    let (progress, progress_gzip) = report.body.into_columns();
    let percent = |p: u32| i32::try_from(p).unwrap_or(i32::MAX);
    Ok(StoredEvaluation {
        enrolment_id: enrolment.id.to_string(),
        revision: stamp.revision,
        standard_hash: stamp.standard_hash,
        interpretations_version: stamp.interpretations_version,
        engine_revision: stamp.engine_revision,
        etag,
        claimed_percent: percent(report.claimed.percent()),
        confirmed_percent: percent(report.confirmed.percent()),
        complete: report.complete,
        waiting: i32::try_from(waiting).unwrap_or(i32::MAX),
        last_by_candidate,
        computed_at: Utc::now().naive_utc(),
        progress,
        progress_gzip,
    })
}

/// The report's JSON as of the caller's transaction: the stored row's when it is current, else
/// computed now (and not stored: the caller only reads).
pub fn current_json(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    enrolment: &Enrolment,
    version: Option<i64>,
) -> Result<String, ActionError> {
    match fresh(conn, catalogue, enrolment, version)? {
        Some(row) => row.into_json(),
        None => compute(conn, catalogue, enrolment)?.into_json(),
    }
}

/// The one function that brings an enrolment's stored evaluation up to date: re-reads the
/// enrolment (its revision as this transaction's writes left it), evaluates and stores. Every
/// write that changes a portfolio calls it in its own transaction; a missed call only costs the
/// next read a recomputation, since the stamp no longer matches.
pub fn refresh(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    enrolment_id: EnrolmentId,
) -> Result<StoredEvaluation, ActionError> {
    let enrolment = load_enrolment(conn, enrolment_id)?;
    let computed = compute(conn, catalogue, &enrolment)?;
    store(conn, &computed)?;
    Ok(computed)
}

/// Inserts or replaces the stored row (one statement on both backends, so two transactions that
/// store the same enrolment at once do not collide). A row of a later revision is kept: a
/// computation that finished late never replaces a newer one. Written with diesel's query builder
/// rather than as SQL text: its statement is prepared once per connection and cached, where a
/// `sql_query` is prepared again on every run (on the writing thread, for every refresh).
pub fn store(conn: &mut DbConnection, e: &StoredEvaluation) -> QueryResult<()> {
    use diesel::query_dsl::methods::FilterDsl;
    use diesel::upsert::excluded;
    use evaluations as t;
    let upsert = diesel::insert_into(t::table)
        .values(e)
        .on_conflict(t::enrolment_id)
        .do_update()
        .set((
            t::revision.eq(excluded(t::revision)),
            t::standard_hash.eq(excluded(t::standard_hash)),
            t::interpretations_version.eq(excluded(t::interpretations_version)),
            t::engine_revision.eq(excluded(t::engine_revision)),
            t::etag.eq(excluded(t::etag)),
            t::progress.eq(excluded(t::progress)),
            t::claimed_percent.eq(excluded(t::claimed_percent)),
            t::confirmed_percent.eq(excluded(t::confirmed_percent)),
            t::complete.eq(excluded(t::complete)),
            t::waiting.eq(excluded(t::waiting)),
            t::last_by_candidate.eq(excluded(t::last_by_candidate)),
            t::computed_at.eq(excluded(t::computed_at)),
            t::progress_gzip.eq(excluded(t::progress_gzip)),
        ));
    // Only over a row of an earlier (or the same) revision.
    let upsert = FilterDsl::filter(upsert, t::revision.le(excluded(t::revision)));
    crate::on_backend!(conn, |c| upsert.execute(c)).map(drop)
}
