//! A provider's own settings: which reading of each ambiguous rule it takes, per standard version.
//! The standard file is never edited; the engine applies these choices.

use std::collections::BTreeMap;

use crate::db::FirstRow;
use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::action::ActionError;
use crate::audit::{self, Change};
use crate::db::DbConnection;
use crate::db::ids::OrgId;
use crate::db::schema::org_settings;
use crate::standards::{Interpretations, Standard};

pub mod actions;

/// Interpretations keyed by `CODE@VERSION`.
type ByStandard = BTreeMap<String, Interpretations>;

fn key(standard: &Standard) -> String {
    format!("{}@{}", standard.code, standard.version)
}

/// A JSON column of the organisation's settings row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonSetting {
    /// `sampling_rates`: the IV's sampling rates.
    SamplingRates,
    /// `interpretations`: the readings chosen, by `CODE@VERSION`.
    Interpretations,
}

/// The organisation's setting stored as JSON in `setting`'s column: its default when the
/// organisation has no settings row yet; a value that does not read is corrupt (an error, never
/// the default, so a damaged setting is not silently replaced).
pub fn stored_json<T: serde::de::DeserializeOwned + Default>(
    conn: &mut DbConnection,
    org_id: OrgId,
    setting: JsonSetting,
) -> Result<T, ActionError> {
    let row = org_settings::table.find(org_id);
    let stored: QueryResult<String> = match setting {
        JsonSetting::SamplingRates => row.select(org_settings::sampling_rates).first_row(conn),
        JsonSetting::Interpretations => row.select(org_settings::interpretations).first_row(conn),
    };
    Ok(stored
        .optional()?
        .map(|json| crate::db::json::from_text(&json))
        .transpose()?
        .unwrap_or_default())
}

fn load_all(conn: &mut DbConnection, org_id: OrgId) -> Result<ByStandard, ActionError> {
    stored_json(conn, org_id, JsonSetting::Interpretations)
}

/// The organisation's interpretations of `standard`'s ambiguous rules (none chosen: the defaults).
pub fn interpretations(
    conn: &mut DbConnection,
    org_id: OrgId,
    standard: &Standard,
) -> Result<Interpretations, ActionError> {
    Ok(load_all(conn, org_id)?
        .remove(&key(standard))
        .unwrap_or_default())
}

/// Makes sure the organisation has a settings row (all defaults), so a setting is one update.
pub fn ensure_row(
    conn: &mut DbConnection,
    org_id: OrgId,
    now: DateTime<Utc>,
) -> Result<(), ActionError> {
    let exists: i64 = org_settings::table.find(org_id).count().get_result(conn)?;
    if exists == 0 {
        diesel::insert_into(org_settings::table)
            .values((
                org_settings::org_id.eq(org_id),
                org_settings::sampling_rates.eq("{}"),
                org_settings::interpretations.eq("{}"),
                org_settings::updated_at.eq(now.naive_utc()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Replaces the organisation's interpretations of `standard` (validated against it; audited).
pub fn set_interpretations(
    conn: &mut DbConnection,
    org_id: OrgId,
    actor_id: &str,
    standard: &Standard,
    chosen: Interpretations,
    now: DateTime<Utc>,
) -> Result<Interpretations, ActionError> {
    chosen
        .validate(standard)
        .map_err(|e| ActionError::invalid("interpretations", e.to_string()))?;
    let mut all = load_all(conn, org_id)?;
    let before = all.get(&key(standard)).cloned();
    all.insert(key(standard), chosen.clone());
    let json = crate::db::json::to_text(&all)?;
    ensure_row(conn, org_id, now)?;
    diesel::update(org_settings::table.find(org_id))
        .set((
            org_settings::interpretations.eq(&json),
            org_settings::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(actor_id),
            action: "organisation.interpretations",
            entity: "organisation",
            entity_id: &org_id.to_string(),
            before: before.map(|b| serde_json::json!({ key(standard): b })),
            after: Some(serde_json::json!({ key(standard): chosen })),
        },
    )?;
    Ok(chosen)
}
