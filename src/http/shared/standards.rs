//! The standards catalogue's summary rows and publishing an organisation's own standard.

use chrono::Utc;
use serde::Serialize;

use crate::catalogue::{DateWarning, date_warnings, open_for_enrolment};
use crate::http::AppState;
use crate::http::session::Session;
use crate::standards::{Level, LoadedStandard, Status};

/// One standard version in the list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StandardSummary {
    /// NZQA, SQA, NOS, SVQ …
    pub framework: String,
    /// The code, e.g. `28268` or `H12H 04`.
    pub code: String,
    /// Other codes for the same unit (e.g. `CFACC33`).
    pub aliases: Vec<String>,
    /// The version.
    pub version: u32,
    /// The title.
    pub title: String,
    /// Level and its scheme.
    #[schema(value_type = Option<Object>)]
    pub level: Option<Level>,
    /// Credits, e.g. "15 credits".
    pub credits: Option<String>,
    /// current, expiring, expired, draft.
    #[schema(value_type = Option<String>)]
    pub status: Option<Status>,
    /// Whether new enrolments are accepted today.
    pub open_for_enrolment: bool,
    /// The last dates (for enrolment, for assessment) that are within 90 days or have passed.
    pub date_warnings: Vec<DateWarning>,
    /// SHA-256 of the YAML file this version was loaded from.
    pub content_hash: String,
    /// The organisation that published this version into its own catalogue (only its members
    /// see it); absent for the instance's standards.
    pub org_id: Option<String>,
}

impl StandardSummary {
    /// The summary of a loaded standard.
    pub fn of(loaded: &LoadedStandard) -> Self {
        let s = &loaded.standard;
        Self {
            framework: s.framework.clone(),
            code: s.code.clone(),
            aliases: s.aliases.clone(),
            version: s.version,
            title: s.title.clone(),
            level: s.level.clone(),
            credits: s
                .credits
                .as_ref()
                .map(|c| format!("{} {}", c.value, c.unit)),
            status: s.status,
            open_for_enrolment: open_for_enrolment(s, Utc::now().date_naive()),
            date_warnings: date_warnings(s, Utc::now().date_naive()),
            content_hash: loaded.content_hash.clone(),
            org_id: None,
        }
    }

    /// The summaries of what `session`'s user sees: the instance's standards, then those each
    /// organisation they belong to published.
    pub fn visible(catalogue: &crate::catalogue::Catalogue, session: &Session) -> Vec<Self> {
        let mut all: Vec<Self> = catalogue.all().iter().map(Self::of).collect();
        for org_id in member_orgs(session) {
            let own = catalogue.visible_to(org_id);
            all.extend(
                own.into_iter()
                    .skip(catalogue.all().len())
                    .map(|loaded| Self {
                        org_id: Some(org_id.to_string()),
                        ..Self::of(loaded)
                    }),
            );
        }
        all
    }
}

/// Publishes `yaml` for `org_id` through [`crate::authoring::actions::publish`] and, once
/// committed, adds it to the running catalogue.
pub async fn publish_into(
    state: &AppState,
    session: &Session,
    org_id: uuid::Uuid,
    yaml: String,
) -> Result<crate::org_catalogue::PublishedStandard, crate::action::ActionError> {
    let catalogue = state.catalogue.clone();
    let session = session.clone();
    let org_id = crate::db::ids::OrgId::from(org_id);
    let (row, loaded) = state
        .db
        .write(move |conn| {
            crate::authoring::actions::publish(conn, &catalogue, &session.acting(), org_id, &yaml)
        })
        .await?;
    state.catalogue.add_published(org_id.into(), loaded);
    Ok(row)
}

/// The organisations the user holds a live role in.
pub(crate) fn member_orgs(session: &Session) -> Vec<uuid::Uuid> {
    let now = Utc::now();
    let mut orgs: Vec<uuid::Uuid> = session
        .actor
        .grants
        .iter()
        .filter(|g| g.is_live(now) && session.actor.active)
        .map(|g| g.org_id)
        .collect();
    orgs.sort();
    orgs.dedup();
    orgs
}
