//! Recording the loaded standards in the database, refusing a changed file whose version already
//! has enrolments.

use chrono::Utc;
use diesel::prelude::*;
use uuid::Uuid;

use super::{Catalogue, CatalogueError};
use crate::db::schema::{enrolments, standard_versions};
use crate::db::{DbConnection, FirstRow};

/// Records every loaded version in the database. A version seen before with a different hash is
/// refused when it has enrolments (they are pinned to the old text); otherwise it is updated.
pub fn sync(conn: &mut DbConnection, catalogue: &Catalogue) -> Result<(), CatalogueError> {
    let now = Utc::now().naive_utc();
    for loaded in catalogue.all() {
        let standard = &loaded.standard;
        let version = i32::try_from(standard.version).unwrap_or(i32::MAX);
        let existing: Option<(String, String)> = standard_versions::table
            .filter(standard_versions::code.eq(&standard.code))
            .filter(standard_versions::version.eq(version))
            .select((standard_versions::id, standard_versions::content_hash))
            .first_row(conn)
            .optional()?;
        let document = serde_json::to_string(standard)
            .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
        match existing {
            None => {
                diesel::insert_into(standard_versions::table)
                    .values((
                        standard_versions::id.eq(Uuid::new_v4().to_string()),
                        standard_versions::framework.eq(&standard.framework),
                        standard_versions::code.eq(&standard.code),
                        standard_versions::version.eq(version),
                        standard_versions::title.eq(&standard.title),
                        standard_versions::content_hash.eq(&loaded.content_hash),
                        standard_versions::document.eq(&document),
                        standard_versions::first_loaded_at.eq(now),
                        standard_versions::last_loaded_at.eq(now),
                    ))
                    .execute(conn)?;
            }
            Some((id, hash)) if hash == loaded.content_hash => {
                diesel::update(standard_versions::table.find(id))
                    .set(standard_versions::last_loaded_at.eq(now))
                    .execute(conn)?;
            }
            Some((id, hash)) => {
                let enrolled: i64 = enrolments::table
                    .filter(enrolments::standard_code.eq(&standard.code))
                    .filter(enrolments::standard_version.eq(version))
                    .count()
                    .get_result(conn)?;
                if enrolled > 0 {
                    return Err(CatalogueError::ChangedWithEnrolments {
                        path: loaded.path.display().to_string(),
                        code: standard.code.clone(),
                        version: standard.version,
                        recorded: short(&hash),
                        now: short(&loaded.content_hash),
                    });
                }
                diesel::update(standard_versions::table.find(id))
                    .set((
                        standard_versions::title.eq(&standard.title),
                        standard_versions::content_hash.eq(&loaded.content_hash),
                        standard_versions::document.eq(&document),
                        standard_versions::last_loaded_at.eq(now),
                    ))
                    .execute(conn)?;
            }
        }
    }
    Ok(())
}

fn short(hash: &str) -> String {
    hash.chars().take(12).collect()
}
