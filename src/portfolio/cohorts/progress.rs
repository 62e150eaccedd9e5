//! How far a cohort has come: per standard version and outcome, in the confirmed view.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::action::ActionError;
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::Id;
use crate::portfolio::progress::Evaluation;
use crate::rules::{Status, View};

use super::{Cohort, cohort_enrolments};

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
