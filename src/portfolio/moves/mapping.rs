//! Mapping files: their format, the checks on upload, and listing them.

use super::*;

/// A mapping file: for one code, from one version to the next.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MappingFile {
    /// The standard's code (or an alias).
    pub code: String,
    /// The version candidates move from.
    pub from_version: u32,
    /// The version they move to (higher).
    pub to_version: u32,
    /// Criteria: each old criterion and the new criteria it becomes. A criterion not listed
    /// becomes the criterion with the same id, where the new version has one.
    #[serde(default)]
    pub criteria: Vec<ItemMap>,
    /// Knowledge items, likewise.
    #[serde(default)]
    pub knowledge: Vec<ItemMap>,
}

/// One old item and what it becomes.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemMap {
    /// The id in the old version.
    pub from: String,
    /// The ids in the new version; empty when it has no counterpart (its evidence no longer
    /// counts for anything).
    #[serde(default)]
    pub to: Vec<String>,
    /// Why, in words (shown in the preview).
    #[serde(default)]
    pub note: Option<String>,
}

/// A stored mapping file.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema, PartialEq, Eq)]
pub struct StoredMapping {
    /// Its id.
    #[schema(value_type = String)]
    pub id: MappingId,
    /// The organisation it belongs to.
    #[schema(value_type = String)]
    pub org_id: OrgId,
    /// The standard's code.
    pub code: String,
    /// From this version…
    pub from_version: u32,
    /// …to this one.
    pub to_version: u32,
    /// SHA-256 of the file.
    pub content_hash: String,
    /// Who uploaded it.
    #[schema(value_type = String)]
    pub uploaded_by: UserId,
    /// When.
    #[schema(value_type = String)]
    pub uploaded_at: NaiveDateTime,
}

pub(super) fn item_ids(standard: &Standard) -> (BTreeSet<&str>, BTreeSet<&str>) {
    let criteria = standard
        .outcomes
        .iter()
        .flat_map(|o| &o.criteria)
        .map(|c| c.id.as_str())
        .collect();
    let knowledge = standard.knowledge.iter().map(|k| k.id.as_str()).collect();
    (criteria, knowledge)
}

/// Reads and checks a mapping file against the two versions: every id it names exists in its
/// version, and no old id is listed twice. Problems are named `criteria[i].from` and so on.
pub(super) fn check(file: &MappingFile, old: &Standard, new: &Standard) -> Result<(), ActionError> {
    let mut problems = Problems::default();
    let (old_criteria, old_knowledge) = item_ids(old);
    let (new_criteria, new_knowledge) = item_ids(new);
    for (list, items, olds, news) in [
        ("criteria", &file.criteria, &old_criteria, &new_criteria),
        ("knowledge", &file.knowledge, &old_knowledge, &new_knowledge),
    ] {
        let mut seen = BTreeSet::new();
        for (i, item) in items.iter().enumerate() {
            if !olds.contains(item.from.as_str()) {
                problems.add(
                    &format!("{list}[{i}].from"),
                    format!(
                        "{} version {} has no {} {}",
                        old.code,
                        old.version,
                        if list == "criteria" {
                            "criterion"
                        } else {
                            "knowledge item"
                        },
                        item.from
                    ),
                );
            }
            if !seen.insert(item.from.as_str()) {
                problems.add(
                    &format!("{list}[{i}].from"),
                    format!("{} is mapped twice", item.from),
                );
            }
            for (j, to) in item.to.iter().enumerate() {
                if !news.contains(to.as_str()) {
                    problems.add(
                        &format!("{list}[{i}].to[{j}]"),
                        format!("{} version {} has no {to}", new.code, new.version),
                    );
                }
            }
        }
    }
    problems.finish()
}

