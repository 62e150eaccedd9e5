//! Authoring an organisation's own standards, one function per use case: previewing a draft,
//! publishing it, uploading a mapping between versions. Each asks the policy first; the API and
//! the pages call these and only translate requests and answers.

use super::Preview;
use crate::action::{Acting, ActionError};
use crate::auth::policy::{Action, Resource};
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::OrgId;
use crate::org_catalogue::PublishedStandard;
use crate::portfolio::moves::StoredMapping;
use crate::standards::LoadedStandard;

fn organisation(org_id: OrgId) -> Resource {
    Resource::Organisation {
        org_id: org_id.into(),
    }
}

/// Checks a draft standard's YAML with the strict loader and previews it, for someone who may
/// author the organisation's standards. Nothing is stored (no connection needed); the loader is
/// slow on big files, so callers run this off the async threads.
pub fn preview(acting: &Acting<'_>, org_id: OrgId, yaml: &str) -> Result<Preview, ActionError> {
    acting.require(Action::AuthorStandards, &organisation(org_id))?;
    Ok(super::preview("standard.yaml", yaml))
}

/// Publishes `yaml` into the organisation's own catalogue as a new version (audited), for
/// someone who may publish its standards; see [`crate::org_catalogue::publish`]. The caller adds
/// the loaded standard to the running catalogue once the transaction commits.
pub fn publish(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    acting: &Acting<'_>,
    org_id: OrgId,
    yaml: &str,
) -> Result<(PublishedStandard, LoadedStandard), ActionError> {
    acting.require(Action::PublishStandards, &organisation(org_id))?;
    crate::org_catalogue::publish(conn, catalogue, org_id, acting.user_id, yaml, acting.now)
}

/// Stores a mapping file from one version of a standard to the next (audited), for someone who
/// may upload the organisation's mappings; see [`crate::portfolio::moves::upload`].
pub fn upload_mapping(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    acting: &Acting<'_>,
    org_id: OrgId,
    yaml: &str,
) -> Result<StoredMapping, ActionError> {
    acting.require(Action::UploadStandardMapping, &organisation(org_id))?;
    crate::portfolio::moves::upload(conn, catalogue, org_id, acting.user()?, yaml, acting.now)
}
