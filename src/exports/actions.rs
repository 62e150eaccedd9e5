//! Exports and cohorts as people (and the console operator) take them: previewing and recording
//! results in the report-once ledger, downloading and reversing a batch, Open Badges, cohorts and
//! their members. Each asks the policy, acts, and audits in the caller's transaction; the API, the
//! pages and the CLI call these and only translate requests and answers.

use std::io::Write;
use std::path::Path;

use crate::action::{Acting, ActionError};
use crate::auth::policy::{Action, Resource};
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::{CohortId, EnrolmentId, ExportBatchId, Id, OrgId, stored};
use crate::keys::KeyRing;
use crate::output::formats::results::ExportSummary;
use crate::output::pdf::FontSet;
use crate::portfolio::Enrolment;
use crate::portfolio::access::enrolment_for;
use crate::portfolio::cohorts::{
    self, Cohort, CohortMembers, CohortProgress, CohortSummary, NewCohort,
};
use crate::storage::BlobStore;

use super::ExportFailure;
use super::archive_files::{self, NamedArchive};
use super::ledger::{self, Batch, Recording};
use super::results::{ResultsFilter, ResultsQuery};

/// Where a recorded batch's file is kept and what signs its audit checkpoint: the running
/// service's (or the console's) part of a [`Recording`]; who records it and when come from the
/// [`Acting`].
#[derive(Clone, Copy)]
pub struct Keeping<'a> {
    /// Where the batch's file is kept.
    pub store: &'a dyn BlobStore,
    /// A folder for the file while it is written (on the store's file system).
    pub scratch_dir: &'a Path,
    /// The keys that sign the audit checkpoint the batch carries.
    pub keys: &'a KeyRing,
    /// The instance's public URL (the checkpoint's issuer).
    pub public_url: &'a str,
}

impl<'a> Keeping<'a> {
    fn recording(self, acting: &'a Acting<'_>) -> Recording<'a> {
        Recording {
            actor_id: acting.audit_actor(),
            now: acting.now,
            store: self.store,
            scratch_dir: self.scratch_dir,
            keys: self.keys,
            public_url: self.public_url,
        }
    }
}

fn export_of(org_id: OrgId) -> Resource {
    Resource::Export {
        org_id: org_id.uuid(),
    }
}

/// Checks the filters of a results export or a badges download in the organisation (each bad
/// field named), once the actor may export its data.
pub fn results_filter(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    acting: &Acting<'_>,
    org_id: OrgId,
    query: &ResultsQuery,
) -> Result<ResultsFilter, ActionError> {
    acting.require(Action::ExportData, &export_of(org_id))?;
    query.check(conn, catalogue, org_id)
}

/// Writes the results `filter` selects to `out`. With `keep`, the batch and every written result
/// are recorded in the ledger for the actor and the file is kept (call inside a write
/// transaction, so a failed write records nothing); without, nothing is recorded (a preview or a
/// dry run). `progress` is called after each page with the rows read so far.
pub fn write_results<W: Write>(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    acting: &Acting<'_>,
    filter: &ResultsFilter,
    keep: Option<Keeping<'_>>,
    out: W,
    progress: impl FnMut(u64),
) -> Result<(Option<Batch>, ExportSummary), ExportFailure> {
    let action = if keep.is_some() {
        Action::RecordExport
    } else {
        Action::ExportData
    };
    acting.require(action, &export_of(filter.org_id))?;
    let recording = keep.map(|keep| keep.recording(acting));
    ledger::export_results(conn, catalogue, filter, recording, out, progress)
}

/// Records a batch of the results `query` selects, keeping its file without sending it anywhere
/// (the API's and the exports page's "record a batch"; the file is downloaded from the ledger).
pub fn record_batch(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    acting: &Acting<'_>,
    org_id: OrgId,
    query: &ResultsQuery,
    keep: Keeping<'_>,
) -> Result<Batch, ExportFailure> {
    acting.require(Action::RecordExport, &export_of(org_id))?;
    ledger::record_batch(conn, catalogue, org_id, query, keep.recording(acting))
}

/// The organisation's recorded batches, newest first.
pub fn list_batches(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
) -> Result<Vec<Batch>, ActionError> {
    acting.require(Action::ExportData, &export_of(org_id))?;
    ledger::list_batches(conn, org_id)
}

/// One recorded batch, for downloading its file again.
pub fn batch(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    batch_id: ExportBatchId,
) -> Result<Batch, ActionError> {
    batch_for(conn, acting, batch_id, Action::ExportData)
}

fn batch_for(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    batch_id: ExportBatchId,
    action: Action,
) -> Result<Batch, ActionError> {
    let batch = ledger::load_batch(conn, batch_id)?;
    acting.require(action, &export_of(batch.org_id))?;
    Ok(batch)
}

