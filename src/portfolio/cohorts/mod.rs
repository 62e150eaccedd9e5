//! Cohorts: a provider's group of enrolments (a class, an intake), optionally on one standard and
//! between two dates, and how far the group has come in each outcome of its standard.

use std::collections::BTreeMap;

use crate::db::FirstRow;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::enrolment::Enrolment;
use super::progress::Evaluation;
use crate::action::{ActionError, Problems};
use crate::audit::{self, Change};
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::{CohortId, EnrolmentId, Id, OrgId};
use crate::db::schema::{cohorts, enrolments};
use crate::rules::{Status, View};

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

/// Which enrolments to move into or out of a cohort.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CohortMembers {
    /// Enrolments to put in the cohort (taken out of any other cohort).
    #[serde(default)]
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub add: Vec<EnrolmentId>,
    /// Enrolments to take out of the cohort.
    #[serde(default)]
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub remove: Vec<EnrolmentId>,
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

/// Puts enrolments in a cohort and takes others out (audited, one entry per enrolment moved).
/// An enrolment must belong to the cohort's organisation and, when the cohort is limited to a
/// standard, be on that standard.
pub fn change_members(
    conn: &mut DbConnection,
    actor_id: Option<&str>,
    cohort: &Cohort,
    members: &CohortMembers,
) -> Result<Vec<Enrolment>, ActionError> {
    let mut problems = Problems::default();
    let cohort_id = cohort.id;
    let mut moves: Vec<(Enrolment, Option<CohortId>)> = Vec::new();
    for (i, id) in members.add.iter().enumerate() {
        let field = format!("add[{i}]");
        let found: Option<Enrolment> = enrolments::table
            .find(id)
            .select(Enrolment::as_select())
            .first_row(conn)
            .optional()?;
        let Some(enrolment) = found.filter(|e| e.org_id == cohort.org_id) else {
            problems.add(&field, "is not an enrolment of this organisation");
            continue;
        };
        if !cohort.admits(&enrolment) {
            problems.add(
                &field,
                format!(
                    "is on {} v{}, not this cohort's standard",
                    enrolment.standard_code, enrolment.standard_version
                ),
            );
            continue;
        }
        moves.push((enrolment, Some(cohort_id)));
    }
    for (i, id) in members.remove.iter().enumerate() {
        let found: Option<Enrolment> = enrolments::table
            .find(id)
            .select(Enrolment::as_select())
            .first_row(conn)
            .optional()?;
        match found {
            Some(enrolment) if enrolment.cohort_id == Some(cohort_id) => {
                moves.push((enrolment, None));
            }
            _ => problems.add(&format!("remove[{i}]"), "is not in this cohort"),
        }
    }
    problems.finish()?;
    for (enrolment, to) in &moves {
        if enrolment.cohort_id == *to {
            continue;
        }
        diesel::update(enrolments::table.find(enrolment.id))
            .set(enrolments::cohort_id.eq(to))
            .execute(conn)?;
        audit::append(
            conn,
            Change {
                actor_id,
                action: if to.is_some() {
                    "cohort.add_enrolment"
                } else {
                    "cohort.remove_enrolment"
                },
                entity: "enrolment",
                entity_id: &enrolment.id.to_string(),
                before: Some(serde_json::json!({ "cohort_id": enrolment.cohort_id })),
                after: Some(serde_json::json!({ "cohort_id": to })),
            },
        )?;
    }
    cohort_enrolments(conn, cohort.id)
}

/// How a cohort stands in one outcome: how many of its enrolments have met it, partly met it, or
/// not started it, in the engine's confirmed view (only what an assessor accepted counts).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OutcomeProgress {
    /// The outcome id, e.g. `1`.
    pub id: String,
    /// The outcome's title.
    pub title: String,
    /// Enrolments that met every requirement of the outcome.
    pub met: u32,
    /// Enrolments with some accepted evidence, not yet enough.
    pub partly_met: u32,
    /// Enrolments with no accepted evidence for it yet.
    pub not_started: u32,
    /// Requirements met over all enrolments, as a whole percentage (0–100).
    pub percent: u32,
}