/// Stores a mapping file for `org_id` (audited `standard.upload_mapping`). Refused (422) when it
/// is not a mapping file, names versions the organisation's catalogue does not hold, does not go
/// to a higher version, or names ids its versions do not have.
pub fn upload(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    org_id: OrgId,
    actor: UserId,
    yaml: &str,
    now: DateTime<Utc>,
) -> Result<StoredMapping, ActionError> {
    let file: MappingFile = serde_yaml::from_str(yaml)
        .map_err(|e| ActionError::invalid("yaml", format!("not a mapping file: {e}")))?;
    if file.to_version <= file.from_version {
        return Err(ActionError::invalid(
            "yaml",
            "to_version must be higher than from_version",
        ));
    }
    let version = |v: u32| {
        catalogue
            .get_in(org_id.uuid(), &file.code, v)
            .ok_or_else(|| {
                ActionError::invalid(
                    "yaml",
                    format!(
                        "this organisation's catalogue has no {} version {v}",
                        file.code
                    ),
                )
            })
    };
    let (old, new) = (version(file.from_version)?, version(file.to_version)?);
    check(&file, &old.standard, &new.standard)?;
    let stored = StoredMapping {
        id: MappingId::random(),
        org_id,
        code: new.standard.code.clone(),
        from_version: file.from_version,
        to_version: file.to_version,
        content_hash: hex::encode(<sha2::Sha256 as sha2::Digest>::digest(yaml.as_bytes())),
        uploaded_by: actor,
        uploaded_at: now.naive_utc(),
    };
    diesel::insert_into(standard_mappings::table)
        .values((
            standard_mappings::id.eq(stored.id),
            standard_mappings::org_id.eq(stored.org_id),
            standard_mappings::code.eq(&stored.code),
            standard_mappings::from_version.eq(i32::try_from(stored.from_version).unwrap_or(0)),
            standard_mappings::to_version.eq(i32::try_from(stored.to_version).unwrap_or(0)),
            standard_mappings::yaml.eq(yaml),
            standard_mappings::content_hash.eq(&stored.content_hash),
            standard_mappings::uploaded_by.eq(actor),
            standard_mappings::uploaded_at.eq(stored.uploaded_at),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(&actor.to_string()),
            action: "standard.upload_mapping",
            entity: "organisation",
            entity_id: &stored.org_id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "id": stored.id, "code": stored.code, "from_version": stored.from_version,
                "to_version": stored.to_version, "content_hash": stored.content_hash,
            })),
        },
    )?;
    Ok(stored)
}

pub(super) type MappingRow = (
    MappingId,
    OrgId,
    String,
    i32,
    i32,
    String,
    UserId,
    NaiveDateTime,
);

pub(super) fn stored(
    (id, org_id, code, from, to, content_hash, uploaded_by, uploaded_at): MappingRow,
) -> StoredMapping {
    StoredMapping {
        id,
        org_id,
        code,
        from_version: u32::try_from(from).unwrap_or(0),
        to_version: u32::try_from(to).unwrap_or(0),
        content_hash,
        uploaded_by,
        uploaded_at,
    }
}

pub(super) const MAPPING_COLUMNS: (
    standard_mappings::id,
    standard_mappings::org_id,
    standard_mappings::code,
    standard_mappings::from_version,
    standard_mappings::to_version,
    standard_mappings::content_hash,
    standard_mappings::uploaded_by,
    standard_mappings::uploaded_at,
) = (
    standard_mappings::id,
    standard_mappings::org_id,
    standard_mappings::code,
    standard_mappings::from_version,
    standard_mappings::to_version,
    standard_mappings::content_hash,
    standard_mappings::uploaded_by,
    standard_mappings::uploaded_at,
);

/// The organisation's mapping files, newest first.
pub fn list(conn: &mut DbConnection, org_id: OrgId) -> QueryResult<Vec<StoredMapping>> {
    let rows: Vec<MappingRow> = standard_mappings::table
        .filter(standard_mappings::org_id.eq(org_id))
        .order((
            standard_mappings::uploaded_at.desc(),
            standard_mappings::id.desc(),
        ))
        .select(MAPPING_COLUMNS)
        .load(conn)?;
    Ok(rows.into_iter().map(stored).collect())
}

/// The mapping files that take `enrolment` from its version to a later one, newest first.
pub fn for_enrolment(
    conn: &mut DbConnection,
    enrolment: &Enrolment,
) -> QueryResult<Vec<StoredMapping>> {
    Ok(list(conn, enrolment.org_id)?
        .into_iter()
        .filter(|m| {
            crate::standards::normalise_code(&m.code)
                == crate::standards::normalise_code(&enrolment.standard_code)
                && i64::from(m.from_version) == i64::from(enrolment.standard_version)
        })
        .collect())
}
