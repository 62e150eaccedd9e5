//! Training providers and assessment centres.

use crate::db::FirstRow;
use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::action::{ActionError, Problems};
use crate::audit::{self, Change};
use crate::db::DbConnection;
use crate::db::ids::OrgId;
use crate::db::schema::organisations;

/// An organisation as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = organisations)]
pub struct Organisation {
    /// Its id.
    #[schema(value_type = String)]
    pub id: OrgId,
    /// Its name, unique.
    pub name: String,
    /// ISO 3166 country code, e.g. NZ, GB.
    pub country: String,
    /// NZQA provider number, when registered with NZQA.
    pub nzqa_provider_number: Option<String>,
    /// SQA centre number, when an SQA centre.
    pub sqa_centre_number: Option<String>,
    /// When it was created.
    #[serde(serialize_with = "crate::db::utc::serialize")]
    pub created_at: NaiveDateTime,
}

/// What is needed to create an organisation.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganisation {
    /// Its name.
    pub name: String,
    /// ISO 3166 country code.
    pub country: String,
    /// NZQA provider number.
    #[serde(default)]
    pub nzqa_provider_number: Option<String>,
    /// SQA centre number.
    #[serde(default)]
    pub sqa_centre_number: Option<String>,
}

/// Creates an organisation (audited).
pub fn create_organisation(
    conn: &mut DbConnection,
    actor_id: Option<&str>,
    new: NewOrganisation,
) -> Result<Organisation, ActionError> {
    let name = new.name.trim().to_owned();
    let country = new.country.trim().to_ascii_uppercase();
    let mut problems = Problems::default();
    if name.is_empty() {
        problems.add("name", "is required");
    }
    if country.len() != 2 || !country.chars().all(|c| c.is_ascii_alphabetic()) {
        problems.add(
            "country",
            "must be a two-letter country code such as NZ or GB",
        );
    }
    problems.finish()?;
    let taken = organisations::table
        .filter(organisations::name.eq(&name))
        .count()
        .get_result::<i64>(conn)?;
    if taken > 0 {
        return Err(ActionError::Conflict(format!(
            "an organisation named {name} already exists"
        )));
    }
    let org = Organisation {
        id: OrgId::random(),
        name,
        country,
        nzqa_provider_number: new.nzqa_provider_number.filter(|v| !v.trim().is_empty()),
        sqa_centre_number: new.sqa_centre_number.filter(|v| !v.trim().is_empty()),
        created_at: Utc::now().naive_utc(),
    };
    diesel::insert_into(organisations::table)
        .values(&org)
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id,
            action: "organisation.create",
            entity: "organisation",
            entity_id: &org.id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "name": org.name, "country": org.country })),
        },
    )?;
    Ok(org)
}

/// Finds an organisation by id or by exact name.
pub fn find_organisation(
    conn: &mut DbConnection,
    id_or_name: &str,
) -> Result<Organisation, ActionError> {
    organisations::table
        .filter(
            organisations::id
                .eq(id_or_name)
                .or(organisations::name.eq(id_or_name)),
        )
        .select(Organisation::as_select())
        .first_row(conn)
        .optional()?
        .ok_or(ActionError::NotFound)
}

/// The organisation with this id.
pub fn load_organisation(conn: &mut DbConnection, id: OrgId) -> Result<Organisation, ActionError> {
    organisations::table
        .find(id)
        .select(Organisation::as_select())
        .first(conn)
        .optional()?
        .ok_or(ActionError::NotFound)
}
