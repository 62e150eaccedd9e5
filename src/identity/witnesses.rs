//! Each organisation's list of approved witnesses (name, job, relationship, contact), as centres keep
//! for witness testimony.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::action::{ActionError, Problems};
use crate::audit::{self, Change};
use crate::db::DbConnection;
use crate::db::ids::{OrgId, UserId, WitnessId};
use crate::db::schema::approved_witnesses;

/// An approved witness.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = approved_witnesses)]
pub struct ApprovedWitness {
    /// Its id.
    #[schema(value_type = String)]
    pub id: WitnessId,
    /// The organisation.
    #[schema(value_type = String)]
    pub org_id: OrgId,
    /// Name.
    pub name: String,
    /// Job title.
    pub job_title: String,
    /// Relationship to candidates (e.g. team leader).
    pub relationship: String,
    /// Phone or email.
    pub contact: String,
    /// Added.
    #[serde(serialize_with = "crate::db::utc::serialize")]
    pub created_at: NaiveDateTime,
}

/// A witness to approve.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWitness {
    /// Name.
    pub name: String,
    /// Job title.
    pub job_title: String,
    /// Relationship to candidates.
    pub relationship: String,
    /// Phone or email.
    pub contact: String,
}

/// Adds a witness to the organisation's approved list (audited).
pub fn approve_witness(
    conn: &mut DbConnection,
    org_id: OrgId,
    actor: UserId,
    new: NewWitness,
    now: DateTime<Utc>,
) -> Result<ApprovedWitness, ActionError> {
    let mut problems = Problems::default();
    for (field, value) in [
        ("name", &new.name),
        ("job_title", &new.job_title),
        ("relationship", &new.relationship),
        ("contact", &new.contact),
    ] {
        if value.trim().is_empty() {
            problems.add(field, "is required");
        }
    }
    if crate::portfolio::is_relative(&new.relationship) {
        problems.add("relationship", "a relative cannot be a witness");
    }
    problems.finish()?;
    let witness = ApprovedWitness {
        id: WitnessId::random(),
        org_id,
        name: new.name.trim().to_owned(),
        job_title: new.job_title.trim().to_owned(),
        relationship: new.relationship.trim().to_owned(),
        contact: new.contact.trim().to_owned(),
        created_at: now.naive_utc(),
    };
    diesel::insert_into(approved_witnesses::table)
        .values(&witness)
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(&actor.to_string()),
            action: "witness.approve",
            entity: "organisation",
            entity_id: &org_id.to_string(),
            before: None,
            after: Some(crate::db::json::to_value(&witness)?),
        },
    )?;
    Ok(witness)
}

/// The organisation's approved witnesses, by name.
pub fn approved_witnesses(
    conn: &mut DbConnection,
    org_id: OrgId,
) -> Result<Vec<ApprovedWitness>, ActionError> {
    Ok(approved_witnesses::table
        .filter(approved_witnesses::org_id.eq(org_id))
        .order(approved_witnesses::name.asc())
        .select(ApprovedWitness::as_select())
        .load(conn)?)
}