/// Reverses a batch with a reason (audited): its results become reportable again. Loaded in the
/// caller's write transaction, so two reversals cannot both pass the check.
pub fn reverse_batch(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    batch_id: ExportBatchId,
    reason: &str,
) -> Result<Batch, ActionError> {
    let batch = batch_for(conn, acting, batch_id, Action::RecordExport)?;
    ledger::reverse_batch(conn, acting.audit_actor(), &batch, reason, acting.now)
}

/// [`reverse_batch`] from one organisation's exports page: a batch of another organisation is
/// not there (404), even for someone who may export both.
pub fn reverse_batch_of(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
    batch_id: ExportBatchId,
    reason: &str,
) -> Result<Batch, ActionError> {
    acting.require(Action::RecordExport, &export_of(org_id))?;
    let batch = ledger::load_batch(conn, batch_id)?;
    if org_id != batch.org_id {
        return Err(ActionError::NotFound);
    }
    reverse_batch(conn, acting, batch_id, reason)
}

fn organisation(org_id: OrgId) -> Resource {
    Resource::Organisation {
        org_id: org_id.uuid(),
    }
}

/// The organisation's cohorts by name, each with its size.
pub fn list_cohorts(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
) -> Result<Vec<CohortSummary>, ActionError> {
    acting.require(Action::ReadCohorts, &organisation(org_id))?;
    cohorts::list_cohorts(conn, &org_id.to_string())
}

/// Creates a cohort (audited).
pub fn create_cohort(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    acting: &Acting<'_>,
    org_id: OrgId,
    new: NewCohort,
) -> Result<Cohort, ActionError> {
    acting.require(Action::ManageCohorts, &organisation(org_id))?;
    cohorts::create_cohort(
        conn,
        catalogue,
        acting.audit_actor(),
        &org_id.to_string(),
        new,
        acting.now,
    )
}

/// Loads a cohort and asks the policy whether the actor may do `action` (reading or managing
/// cohorts) in its organisation.
pub fn cohort_for(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    cohort_id: CohortId,
    action: Action,
) -> Result<Cohort, ActionError> {
    let cohort = cohorts::load_cohort(conn, &cohort_id.to_string())?;
    acting.require(action, &organisation(stored(&cohort.org_id)?))?;
    Ok(cohort)
}

/// A cohort with its enrolments, oldest first.
pub fn cohort_with_enrolments(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    cohort_id: CohortId,
) -> Result<(Cohort, Vec<Enrolment>), ActionError> {
    let cohort = cohort_for(conn, acting, cohort_id, Action::ReadCohorts)?;
    let enrolments = cohorts::cohort_enrolments(conn, &cohort.id)?;
    Ok((cohort, enrolments))
}

/// Puts enrolments in the cohort and takes others out (audited); answers with its enrolments.
pub fn change_members(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    cohort_id: CohortId,
    members: &CohortMembers,
) -> Result<Vec<Enrolment>, ActionError> {
    let cohort = cohort_for(conn, acting, cohort_id, Action::ManageCohorts)?;
    cohorts::change_members(conn, acting.audit_actor(), &cohort, members)
}

/// The cohort's progress per standard and outcome, in the confirmed view.
pub fn cohort_progress(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    acting: &Acting<'_>,
    cohort_id: CohortId,
) -> Result<CohortProgress, ActionError> {
    let cohort = cohort_for(conn, acting, cohort_id, Action::ReadCohorts)?;
    cohorts::cohort_progress(conn, catalogue, &cohort)
}

/// One enrolment's portfolio archive, for whoever may read the enrolment. Reading archives is not
/// audited, like reading evidence files and statements.
pub fn enrolment_archive(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    fonts: &FontSet,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
) -> Result<NamedArchive, ActionError> {
    let enrolment = enrolment_for(conn, acting, enrolment_id, Action::ReadEnrolment)?;
    archive_files::enrolment_archive(conn, catalogue, fonts, enrolment.id, acting.now)
}

/// Every portfolio archive of a cohort (oldest enrolment first), for whoever may export the
/// organisation's data; with the cohort, whose name the zip carries.
pub fn cohort_archives(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    fonts: &FontSet,
    acting: &Acting<'_>,
    cohort_id: CohortId,
) -> Result<(Cohort, Vec<NamedArchive>), ActionError> {
    let cohort = cohorts::load_cohort(conn, &cohort_id.to_string())?;
    acting.require(Action::ExportData, &export_of(stored(&cohort.org_id)?))?;
    let archives = archive_files::cohort_archives(conn, catalogue, fonts, cohort_id, acting.now)?;
    Ok((cohort, archives))
}