/// A cohort's progress in one standard version (a cohort not limited to one standard may hold
/// several).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StandardProgress {
    /// e.g. `NZQA`.
    pub framework: String,
    /// e.g. `28268`.
    pub code: String,
    /// The version.
    pub version: u32,
    /// The title.
    pub title: String,
    /// Enrolments on this standard version.
    pub enrolments: u32,
    /// Of those, how many are complete in the confirmed view.
    pub complete: u32,
    /// Each outcome, in the standard's order.
    pub outcomes: Vec<OutcomeProgress>,
}

/// A cohort's progress, per standard version and outcome.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CohortProgress {
    /// The cohort.
    pub cohort: Cohort,
    /// Enrolments in it.
    pub enrolments: u32,
    /// Enrolments whose standard version is no longer in the catalogue (not evaluated).
    pub not_evaluated: u32,
    /// Per standard version, ordered by code and version.
    pub standards: Vec<StandardProgress>,
}

struct Tally {
    id: String,
    title: String,
    met: u32,
    partly_met: u32,
    not_started: u32,
    requirements_met: u64,
    requirements: u64,
}

/// Evaluates every enrolment of the cohort in the confirmed view and counts, per outcome, how
/// many have met it. Runs the engine once per enrolment: a cohort is a class, not a population.
pub fn cohort_progress(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    cohort: &Cohort,
) -> Result<CohortProgress, ActionError> {
    let members = cohort_enrolments(conn, cohort.id)?;
    let mut by_standard: BTreeMap<(String, u32), (u32, u32, Vec<Tally>)> = BTreeMap::new();
    let mut not_evaluated = 0;
    for enrolment in &members {
        if catalogue.pinned(enrolment).is_err() {
            not_evaluated += 1;
            continue;
        }
        let evaluation = Evaluation::load(conn, catalogue, enrolment, None)?;
        let standard = evaluation.standard;
        let report = evaluation.report(View::Confirmed);
        let entry = by_standard
            .entry((standard.code.clone(), standard.version))
            .or_insert_with(|| {
                (
                    0,
                    0,
                    report
                        .outcomes
                        .iter()
                        .map(|o| Tally {
                            id: o.id.to_owned(),
                            title: o.title.to_owned(),
                            met: 0,
                            partly_met: 0,
                            not_started: 0,
                            requirements_met: 0,
                            requirements: 0,
                        })
                        .collect(),
                )
            });
        entry.0 += 1;
        if report.complete {
            entry.1 += 1;
        }
        for (tally, outcome) in entry.2.iter_mut().zip(&report.outcomes) {
            match outcome.status {
                Status::Met => tally.met += 1,
                Status::PartlyMet => tally.partly_met += 1,
                Status::NotStarted => tally.not_started += 1,
            }
            tally.requirements_met += u64::from(outcome.progress.met);
            tally.requirements += u64::from(outcome.progress.total);
        }
    }
    let standards = by_standard
        .into_iter()
        .filter_map(|((code, version), (enrolled, complete, tallies))| {
            let standard = &catalogue
                .get_in(cohort.org_id.uuid(), &code, version)?
                .standard;
            Some(StandardProgress {
                framework: standard.framework.clone(),
                title: standard.title.clone(),
                enrolments: enrolled,
                complete,
                outcomes: tallies
                    .into_iter()
                    .map(|tally| OutcomeProgress {
                        id: tally.id,
                        title: tally.title,
                        met: tally.met,
                        partly_met: tally.partly_met,
                        not_started: tally.not_started,
                        // Nothing to meet counts as all met.
                        percent: (tally.requirements_met * 100)
                            .checked_div(tally.requirements)
                            .map_or(100, |p| u32::try_from(p).unwrap_or(100)),
                    })
                    .collect(),
                code,
                version,
            })
        })
        .collect();
    Ok(CohortProgress {
        cohort: cohort.clone(),
        enrolments: u32::try_from(members.len()).unwrap_or(u32::MAX),
        not_evaluated,
        standards,
    })
}
