//! Creating a cohort: its name, the standard it may be limited to, and its dates, checked together.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::Deserialize;

use crate::action::{ActionError, Problems};
use crate::audit::{self, Change};
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::{CohortId, Id, OrgId};
use crate::db::schema::cohorts;

use super::Cohort;

/// What is needed to create a cohort.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCohort {
    /// Its name, unique in the organisation.
    pub name: String,
    /// Limit it to one standard: `CODE` (any version) or `CODE@VERSION`.
    #[serde(default)]
    pub standard: Option<String>,
    /// When it starts.
    #[serde(default)]
    pub start_date: Option<NaiveDate>,
    /// When it ends (not before the start).
    #[serde(default)]
    pub end_date: Option<NaiveDate>,
}

/// Splits `CODE` or `CODE@VERSION`; `None` when the version is not a whole number.
pub fn split_standard(text: &str) -> Option<(String, Option<u32>)> {
    let text = text.trim();
    match text.rsplit_once('@') {
        Some((code, version)) => {
            let version = version.trim().parse::<u32>().ok()?;
            let code = code.trim();
            (!code.is_empty()).then(|| (code.to_owned(), Some(version)))
        }
        None => (!text.is_empty()).then(|| (text.to_owned(), None)),
    }
}

/// Creates a cohort (audited). Every field problem is reported together.
pub fn create_cohort(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    actor_id: Option<&str>,
    org_id: OrgId,
    new: NewCohort,
    now: DateTime<Utc>,
) -> Result<Cohort, ActionError> {
    let mut problems = Problems::default();
    let name = new.name.trim().to_owned();
    if name.is_empty() {
        problems.add("name", "give the cohort a name");
    } else if name.chars().count() > 200 {
        problems.add("name", "at most 200 characters");
    }
    let standard = match new.standard.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => match split_standard(text) {
            None => {
                problems.add("standard", "write CODE or CODE@VERSION, e.g. 28268@2");
                None
            }
            // The catalogue's own spelling of the code, so filters match the enrolments.
            Some((_, version)) => match catalogue.find_in(org_id.uuid(), text) {
                Some(loaded) => Some((loaded.standard.code.clone(), version)),
                None => {
                    problems.add("standard", format!("no standard {text} in the catalogue"));
                    None
                }
            },
        },
    };
    if let (Some(start), Some(end)) = (new.start_date, new.end_date) {
        if end < start {
            problems.add("end_date", "is before the start date");
        }
    }
    if !name.is_empty() {
        let taken: i64 = cohorts::table
            .filter(cohorts::org_id.eq(org_id))
            .filter(cohorts::name.eq(&name))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            problems.add("name", "another cohort of this organisation has that name");
        }
    }
    problems.finish()?;
    let cohort = Cohort {
        id: CohortId::random(),
        org_id,
        name,
        standard_code: standard.as_ref().map(|(code, _)| code.clone()),
        standard_version: standard
            .and_then(|(_, v)| v)
            .map(|v| i32::try_from(v).unwrap_or(i32::MAX)),
        start_date: new.start_date,
        end_date: new.end_date,
        created_at: now.naive_utc(),
    };
    // The check above answers the usual case; the unique index answers a concurrent create.
    match diesel::insert_into(cohorts::table)
        .values(&cohort)
        .execute(conn)
    {
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => {
            return Err(ActionError::invalid(
                "name",
                "another cohort of this organisation has that name",
            ));
        }
        other => other?,
    };
    audit::append(
        conn,
        Change {
            actor_id,
            action: "cohort.create",
            entity: "cohort",
            entity_id: &cohort.id.to_string(),
            before: None,
            after: Some(crate::db::json::to_value(&cohort)?),
        },
    )?;
    Ok(cohort)
}
