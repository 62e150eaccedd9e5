//! The database the migrations build, on each backend, is the one `src/db/schema.rs` declares:
//! the same tables, columns, column types, nullability and primary keys. A migration that forgets
//! schema.rs (or a schema.rs edit without a migration) fails here rather than at a query.

use std::collections::BTreeMap;

use diesel::sql_types::{Integer, Text};
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl, SqliteConnection};

use attest::config::DatabaseUrl;

use crate::helpers::{TestApp, backend_test};

/// One column as a backend or schema.rs describes it; `kind` is the diesel type name.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Column {
    kind: String,
    nullable: bool,
}

/// A table's columns by name, and its primary key in order.
#[derive(Debug, Default, PartialEq, Eq)]
struct Table {
    columns: BTreeMap<String, Column>,
    primary_key: Vec<String>,
}

type Schema = BTreeMap<String, Table>;

backend_test!(the_migrated_schema_on_each_backend_is_the_one_schema_rs_declares);
async fn the_migrated_schema_on_each_backend_is_the_one_schema_rs_declares(app: TestApp) {
    let declared = declared(include_str!("../../src/db/schema.rs"));
    assert!(declared.len() >= 20, "schema.rs parsed: {declared:?}");
    let migrated = match &app.state.config.database {
        DatabaseUrl::Sqlite(path) => sqlite(&path.display().to_string()),
        DatabaseUrl::Postgres(url) => postgres(url),
    };
    let names = |s: &Schema| s.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(&migrated),
        names(&declared),
        "{:?}: tables",
        app.backend
    );
    for (name, table) in &declared {
        assert_eq!(
            &migrated[name], table,
            "{:?}: table {name} (left: migrated, right: schema.rs)",
            app.backend
        );
    }
}

/// The tables of schema.rs's `diesel::table!` blocks.
fn declared(source: &str) -> Schema {
    let mut schema = Schema::new();
    let mut current: Option<String> = None;
    for line in source.lines().map(str::trim) {
        if line.starts_with("//") || line.starts_with('#') {
            continue;
        }
        // `name (pk, …) {` opens a table inside `diesel::table! {`.
        if let Some((head, "")) = line.split_once('{')
            && let Some((name, keys)) = head.trim().split_once(' ')
            && keys.starts_with('(')
        {
            let keys = keys.trim_matches(|c| c == '(' || c == ')' || c == ' ');
            let table = schema.entry(name.to_string()).or_default();
            table.primary_key = keys.split(',').map(|k| k.trim().to_string()).collect();
            current = Some(name.to_string());
        } else if let Some((column, kind)) = line.split_once(" -> ")
            && let Some(table) = current.as_ref()
        {
            let kind = kind.trim_end_matches(',');
            let (kind, nullable) = match kind.strip_prefix("Nullable<") {
                Some(inner) => (inner.trim_end_matches('>'), true),
                None => (kind, false),
            };
            schema.get_mut(table).expect("table opened").columns.insert(
                column.to_string(),
                Column {
                    kind: kind.to_string(),
                    nullable,
                },
            );
        } else if line == "}" {
            current = None;
        }
    }
    schema
}

#[derive(QueryableByName)]
struct Named {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct SqliteColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Integer)]
    notnull: i32,
    #[diesel(sql_type = Integer)]
    pk: i32,
}

fn sqlite(path: &str) -> Schema {
    let mut conn = SqliteConnection::establish(path).expect("open the SQLite file");
    let tables: Vec<Named> = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations'",
    )
    .load(&mut conn)
    .expect("list tables");
    tables
        .into_iter()
        .map(|t| {
            let mut columns: Vec<SqliteColumn> = diesel::sql_query(
                "SELECT name, type AS kind, \"notnull\", pk FROM pragma_table_info(?) ORDER BY pk",
            )
            .bind::<Text, _>(&t.name)
            .load(&mut conn)
            .expect("table info");
            let primary_key = columns
                .iter()
                .filter(|c| c.pk > 0)
                .map(|c| c.name.clone())
                .collect();
            let columns = columns
                .drain(..)
                .map(|c| {
                    let kind = diesel_type(&c.kind);
                    // SQLite lets a primary key hold NULL unless told otherwise; diesel does not.
                    let nullable = c.notnull == 0 && c.pk == 0;
                    (c.name, Column { kind, nullable })
                })
                .collect();
            let table = Table {
                columns,
                primary_key,
            };
            (t.name, table)
        })
        .collect()
}

#[derive(QueryableByName)]
struct PgColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    nullable: String,
}

fn postgres(url: &str) -> Schema {
    let mut conn = PgConnection::establish(url).expect("connect to the test database");
    let columns: Vec<PgColumn> = diesel::sql_query(
        "SELECT table_name::text, column_name::text AS name, data_type::text AS kind, \
         is_nullable::text AS nullable FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
    )
    .load(&mut conn)
    .expect("list columns");
    let mut schema = Schema::new();
    for c in columns {
        schema.entry(c.table_name).or_default().columns.insert(
            c.name,
            Column {
                kind: diesel_type(&c.kind),
                nullable: c.nullable == "YES",
            },
        );
    }
    let keys: Vec<PgColumn> = diesel::sql_query(
        "SELECT k.table_name::text, k.column_name::text AS name, '' AS kind, '' AS nullable \
         FROM information_schema.table_constraints t \
         JOIN information_schema.key_column_usage k \
           ON k.constraint_name = t.constraint_name AND k.table_schema = t.table_schema \
         WHERE t.constraint_type = 'PRIMARY KEY' AND t.table_schema = 'public' \
           AND t.table_name <> '__diesel_schema_migrations' \
         ORDER BY k.table_name, k.ordinal_position",
    )
    .load(&mut conn)
    .expect("list primary keys");
    for key in keys {
        schema
            .entry(key.table_name)
            .or_default()
            .primary_key
            .push(key.name);
    }
    schema
}

/// The diesel type a backend's column type maps to (as `diesel print-schema` reads it).
fn diesel_type(sql: &str) -> String {
    match sql.to_ascii_lowercase().as_str() {
        "text" | "character varying" | "varchar" => "Text",
        "integer" | "int" | "int4" => "Integer",
        "bigint" | "int8" => "BigInt",
        "boolean" | "bool" => "Bool",
        "date" => "Date",
        "timestamp" | "timestamp without time zone" | "datetime" => "Timestamp",
        "real" | "double precision" | "double" | "float8" => "Double",
        "blob" | "bytea" => "Binary",
        other => return format!("unknown SQL type {other:?}"),
    }
    .to_string()
}
