//! Moving enrolments into and out of a cohort.

use crate::db::FirstRow;
use diesel::prelude::*;
use serde::Deserialize;

use crate::action::{ActionError, Problems};
use crate::audit::{self, Change};
use crate::db::DbConnection;
use crate::db::ids::{CohortId, EnrolmentId};
use crate::db::schema::enrolments;
use crate::portfolio::enrolment::Enrolment;

use super::{Cohort, cohort_enrolments};

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
