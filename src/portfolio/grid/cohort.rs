//! The learner × criterion grid of a cohort, read off the stored evaluations.

use std::collections::{BTreeMap, HashMap};

use diesel::prelude::*;
use serde::Serialize;

use crate::action::ActionError;
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::UserId;
use crate::db::schema::users;
use crate::portfolio::cohorts::{Cohort, cohort_enrolments};
use crate::portfolio::shown::{self, ShownItem};
use crate::portfolio::stored;
use crate::rules::report::Status;

/// How one learner stands for one criterion or knowledge item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Met with evidence the assessor accepted.
    Met,
    /// Partly met with accepted evidence (the item's own rules need more).
    PartlyMet,
    /// Met only by evidence still waiting for judgement.
    Claimed,
    /// Recorded as not applicable.
    NotApplicable,
    /// No evidence yet.
    Missing,
}

/// A column of a cohort grid: a criterion or knowledge item.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GridItem {
    /// The item id, e.g. `1.3` or `k2`.
    pub id: String,
    /// The outcome it belongs to, or `knowledge`.
    pub section: String,
    /// The item's text.
    pub text: String,
}

/// A learner, a row of a cohort grid.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GridLearner {
    /// The enrolment.
    pub enrolment_id: String,
    /// The candidate's name.
    pub name: String,
    /// Whether the unit is complete in the confirmed view.
    pub complete: bool,
    /// Per item, in column order.
    pub standings: Vec<Standing>,
}

/// The learner × criterion grid of a cohort's enrolments on one standard version.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StandardGrid {
    /// e.g. `NZQA`.
    pub framework: String,
    /// e.g. `28268`.
    pub code: String,
    /// The version.
    pub version: u32,
    /// The title.
    pub title: String,
    /// The columns: every criterion, then every knowledge item.
    pub items: Vec<GridItem>,
    /// The rows, by name.
    pub learners: Vec<GridLearner>,
}

/// A cohort's grids, one per standard version its enrolments are on.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CohortGrid {
    /// The cohort.
    pub cohort_id: String,
    /// Enrolments whose standard version is no longer in the catalogue (not shown).
    pub not_evaluated: u32,
    /// Per standard version, ordered by code and version.
    pub standards: Vec<StandardGrid>,
}

fn standing(confirmed: &ShownItem, claimed: Option<&ShownItem>) -> Standing {
    if confirmed.not_applicable {
        Standing::NotApplicable
    } else if confirmed.status == Status::Met {
        Standing::Met
    } else if !confirmed.evidence.is_empty() {
        Standing::PartlyMet
    } else if claimed.is_some_and(|c| !c.evidence.is_empty()) {
        Standing::Claimed
    } else {
        Standing::Missing
    }
}

/// The learner × criterion grid of every enrolment in the cohort, read from the stored
/// evaluations (computed, not stored, for any that are stale).
pub fn cohort_grid(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    cohort: &Cohort,
) -> Result<CohortGrid, ActionError> {
    let members = cohort_enrolments(conn, cohort.id)?;
    let version = stored::interpretations_version(conn, cohort.org_id)?;
    let candidates: Vec<UserId> = members.iter().map(|e| e.candidate_id).collect();
    let names: HashMap<UserId, String> = users::table
        .filter(users::id.eq_any(&candidates))
        .select((users::id, users::name))
        .load::<(UserId, String)>(conn)?
        .into_iter()
        .collect();
    let mut by_standard: BTreeMap<(String, u32), StandardGrid> = BTreeMap::new();
    let mut not_evaluated = 0;
    for enrolment in &members {
        let Ok(loaded) = catalogue.pinned(enrolment) else {
            not_evaluated += 1;
            continue;
        };
        let views = shown::reports(conn, catalogue, enrolment, Some(version))?;
        let standard = &loaded.standard;
        let grid = by_standard
            .entry((standard.code.clone(), standard.version))
            .or_insert_with(|| StandardGrid {
                framework: standard.framework.clone(),
                code: standard.code.clone(),
                version: standard.version,
                title: standard.title.clone(),
                items: views
                    .confirmed
                    .items()
                    .map(|(section, item)| GridItem {
                        id: item.id.clone(),
                        section: section.to_owned(),
                        text: item.text.clone(),
                    })
                    .collect(),
                learners: Vec::new(),
            });
        let claimed: HashMap<&str, &ShownItem> = views
            .claimed
            .items()
            .map(|(_, i)| (i.id.as_str(), i))
            .collect();
        let name = names
            .get(&enrolment.candidate_id)
            .cloned()
            .unwrap_or_default();
        grid.learners.push(GridLearner {
            enrolment_id: enrolment.id.to_string(),
            name,
            complete: views.confirmed.complete,
            standings: views
                .confirmed
                .items()
                .map(|(_, item)| standing(item, claimed.get(item.id.as_str()).copied()))
                .collect(),
        });
    }
    let mut standards: Vec<StandardGrid> = by_standard.into_values().collect();
    for grid in &mut standards {
        grid.learners.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(CohortGrid {
        cohort_id: cohort.id.to_string(),
        not_evaluated,
        standards,
    })
}
