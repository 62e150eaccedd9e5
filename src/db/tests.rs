//! The typed columns on both backends: ids, a status enum and a JSON document written and read back
//! through the multi-backend connection, in the text form the schema stores; and what a value that
//! does not read back (a corrupt row) or does not write (JSON that does not serialise) becomes.
//! SQLite runs in memory; PostgreSQL when `ATTEST_TEST_POSTGRES_URL` is set (a temporary table, so
//! nothing is left behind).

use std::collections::BTreeMap;

use crate::db::FirstRow;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::column::CorruptValue;
use super::ids::{EnrolmentId, Id, OrgId, UserId};
use super::json::Json;
use super::{DbConnection, DbError};
use crate::auth::policy::EnrolmentStatus;

diesel::table! {
    typed_probe (id) {
        id -> Text,
        org_id -> Text,
        assessor_id -> Nullable<Text>,
        status -> Text,
        document -> Text,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
struct Document {
    marks: BTreeMap<String, bool>,
    note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = typed_probe)]
struct Probe {
    id: EnrolmentId,
    org_id: OrgId,
    assessor_id: Option<UserId>,
    status: EnrolmentStatus,
    document: Json<Document>,
}

const CREATE: &str = "CREATE TEMPORARY TABLE typed_probe (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, \
     assessor_id TEXT, status TEXT NOT NULL, document TEXT NOT NULL)";

/// A connection to each backend under test, each with an empty probe table.
fn connections() -> Vec<(&'static str, DbConnection)> {
    let mut all = Vec::new();
    let mut sqlite = SqliteConnection::establish(":memory:").unwrap();
    diesel::sql_query(CREATE).execute(&mut sqlite).unwrap();
    all.push(("sqlite", DbConnection::Sqlite(sqlite)));
    if let Some(url) = std::env::var("ATTEST_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        let mut pg = PgConnection::establish(&url)
            .unwrap_or_else(|e| panic!("ATTEST_TEST_POSTGRES_URL is set but unreachable: {e}"));
        diesel::sql_query(CREATE).execute(&mut pg).unwrap();
        all.push(("postgres", DbConnection::Postgresql(pg)));
    }
    all
}

fn probe() -> Probe {
    Probe {
        id: EnrolmentId::random(),
        org_id: OrgId::random(),
        assessor_id: Some(UserId::random()),
        status: EnrolmentStatus::Submitted,
        document: Json(Document {
            marks: BTreeMap::from([("1.2".to_owned(), true)]),
            note: Some("naïve — 漢字".to_owned()),
        }),
    }
}

/// Stores raw text in every column, as a damaged or hand-edited row would hold it.
fn insert_raw(conn: &mut DbConnection, id: &str, status: &str, document: &str) {
    diesel::insert_into(typed_probe::table)
        .values((
            typed_probe::id.eq(id),
            typed_probe::org_id.eq(OrgId::random().to_string()),
            typed_probe::status.eq(status),
            typed_probe::document.eq(document),
        ))
        .execute(conn)
        .unwrap();
}

fn load(conn: &mut DbConnection) -> Result<Vec<Probe>, DbError> {
    Ok(typed_probe::table.select(Probe::as_select()).load(conn)?)
}

fn corrupt(result: Result<Vec<Probe>, DbError>) -> CorruptValue {
    match result {
        Err(DbError::Corrupt(corrupt)) => corrupt,
        other => panic!("expected a corrupt row, got {other:?}"),
    }
}

#[test]
fn typed_columns_round_trip_in_the_stored_text_form() {
    for (backend, mut conn) in connections() {
        let written = probe();
        let unassigned = Probe {
            assessor_id: None,
            status: EnrolmentStatus::Active,
            ..probe()
        };
        for row in [&written, &unassigned] {
            diesel::insert_into(typed_probe::table)
                .values(row)
                .execute(&mut conn)
                .unwrap();
        }

        // Filters compare typed ids with what is stored.
        let read: Probe = typed_probe::table
            .filter(typed_probe::id.eq(written.id))
            .filter(typed_probe::status.eq(EnrolmentStatus::Submitted))
            .select(Probe::as_select())
            .first_row(&mut conn)
            .unwrap();
        assert_eq!(read, written, "{backend}");
        let read: Probe = typed_probe::table
            .find(unassigned.id)
            .select(Probe::as_select())
            .first_row(&mut conn)
            .unwrap();
        assert_eq!(read, unassigned, "{backend}");

        // The text is what the service has always stored: hyphenated lowercase ids, the status's
        // name, the document as serde_json writes it.
        let (id, org_id, assessor_id, status, document): (
            String,
            String,
            Option<String>,
            String,
            String,
        ) = typed_probe::table
            .find(written.id)
            .first_row(&mut conn)
            .unwrap();
        assert_eq!(id, written.id.uuid().hyphenated().to_string(), "{backend}");
        assert_eq!(id, id.to_lowercase(), "{backend}");
        assert_eq!(org_id, written.org_id.to_string(), "{backend}");
        assert_eq!(
            assessor_id,
            written.assessor_id.map(|a| a.to_string()),
            "{backend}"
        );
        assert_eq!(status, "submitted", "{backend}");
        assert_eq!(
            document,
            serde_json::to_string(&written.document.0).unwrap(),
            "{backend}"
        );
    }
}

#[test]
fn an_unknown_status_is_a_corrupt_row_not_a_fallback() {
    for (backend, mut conn) in connections() {
        insert_raw(
            &mut conn,
            &EnrolmentId::random().to_string(),
            "archived",
            "{\"marks\":{}}",
        );
        let corrupt = corrupt(load(&mut conn));
        assert_eq!(corrupt.kind, "enrolment status", "{backend}");
        assert_eq!(corrupt.value, "archived", "{backend}");
        assert_eq!(corrupt.column.as_deref(), Some("status"), "{backend}");
        let message = DbError::Corrupt(corrupt).to_string();
        assert!(message.starts_with("corrupt row:"), "{backend}: {message}");
        assert!(message.contains("(column status)"), "{backend}: {message}");
        assert!(
            message.contains("active, submitted"),
            "{backend}: {message}"
        );

        // Through the action layer too: a fault (500), never "not found" or a default status.
        let err = typed_probe::table
            .select(Probe::as_select())
            .load::<Probe>(&mut conn)
            .map_err(crate::action::ActionError::from)
            .unwrap_err();
        assert!(
            matches!(
                err,
                crate::action::ActionError::Db(DbError::Corrupt(CorruptValue {
                    kind: "enrolment status",
                    ..
                }))
            ),
            "{backend}: {err:?}"
        );
    }
}

#[test]
fn an_id_not_in_the_stored_form_is_a_corrupt_row() {
    let uuid = uuid::Uuid::new_v4();
    for text in [
        "not-a-uuid".to_owned(),
        uuid.hyphenated().to_string().to_uppercase(),
        uuid.simple().to_string(),
    ] {
        for (backend, mut conn) in connections() {
            insert_raw(&mut conn, &text, "active", "{\"marks\":{}}");
            let corrupt = corrupt(load(&mut conn));
            assert_eq!(corrupt.kind, "enrolment id", "{backend}");
            assert_eq!(corrupt.value, text, "{backend}");
        }
    }
}

#[test]
fn a_document_that_does_not_parse_is_a_corrupt_row() {
    for (backend, mut conn) in connections() {
        // What `serde_json::to_string(..).unwrap_or_default()` used to leave behind.
        insert_raw(&mut conn, &EnrolmentId::random().to_string(), "active", "");
        let corrupt = corrupt(load(&mut conn));
        assert_eq!(corrupt.kind, "JSON document", "{backend}");
        assert!(corrupt.reason.contains("Document"), "{backend}: {corrupt}");
    }
}

#[test]
fn a_document_that_does_not_serialise_is_not_stored() {
    diesel::table! {
        typed_documents (id) {
            id -> Text,
            document -> Text,
        }
    }
    for (backend, mut conn) in connections() {
        diesel::sql_query(
            "CREATE TEMPORARY TABLE typed_documents (id TEXT PRIMARY KEY, document TEXT NOT NULL)",
        )
        .execute(&mut conn)
        .unwrap();
        // JSON object keys must be strings: this map cannot be written.
        let unwritable = Json(BTreeMap::from([((1u8, 2u8), true)]));
        let result = diesel::insert_into(typed_documents::table)
            .values((
                typed_documents::id.eq("one"),
                typed_documents::document.eq(&unwritable),
            ))
            .execute(&mut conn);
        assert!(
            matches!(result, Err(diesel::result::Error::SerializationError(_))),
            "{backend}: {result:?}"
        );
        let stored: i64 = typed_documents::table
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(stored, 0, "{backend}");
    }
    assert!(matches!(
        super::json::to_text(&BTreeMap::from([((1u8, 2u8), true)])),
        Err(DbError::Json(_))
    ));
    assert!(matches!(
        super::json::to_value(&BTreeMap::from([((1u8, 2u8), true)])),
        Err(DbError::Json(_))
    ));
}

#[test]
fn ids_and_statuses_are_their_strings_in_json() {
    let id = EnrolmentId::random();
    let json = serde_json::to_value(id).unwrap();
    assert_eq!(json, serde_json::Value::String(id.to_string()));
    assert_eq!(serde_json::from_value::<EnrolmentId>(json).unwrap(), id);
    let err = serde_json::from_str::<EnrolmentId>("\"nope\"").unwrap_err();
    assert!(err.to_string().contains("enrolment id"), "{err}");
    // Input is read as leniently as before (any case, no hyphens) and written back stored-form.
    let upper = id.uuid().simple().to_string().to_uppercase();
    assert_eq!(upper.parse::<EnrolmentId>().unwrap(), id);

    assert_eq!(
        serde_json::to_value(EnrolmentStatus::Certified).unwrap(),
        "certified"
    );
    assert_eq!(
        serde_json::from_str::<EnrolmentStatus>("\"withdrawn\"").unwrap(),
        EnrolmentStatus::Withdrawn
    );
    let err = serde_json::from_str::<EnrolmentStatus>("\"archived\"").unwrap_err();
    assert!(err.to_string().contains("enrolment status"), "{err}");
    for status in EnrolmentStatus::ALL {
        assert_eq!(status.as_str().parse::<EnrolmentStatus>().unwrap(), *status);
    }

    let document = Json(Document::default());
    assert_eq!(
        serde_json::to_value(&document).unwrap(),
        serde_json::json!({ "marks": {}, "note": null })
    );
}

#[test]
fn ids_are_documented_as_uuid_strings() {
    use utoipa::PartialSchema;
    let schema = serde_json::to_value(EnrolmentId::schema()).unwrap();
    assert_eq!(
        schema,
        serde_json::json!({ "type": "string", "format": "uuid" })
    );
    let schema = serde_json::to_value(EnrolmentStatus::schema()).unwrap();
    assert_eq!(schema["type"], "string");
    assert_eq!(schema["enum"][0], "active");
    assert_eq!(
        schema["enum"].as_array().map(Vec::len),
        Some(EnrolmentStatus::ALL.len())
    );
}
