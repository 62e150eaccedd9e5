//! Results export through the database (issue 9): 100,000 achieved enrolments in SQLite, read a
//! page at a time, written as CSV, and recorded in the report-once ledger. Target: under 3 s with
//! peak memory under 100 MB.
//!
//! Run with `cargo bench --bench export_db`. The one-off recorded export (time and VmHWM) is
//! printed first; criterion then times the preview (the same read and write, nothing recorded).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::io;
use std::time::{Duration, Instant};

use attest::config::Config;
use attest::db::write_transaction;
use attest::exports::ExportFailure;
use attest::exports::ledger::{Recording, export_results};
use attest::exports::results::ResultsFilter;
use attest::output::formats::results::ResultsFormat;
use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use diesel::RunQueryDsl;

const ROWS: u32 = 100_000;
const ORG: &str = "00000000-0000-4000-8000-000000000001";

/// Inserts the organisation, an assessor, and `ROWS` candidates each with an assessed enrolment.
fn seed(conn: &mut attest::db::DbConnection) {
    let statements = [
        format!(
            "INSERT INTO organisations (id, name, country, created_at) \
             VALUES ('{ORG}', 'Bench Training', 'NZ', '2025-01-01 00:00:00')"
        ),
        "INSERT INTO users (id, email, name, password_hash, created_at) \
         VALUES ('assessor', 'assessor@bench.nz', 'Mere Assessor', 'x', '2025-01-01 00:00:00')"
            .to_owned(),
        format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ROWS}) \
             INSERT INTO users (id, email, name, password_hash, national_learner_number, created_at) \
             SELECT printf('cand-%06d', i), printf('c%06d@bench.nz', i), printf('Aroha Ngāti %d', i), \
             'x', printf('%09d', 100000000 + i), '2025-01-01 00:00:00' FROM n"
        ),
        format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ROWS}) \
             INSERT INTO enrolments (id, org_id, candidate_id, assessor_id, standard_code, \
             standard_version, standard_hash, status, start_date, assessor_marks, decided_by, \
             created_at, updated_at, submitted_at, assessed_at) \
             SELECT printf('enr-%06d', i), '{ORG}', printf('cand-%06d', i), 'assessor', '28268', 2, \
             'hash', 'assessed', '2025-01-01', '{{}}', 'assessor', '2025-01-01 00:00:00', \
             '2025-03-01 00:00:00', '2025-02-01 00:00:00', '2025-03-01 00:00:00' FROM n"
        ),
    ];
    for sql in &statements {
        diesel::sql_query(sql.as_str())
            .execute(conn)
            .unwrap_or_else(|e| panic!("{e}: {sql}"));
    }
}

fn filter(include_reported: bool) -> ResultsFilter {
    ResultsFilter {
        org_id: ORG.parse().expect("a well-formed id"),
        format: ResultsFormat::Csv,
        cohort_id: None,
        standard_code: None,
        standard_version: None,
        from: None,
        to: None,
        include_reported,
    }
}

fn peak_memory_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let data_dir = dir.path().display().to_string();
    let standards = concat!(env!("CARGO_MANIFEST_DIR"), "/standards").to_owned();
    let config = Config::from_lookup(|name| match name {
        "ATTEST_DATA_DIR" => Some(data_dir.clone()),
        "ATTEST_STANDARDS_DIR" => Some(standards.clone()),
        "ATTEST_JWT_SECRET" => Some("bench-secret-bench-secret-bench-secret-01".into()),
        _ => None,
    })
    .expect("configuration");
    let db = attest::setup::open_database(&config, true).expect("database");
    let catalogue = attest::setup::load_catalogue(&config, &db).expect("catalogue");
    let mut conn = db.conn().expect("connection");
    seed(&mut conn);
    let store = attest::storage::LocalStore::new(dir.path().join("files")).expect("file store");
    let scratch_dir = store.temp_dir();
    let keys = attest::setup::key_ring(&config).expect("key ring");

    let before = peak_memory_kb();
    let started = Instant::now();
    let (batch, summary) = write_transaction(&mut conn, |conn| {
        let recording = Recording {
            actor_id: None,
            now: Utc::now(),
            store: &store,
            scratch_dir: &scratch_dir,
            keys: &keys,
            public_url: &config.public_url,
        };
        export_results(
            conn,
            &catalogue,
            &filter(false),
            Some(recording),
            io::sink(),
            |_| {},
        )
    })
    .unwrap_or_else(|e: ExportFailure| panic!("export: {e}"));
    println!(
        "recorded export of {} rows to CSV: {:.2} s, peak memory {} MB (before {} MB), batch {}",
        summary.written,
        started.elapsed().as_secs_f64(),
        peak_memory_kb() / 1024,
        before / 1024,
        batch.map(|b| b.row_count).unwrap_or_default()
    );

    let mut group = c.benchmark_group("export_db");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("preview_100k_csv", |b| {
        b.iter(|| {
            let (_, summary) = export_results(
                &mut conn,
                &catalogue,
                &filter(true),
                None,
                io::sink(),
                |_| {},
            )
            .expect("preview");
            black_box(summary.written)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
