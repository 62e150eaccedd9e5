//! An organisation's own catalogue: standards its standards editors wrote, checked on the
//! authoring page and published as new versions. Each published version is a row of
//! `org_standards` (the YAML, its SHA-256, who published it and when), never changed afterwards;
//! the running catalogue holds them next to the folder's standards and offers each only to its
//! organisation.

use std::path::Path;

use crate::db::FirstRow;
use crate::db::ids::{OrgId, OrgStandardId};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::action::ActionError;
use crate::audit::{self, Change};
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::schema::org_standards;
use crate::standards::{self, LoadedStandard, Status};

/// A version an organisation published.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema, PartialEq, Eq)]
pub struct PublishedStandard {
    /// The row's id.
    #[schema(value_type = String)]
    pub id: OrgStandardId,
    /// The organisation whose catalogue holds it.
    #[schema(value_type = String)]
    pub org_id: OrgId,
    /// The standard's code.
    pub code: String,
    /// Its version.
    pub version: u32,
    /// Its title.
    pub title: String,
    /// SHA-256 of the YAML as published: what enrolments on it are pinned to.
    pub content_hash: String,
    /// Who published it.
    pub published_by: String,
    /// When.
    #[schema(value_type = String)]
    pub published_at: NaiveDateTime,
}

/// The name a published version is loaded under (in problems and outlines).
fn file_name(org_id: OrgId, code: &str, version: u32) -> String {
    format!("org-{org_id}/{code}-v{version}.yaml")
}

/// Publishes `yaml` into `org_id`'s catalogue as a new version (audited), after the strict
/// loader accepts it. Refused (422, field `yaml`) when it does not load, is still a draft, uses
/// a code or alias of a different standard, or does not have a higher version than every version
/// of its code the organisation sees. Returns the row and the loaded standard, which the caller
/// adds to the running catalogue once the transaction commits.
pub fn publish(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    org_id: OrgId,
    actor_id: &str,
    yaml: &str,
    now: DateTime<Utc>,
) -> Result<(PublishedStandard, LoadedStandard), ActionError> {
    let loaded =
        standards::load_bytes(Path::new("standard.yaml"), yaml.as_bytes()).map_err(|errors| {
            let first = errors
                .first()
                .map(|e| match e.position {
                    Some(p) => format!("line {}, column {}: {}", p.line, p.column, e.reason),
                    None => e.reason.clone(),
                })
                .unwrap_or_default();
            ActionError::invalid(
                "yaml",
                format!(
                    "the standard does not load ({} problem{}; check it first): {first}",
                    errors.len(),
                    if errors.len() == 1 { "" } else { "s" }
                ),
            )
        })?;
    let standard = &loaded.standard;
    if standard.status == Some(Status::Draft) {
        return Err(ActionError::invalid(
            "yaml",
            "the standard's status is draft: replace its draft evidence rules with the source's \
             requirements and set its status before publishing",
        ));
    }
    let visible = catalogue.visible_to(org_id.into());
    let names = std::iter::once(&standard.code).chain(&standard.aliases);
    for name in names {
        if let Some(other) = visible.iter().find(|other| {
            other.standard.answers_to(name)
                && standards::normalise_code(&other.standard.code)
                    != standards::normalise_code(&standard.code)
        }) {
            return Err(ActionError::invalid(
                "yaml",
                format!(
                    "{name} already names {} ({}): choose another code or alias",
                    other.standard.code, other.standard.title
                ),
            ));
        }
    }
    let highest = visible
        .iter()
        .filter(|other| {
            standards::normalise_code(&other.standard.code)
                == standards::normalise_code(&standard.code)
        })
        .map(|other| other.standard.version)
        .max();
    let stored_highest: Option<i32> = org_standards::table
        .filter(org_standards::org_id.eq(org_id))
        .filter(org_standards::code.eq(&standard.code))
        .select(diesel::dsl::max(org_standards::version))
        .first_row(conn)?;
    let highest = highest.max(stored_highest.and_then(|v| u32::try_from(v).ok()));
    if let Some(highest) = highest
        && standard.version <= highest
    {
        return Err(ActionError::invalid(
            "yaml",
            format!(
                "{} version {highest} is already in the catalogue: publish version {} or higher",
                standard.code,
                highest + 1
            ),
        ));
    }
    let version = i32::try_from(standard.version)
        .map_err(|_| ActionError::invalid("yaml", "the version is too large"))?;
    let row = PublishedStandard {
        id: OrgStandardId::random(),
        org_id,
        code: standard.code.clone(),
        version: standard.version,
        title: standard.title.clone(),
        content_hash: loaded.content_hash.clone(),
        published_by: actor_id.to_owned(),
        published_at: now.naive_utc(),
    };
    diesel::insert_into(org_standards::table)
        .values((
            org_standards::id.eq(row.id),
            org_standards::org_id.eq(org_id),
            org_standards::code.eq(&row.code),
            org_standards::version.eq(version),
            org_standards::title.eq(&row.title),
            org_standards::yaml.eq(yaml),
            org_standards::content_hash.eq(&row.content_hash),
            org_standards::published_by.eq(actor_id),
            org_standards::published_at.eq(row.published_at),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(actor_id),
            action: "standard.publish",
            entity: "organisation",
            entity_id: &org_id.to_string(),
            before: highest.map(|v| serde_json::json!({"code": row.code, "version": v})),
            after: Some(serde_json::json!({
                "id": row.id, "code": row.code, "version": row.version, "title": row.title,
                "content_hash": row.content_hash,
            })),
        },
    )?;
    let loaded = LoadedStandard {
        path: file_name(org_id, &row.code, row.version).into(),
        ..loaded
    };
    Ok((row, loaded))
}

