//! Export speed and memory (issue 9): 100,000 result rows to CSV in under 3 s with peak memory
//! under 100 MB. Rows are generated one at a time and never collected, as rows from a database
//! cursor would be. Also JSON and the NZQA file, and a portfolio archive written and verified.
//!
//! Run with `cargo bench --bench export`; the one-off time and peak memory (VmHWM from
//! /proc/self/status) are printed before criterion's timings.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::io::{self, Cursor};
use std::time::{Duration, Instant};

use attest::output::formats::archive::{
    ArchiveCandidate, ArchiveFile, ArchiveInput, ArchiveStandard, verify_archive, write_archive,
};
use attest::output::formats::results::{
    CsvWriter, LearnerNumber, LearnerNumberScheme, ResultRow, ResultsFormat, UnitLevel, UnitResult,
    write_results,
};
use attest::standards::LevelScheme;
use chrono::{NaiveDate, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use sha2::{Digest, Sha256};

const ROWS: usize = 100_000;
const ARCHIVE_FILES: usize = 10;
const ARCHIVE_FILE_BYTES: usize = 1024 * 1024;

const NAMES: [&str; 6] = [
    "Tāne Mahuta",
    "Zoë \"Zo\" Ferreira, Jr.",
    "王芳",
    "Aroha Ngāti Pōrou",
    "Siobhán Ó Briain",
    "=cmd|' /C calc'!A0",
];

/// Row `n`: a mix of achieved and not yet achieved, NSN and SCN, quoted and plain names.
fn row(n: usize) -> ResultRow {
    let achieved = n % 5 != 0;
    let day = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Days::new((n % 365) as u64);
    ResultRow {
        candidate_id: format!("cand-{n:06}"),
        candidate_name: format!("{} {n}", NAMES[n % NAMES.len()]),
        learner_number: Some(LearnerNumber {
            scheme: if n % 7 == 0 {
                LearnerNumberScheme::Scn
            } else {
                LearnerNumberScheme::Nsn
            },
            value: format!("{:09}", 100_000_000 + n),
        }),
        framework: "NZQA".into(),
        standard_code: "28268".into(),
        standard_version: 2,
        standard_title: "Demonstrate knowledge of contact centre operations and customer support"
            .into(),
        level: Some(UnitLevel {
            scheme: LevelScheme::Nzqf,
            value: 3,
        }),
        credits: Some(5.0),
        result: if achieved {
            UnitResult::Achieved
        } else {
            UnitResult::NotYetAchieved
        },
        date_achieved: achieved.then_some(day),
        assessor_name: "Mere Parata".into(),
        iv_name: (n % 3 == 0).then(|| "Hēmi Walker".to_owned()),
        date_sampled: (n % 3 == 0).then_some(day),
        verification_code: achieved.then(|| format!("XQ7P-{n:06}")),
        correction_of: None,
    }
}

fn rows() -> impl Iterator<Item = ResultRow> {
    (0..ROWS).map(row)
}

/// A line of /proc/self/status in kB, e.g. `VmHWM` (peak resident memory).
fn status_kb(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Resets the peak-memory mark so the next reading covers only what follows (Linux 4.0+).
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn mb(kb: Option<u64>) -> String {
    kb.map_or_else(
        || "n/a".to_owned(),
        |kb| format!("{:.1} MB", kb as f64 / 1024.0),
    )
}

/// Writes 100,000 rows once per format, timing it and reading peak memory, and prints the figures.
fn report_figures() {
    let baseline = status_kb("VmRSS");
    let reset = reset_peak();
    let start = Instant::now();
    let mut writer = CsvWriter::new(io::sink()).unwrap();
    for row in rows() {
        writer.write_row(&row).unwrap();
    }
    writer.finish().unwrap();
    let csv_time = start.elapsed();
    let peak = status_kb("VmHWM");
    println!(
        "export: {ROWS} rows -> CSV (sink) in {:.0} ms; peak memory {} (resident before {}{})",
        csv_time.as_secs_f64() * 1000.0,
        mb(peak),
        mb(baseline),
        if reset {
            ""
        } else {
            "; peak not reset, includes start-up"
        },
    );

    let file = tempfile::tempfile().unwrap();
    let start = Instant::now();
    let mut writer = CsvWriter::new(&file).unwrap();
    for row in rows() {
        writer.write_row(&row).unwrap();
    }
    writer.finish().unwrap();
    let file_time = start.elapsed();
    println!(
        "export: {ROWS} rows -> CSV temp file ({:.1} MB) in {:.0} ms",
        file.metadata().unwrap().len() as f64 / 1_048_576.0,
        file_time.as_secs_f64() * 1000.0,
    );

    for format in [ResultsFormat::Json, ResultsFormat::NzqaCsv] {
        reset_peak();
        let start = Instant::now();
        let summary = write_results(format, rows(), io::sink(), |_, _| {}).unwrap();
        println!(
            "export: {ROWS} rows -> {format} (sink: {} written, {} left out) in {:.0} ms; peak memory {}",
            summary.written,
            summary.left_out,
            start.elapsed().as_secs_f64() * 1000.0,
            mb(status_kb("VmHWM")),
        );
    }
}

/// Evidence file `n`: 1 MiB of word salad drawn by a fixed pseudo-random sequence, so deflate has
/// real work to do (a repeated sentence would compress to nothing).
fn evidence(n: usize) -> Vec<u8> {
    const WORDS: [&str; 16] = [
        "caller",
        "greeted",
        "request",
        "confirmed",
        "broadband",
        "upgrade",
        "account",
        "Tāne",
        "policy",
        "escalated",
        "resolved",
        "follow-up",
        "complaint",
        "12:04",
        "ref#4471",
        "—",
    ];
    let mut state = 0x9e37_79b9_7f4a_7c15_u64 ^ n as u64;
    let mut out = Vec::with_capacity(ARCHIVE_FILE_BYTES + 16);
    while out.len() < ARCHIVE_FILE_BYTES {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        out.extend_from_slice(WORDS[(state >> 60) as usize].as_bytes());
        out.push(if state & 0xf == 0 { b'\n' } else { b' ' });
    }
    out.truncate(ARCHIVE_FILE_BYTES);
    out
}

fn archive_input() -> ArchiveInput {
    ArchiveInput {
        documents: Vec::new(),
        questions: Vec::new(),
        audit_checkpoint: None,
        generated_at: Utc.with_ymd_and_hms(2025, 5, 1, 9, 30, 0).unwrap(),
        candidate: ArchiveCandidate {
            id: "cand-1".into(),
            name: "Tāne Mahuta".into(),
            learner_number: None,
        },
        standard: ArchiveStandard {
            framework: "NZQA".into(),
            code: "28268".into(),
            version: 2,
            title: "Contact centre operations".into(),
            level: None,
            credits: Some(5.0),
            content_hash: "ab".repeat(32),
        },
        outcomes: Vec::new(),
        evidence: Vec::new(),
        sign_offs: Vec::new(),
        files: (0..ARCHIVE_FILES)
            .map(|n| {
                let bytes = evidence(n);
                ArchiveFile {
                    name: format!("evidence {n}.txt"),
                    sha256: hex::encode(Sha256::digest(&bytes)),
                    size: bytes.len() as u64,
                    evidence_id: Some(format!("E{n}")),
                    media_type: Some("text/plain".into()),
                }
            })
            .collect(),
    }
}

fn open(file: &ArchiveFile) -> io::Result<Cursor<Vec<u8>>> {
    let n: usize = file.name["evidence ".len()..file.name.len() - ".txt".len()]
        .parse()
        .map_err(io::Error::other)?;
    Ok(Cursor::new(evidence(n)))
}

fn bench_exports(c: &mut Criterion) {
    report_figures();

    let mut group = c.benchmark_group("results_100k");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    for format in [
        ResultsFormat::Csv,
        ResultsFormat::Json,
        ResultsFormat::NzqaCsv,
    ] {
        group.bench_function(format.to_string(), |b| {
            b.iter(|| black_box(write_results(format, rows(), io::sink(), |_, _| {}).unwrap()))
        });
    }
    group.finish();

    let input = archive_input();
    let mut group = c.benchmark_group("archive_10x1MiB");
    group.sample_size(10);
    group.bench_function("write", |b| {
        b.iter(|| black_box(write_archive(&input, open, Cursor::new(Vec::new())).unwrap()))
    });
    let archive = write_archive(&input, open, Cursor::new(Vec::new()))
        .unwrap()
        .into_inner();
    println!(
        "archive: {ARCHIVE_FILES} files of 1 MiB -> {:.2} MB zip",
        archive.len() as f64 / 1_048_576.0
    );
    group.bench_function("verify", |b| {
        b.iter(|| {
            let report = verify_archive(Cursor::new(archive.as_slice())).unwrap();
            assert!(report.is_ok());
            black_box(report)
        })
    });
    group.finish();
}

criterion_group!(benches, bench_exports);
criterion_main!(benches);
