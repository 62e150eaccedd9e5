//! Cohorts: a provider's group of enrolments (a class, an intake), optionally on one standard and
//! between two dates, and how far the group has come in each outcome of its standard.

mod create;
mod members;
mod progress;

use std::collections::BTreeMap;

use crate::db::FirstRow;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use crate::action::ActionError;
use crate::db::DbConnection;
use crate::db::ids::{CohortId, OrgId};
use crate::db::schema::{cohorts, enrolments};
use crate::portfolio::enrolment::Enrolment;

pub use create::{NewCohort, create_cohort, split_standard};
pub use members::{CohortMembers, change_members};
pub use progress::{CohortProgress, OutcomeProgress, StandardProgress, cohort_progress};

/// A cohort as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = cohorts)]
pub struct Cohort {
    /// Its id.
    #[schema(value_type = String)]
    pub id: CohortId,
    /// The organisation.
    #[schema(value_type = String)]
    pub org_id: OrgId,
    /// Its name, unique in the organisation.
    pub name: String,
    /// The standard every enrolment of the cohort is on, when it is limited to one.
    pub standard_code: Option<String>,
    /// The standard's version, when limited to one.
    pub standard_version: Option<i32>,
    /// When the cohort starts.
    pub start_date: Option<NaiveDate>,
    /// When the cohort ends.
    pub end_date: Option<NaiveDate>,
    /// Created.
    #[serde(serialize_with = "crate::db::utc::serialize")]
    pub created_at: NaiveDateTime,
}

impl Cohort {
    /// Whether `enrolment` may join: a cohort limited to a standard (or one version of it) takes
    /// only enrolments on it.
    pub fn admits(&self, enrolment: &Enrolment) -> bool {
        let Some(code) = &self.standard_code else {
            return true;
        };
        enrolment.standard_code == *code
            && self
                .standard_version
                .is_none_or(|v| v == enrolment.standard_version)
    }
}

/// One cohort.
pub fn load_cohort(conn: &mut DbConnection, id: CohortId) -> Result<Cohort, ActionError> {
    Ok(cohorts::table
        .find(id)
        .select(Cohort::as_select())
        .first_row(conn)?)
}

/// Finds a cohort of the organisation by id or by name (what a person types on the command line).
pub fn find_cohort(
    conn: &mut DbConnection,
    org_id: OrgId,
    id_or_name: &str,
) -> Result<Cohort, ActionError> {
    Ok(cohorts::table
        .filter(cohorts::org_id.eq(org_id))
        .filter(
            cohorts::id
                .eq(id_or_name)
                .or(cohorts::name.eq(id_or_name.trim())),
        )
        .select(Cohort::as_select())
        .first_row(conn)?)
}

/// A cohort with how many enrolments it holds.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CohortSummary {
    /// The cohort.
    #[serde(flatten)]
    pub cohort: Cohort,
    /// Enrolments in it.
    pub enrolments: i64,
}

/// The organisation's cohorts by name, each with its size.
pub fn list_cohorts(
    conn: &mut DbConnection,
    org_id: OrgId,
) -> Result<Vec<CohortSummary>, ActionError> {
    let all: Vec<Cohort> = cohorts::table
        .filter(cohorts::org_id.eq(org_id))
        .order((cohorts::name.asc(), cohorts::id.asc()))
        .select(Cohort::as_select())
        .load(conn)?;
    let counts: Vec<(Option<CohortId>, i64)> = enrolments::table
        .filter(enrolments::org_id.eq(org_id))
        .filter(enrolments::cohort_id.is_not_null())
        .group_by(enrolments::cohort_id)
        .select((enrolments::cohort_id, diesel::dsl::count_star()))
        .load(conn)?;
    let counts: BTreeMap<CohortId, i64> = counts
        .into_iter()
        .filter_map(|(id, n)| Some((id?, n)))
        .collect();
    Ok(all
        .into_iter()
        .map(|cohort| CohortSummary {
            enrolments: counts.get(&cohort.id).copied().unwrap_or(0),
            cohort,
        })
        .collect())
}

/// The enrolments of a cohort, oldest first.
pub fn cohort_enrolments(
    conn: &mut DbConnection,
    cohort_id: CohortId,
) -> Result<Vec<Enrolment>, ActionError> {
    Ok(enrolments::table
        .filter(enrolments::cohort_id.eq(cohort_id))
        .order((enrolments::created_at.asc(), enrolments::id.asc()))
        .select(Enrolment::as_select())
        .load(conn)?)
}