/// A row of `org_standards` without its YAML: id, org, code, version, title, hash, publisher,
/// when.
type PublishedRow = (
    OrgStandardId,
    OrgId,
    String,
    i32,
    String,
    String,
    String,
    NaiveDateTime,
);

/// The versions `org_id` published, newest first.
pub fn list(conn: &mut DbConnection, org_id: OrgId) -> QueryResult<Vec<PublishedStandard>> {
    let rows: Vec<PublishedRow> = org_standards::table
        .filter(org_standards::org_id.eq(org_id))
        .order((org_standards::published_at.desc(), org_standards::id.desc()))
        .select((
            org_standards::id,
            org_standards::org_id,
            org_standards::code,
            org_standards::version,
            org_standards::title,
            org_standards::content_hash,
            org_standards::published_by,
            org_standards::published_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, org_id, code, version, title, content_hash, published_by, published_at)| {
                PublishedStandard {
                    id,
                    org_id,
                    code,
                    version: u32::try_from(version).unwrap_or(0),
                    title,
                    content_hash,
                    published_by,
                    published_at,
                }
            },
        )
        .collect())
}

/// Why the published standards could not be brought up.
#[derive(Debug, thiserror::Error)]
pub enum LoadPublishedError {
    /// The database failed.
    #[error("org_standards: {0}")]
    Db(#[from] diesel::result::Error),
    /// A stored version no longer loads (the loader became stricter, or the row was edited).
    #[error("org_standards: {file} (hash {hash}) no longer loads: {reason}")]
    NoLongerLoads {
        /// The name it loads under.
        file: String,
        /// Its stored hash.
        hash: String,
        /// The loader's first problem.
        reason: String,
    },
    /// The stored YAML does not match its recorded hash.
    #[error("org_standards: {file}: its YAML does not match its recorded hash {hash}")]
    Tampered {
        /// The name it loads under.
        file: String,
        /// Its stored hash.
        hash: String,
    },
}

/// Loads every published version of every organisation into `catalogue`.
pub fn load_all(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
) -> Result<usize, LoadPublishedError> {
    let rows: Vec<(String, String, i32, String, String)> = org_standards::table
        .order((org_standards::published_at.asc(), org_standards::id.asc()))
        .select((
            org_standards::org_id,
            org_standards::code,
            org_standards::version,
            org_standards::yaml,
            org_standards::content_hash,
        ))
        .load(conn)?;
    let count = rows.len();
    for (org, code, version, yaml, hash) in rows {
        // A row whose organisation is not an id names no catalogue: it is left out, as ever.
        let Ok(org_id) = org.parse::<OrgId>() else {
            continue;
        };
        let file = file_name(org_id, &code, u32::try_from(version).unwrap_or(0));
        let loaded =
            standards::load_bytes(Path::new(&file), yaml.as_bytes()).map_err(|errors| {
                LoadPublishedError::NoLongerLoads {
                    file: file.clone(),
                    hash: hash.clone(),
                    reason: errors.first().map(ToString::to_string).unwrap_or_default(),
                }
            })?;
        if loaded.content_hash != hash {
            return Err(LoadPublishedError::Tampered { file, hash });
        }
        catalogue.add_published(org_id.into(), loaded);
    }
    Ok(count)
}
