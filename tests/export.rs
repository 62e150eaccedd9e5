//! Exports for training providers (issue 9): results files read back equal to what was written,
//! the NZQA file's columns exactly as documented, archives that verify and name every tampered,
//! missing or extra file, and Open Badges 3.0 credentials with the fields the spec requires.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Cursor, Read, Write};

use attest::output::formats::archive::{
    ArchiveCandidate, ArchiveCriterion, ArchiveError, ArchiveFile, ArchiveInput, ArchiveOutcome,
    ArchiveProblem, ArchiveStandard, verify_archive, write_archive,
};
use attest::output::formats::badges::{
    BadgeInput, BadgeIssuer, BadgeLearner, BadgeStatement, BadgeUnit, OB_CONTEXT, VC_CONTEXT,
    open_badge_credential,
};
use attest::output::formats::results::{
    CsvWriter, ExportError, JsonWriter, LearnerNumber, LearnerNumberScheme, LeftOut, NZQA_COLUMNS,
    NzqaCsvWriter, RESULT_COLUMNS, ResultRow, ResultsFormat, RowOutcome, UnitLevel, UnitResult,
    read_csv, write_results,
};
use attest::standards::LevelScheme;
use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use zip::ZipArchive;
use zip::write::{SimpleFileOptions, ZipWriter};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn nsn(value: &str) -> Option<LearnerNumber> {
    Some(LearnerNumber {
        scheme: LearnerNumberScheme::Nsn,
        value: value.into(),
    })
}

/// An achieved NZQA 28268 v2 row for `name`.
fn nzqa_row(id: &str, name: &str) -> ResultRow {
    ResultRow {
        candidate_id: id.into(),
        candidate_name: name.into(),
        learner_number: nsn("123456789"),
        framework: "NZQA".into(),
        standard_code: "28268".into(),
        standard_version: 2,
        standard_title: "Demonstrate knowledge of contact centre operations".into(),
        level: Some(UnitLevel {
            scheme: LevelScheme::Nzqf,
            value: 3,
        }),
        credits: Some(5.0),
        result: UnitResult::Achieved,
        date_achieved: Some(date(2025, 3, 14)),
        assessor_name: "Mere Parata".into(),
        iv_name: Some("Hēmi Walker".into()),
        date_sampled: Some(date(2025, 4, 2)),
        verification_code: Some("XQ7P-4K2M".into()),
        correction_of: None,
    }
}

/// Rows that exercise quoting, non-ASCII text, empty optionals and both results.
fn tricky_rows() -> Vec<ResultRow> {
    let mut rows = vec![nzqa_row("c-1", "Tāne Mahuta")];
    rows.push(ResultRow {
        candidate_name: "Zoë \"Zo\" Ferreira, Jr.".into(),
        iv_name: None,
        date_sampled: None,
        ..nzqa_row("c-2", "")
    });
    rows.push(ResultRow {
        candidate_id: "c-3".into(),
        candidate_name: "王芳\nsecond line; and a \r\n CRLF".into(),
        learner_number: Some(LearnerNumber {
            scheme: LearnerNumberScheme::Scn,
            value: "070123456".into(),
        }),
        framework: "SQA".into(),
        standard_code: "DN8J 11".into(),
        standard_version: 1,
        standard_title: "Customer Service: \"Deal with\", customers".into(),
        level: Some(UnitLevel {
            scheme: LevelScheme::Scqf,
            value: 5,
        }),
        credits: Some(0.5),
        result: UnitResult::NotYetAchieved,
        date_achieved: None,
        assessor_name: "Siobhán Ó Briain".into(),
        iv_name: None,
        date_sampled: None,
        verification_code: None,
        correction_of: None,
    });
    rows.push(ResultRow {
        candidate_name: "=HYPERLINK(\"http://evil.example\",\"x\")".into(),
        assessor_name: "'=already quoted".into(),
        learner_number: None,
        level: None,
        credits: None,
        framework: "NOS".into(),
        ..nzqa_row("c-4", "")
    });
    rows
}

// ---------------------------------------------------------------- results: CSV and JSON

#[test]
fn csv_reads_back_equal_rows() {
    let rows = tricky_rows();
    let mut writer = CsvWriter::new(Vec::new()).unwrap();
    for row in &rows {
        assert_eq!(writer.write_row(row).unwrap(), RowOutcome::Written);
    }
    assert_eq!(writer.written(), rows.len() as u64);
    let bytes = writer.finish().unwrap();

    let back: Vec<ResultRow> = read_csv(bytes.as_slice())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(back, rows);
}

#[test]
fn csv_is_plain_rfc4180_any_reader_can_load() {
    let rows = tricky_rows();
    let mut writer = CsvWriter::new(Vec::new()).unwrap();
    for row in &rows {
        writer.write_row(row).unwrap();
    }
    let bytes = writer.finish().unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.starts_with(&format!("{}\r\n", RESULT_COLUMNS.join(","))));

    // A generic CSV reader, not ours: the quoted commas, quotes and newlines come back intact.
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), rows.len());
    let col = |name: &str| RESULT_COLUMNS.iter().position(|c| *c == name).unwrap();
    let name = col("candidate_name");
    assert_eq!(&records[0][name], "Tāne Mahuta");
    assert_eq!(&records[1][name], "Zoë \"Zo\" Ferreira, Jr.");
    assert_eq!(&records[2][name], "王芳\nsecond line; and a \r\n CRLF");
    // A formula is disarmed for spreadsheets: it reaches them as text.
    assert_eq!(
        &records[3][name],
        "'=HYPERLINK(\"http://evil.example\",\"x\")"
    );
    assert_eq!(&records[0][col("credits")], "5");
    assert_eq!(&records[2][col("credits")], "0.5");
    assert_eq!(&records[2][col("result")], "not_yet_achieved");
    assert_eq!(&records[2][col("date_achieved")], "");
    assert_eq!(&records[0][col("date_achieved")], "2025-03-14");
    assert_eq!(&records[0][col("learner_number_type")], "NSN");
    assert_eq!(&records[2][col("learner_number_type")], "SCN");
    assert_eq!(&records[2][col("level_scheme")], "SCQF");
}

#[test]
fn json_is_one_valid_array_that_reads_back_equal() {
    let rows = tricky_rows();
    let mut writer = JsonWriter::new(Vec::new()).unwrap();
    for row in &rows {
        writer.write_row(row).unwrap();
    }
    let bytes = writer.finish().unwrap();

    let back: Vec<ResultRow> = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(back, rows);

    let document: Value = serde_json::from_slice(&bytes).unwrap();
    let objects = document.as_array().unwrap();
    assert_eq!(objects.len(), rows.len());
    for object in objects {
        let keys: Vec<&str> = object
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut expected = RESULT_COLUMNS.to_vec();
        expected.sort_unstable();
        let mut keys = keys;
        keys.sort_unstable();
        assert_eq!(keys, expected);
    }
    assert_eq!(objects[0]["result"], "achieved");
    assert_eq!(objects[0]["date_achieved"], "2025-03-14");
    assert_eq!(objects[2]["date_achieved"], Value::Null);
    assert_eq!(objects[0]["candidate_name"], "Tāne Mahuta");
}

#[test]
fn an_empty_json_export_is_still_a_document() {
    let bytes = JsonWriter::new(Vec::new()).unwrap().finish().unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&bytes).unwrap(), json!([]));
}

#[test]
fn self_contradicting_rows_are_refused_with_their_number() {
    let mut writer = CsvWriter::new(Vec::new()).unwrap();
    writer.write_row(&nzqa_row("c-1", "Ana")).unwrap();
    let undated = ResultRow {
        date_achieved: None,
        ..nzqa_row("c-2", "Ben")
    };
    match writer.write_row(&undated) {
        Err(ExportError::InvalidRow { row, reason }) => {
            assert_eq!(row, 2);
            assert!(reason.contains("date_achieved"), "{reason}");
        }
        other => panic!("expected an invalid row, got {other:?}"),
    }
    let negative = ResultRow {
        credits: Some(-1.0),
        ..nzqa_row("c-3", "Cy")
    };
    assert!(matches!(
        JsonWriter::new(Vec::new()).unwrap().write_row(&negative),
        Err(ExportError::InvalidRow { row: 1, .. })
    ));
}

#[test]
fn a_foreign_header_is_refused_on_reading() {
    let error = read_csv("name,result\r\nAna,achieved\r\n".as_bytes())
        .err()
        .expect("a foreign header must be refused");
    assert!(
        matches!(error, ExportError::Parse { line: 1, .. }),
        "{error}"
    );
}

// ---------------------------------------------------------------- results: NZQA

/// The NZQA column names in the order `docs/exports.md` lists them in its NZQA columns table.
fn documented_nzqa_columns() -> Vec<String> {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/exports.md")).unwrap();
    let section = doc
        .split("\n## ")
        .find(|s| s.starts_with("NZQA-ready"))
        .expect("docs/exports.md has an `## NZQA-ready` section");
    // The section's first table lists the columns.
    section
        .lines()
        .skip_while(|line| !line.starts_with('|'))
        .take_while(|line| line.starts_with('|'))
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split('`').next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn nzqa_columns_are_exactly_the_documented_ones() {
    assert_eq!(documented_nzqa_columns(), NZQA_COLUMNS.to_vec());

    let mut writer = NzqaCsvWriter::new(Vec::new()).unwrap();
    writer.write_row(&nzqa_row("c-1", "Tāne Mahuta")).unwrap();
    let text = String::from_utf8(writer.finish().unwrap()).unwrap();
    assert_eq!(
        text,
        "nsn,standard_number,version,credits,date_achieved,result,provider_learner_id,provider_reference,correction_of\r\n\
         123456789,28268,2,5,2025-03-14,A,c-1,XQ7P-4K2M,\r\n"
    );
}

#[test]
fn nzqa_file_leaves_out_what_nzqa_cannot_take_and_says_why() {
    let rows = tricky_rows();
    let cases = [
        (nzqa_row("ok", "Ana"), RowOutcome::Written),
        (rows[2].clone(), RowOutcome::LeftOut(LeftOut::NotAchieved)),
        (rows[3].clone(), RowOutcome::LeftOut(LeftOut::NotNzqa)),
        (
            ResultRow {
                learner_number: None,
                ..nzqa_row("a", "A")
            },
            RowOutcome::LeftOut(LeftOut::NoNsn),
        ),
        (
            ResultRow {
                learner_number: Some(LearnerNumber {
                    scheme: LearnerNumberScheme::Scn,
                    value: "123".into(),
                }),
                ..nzqa_row("b", "B")
            },
            RowOutcome::LeftOut(LeftOut::NoNsn),
        ),
        (
            ResultRow {
                learner_number: nsn("12 345 678"),
                ..nzqa_row("c", "C")
            },
            RowOutcome::LeftOut(LeftOut::InvalidNsn),
        ),
        (
            ResultRow {
                standard_code: "US28268".into(),
                ..nzqa_row("d", "D")
            },
            RowOutcome::LeftOut(LeftOut::InvalidStandardNumber),
        ),
        (
            ResultRow {
                credits: None,
                ..nzqa_row("e", "E")
            },
            RowOutcome::LeftOut(LeftOut::NoCredits),
        ),
    ];
    let mut writer = NzqaCsvWriter::new(Vec::new()).unwrap();
    for (row, expected) in &cases {
        assert_eq!(
            writer.write_row(row).unwrap(),
            *expected,
            "{}",
            row.candidate_id
        );
    }
    assert_eq!((writer.written(), writer.left_out()), (1, 7));
    let text = String::from_utf8(writer.finish().unwrap()).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
}

#[test]
fn write_results_picks_the_format_and_reports_each_row() {
    let rows = tricky_rows();
    let mut seen = Vec::new();
    let mut out = Vec::new();
    let summary = write_results(
        ResultsFormat::NzqaCsv,
        rows.clone(),
        &mut out,
        |row, outcome| seen.push((row.candidate_id.clone(), outcome)),
    )
    .unwrap();
    assert_eq!((summary.written, summary.left_out), (2, 2));
    assert_eq!(seen.len(), 4);
    assert_eq!(seen[0], ("c-1".to_owned(), RowOutcome::Written));
    assert_eq!(
        seen[2],
        ("c-3".to_owned(), RowOutcome::LeftOut(LeftOut::NotAchieved))
    );

    let mut json = Vec::new();
    write_results(ResultsFormat::Json, rows.clone(), &mut json, |_, _| {}).unwrap();
    assert_eq!(
        serde_json::from_slice::<Vec<ResultRow>>(&json).unwrap(),
        rows
    );
    assert_eq!("nzqa".parse::<ResultsFormat>(), Ok(ResultsFormat::NzqaCsv));
    assert!("xlsx".parse::<ResultsFormat>().is_err());
}

// ---------------------------------------------------------------- archive

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Evidence files by content: (name, evidence id, bytes).
fn evidence_files() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    vec![
        (
            "call log <1>.txt",
            "E1",
            b"Caller asked about broadband; resolved.\n".repeat(50),
        ),
        (
            "../../Tāne's photo.jpg",
            "E2",
            (0..=255u8).cycle().take(5000).collect(),
        ),
        ("witness.pdf", "E3", b"%PDF-1.7 witness testimony".to_vec()),
        // Same content and name as the first, mapped to another record: stored once.
        (
            "call log <1>.txt",
            "E4",
            b"Caller asked about broadband; resolved.\n".repeat(50),
        ),
    ]
}

fn archive_input() -> ArchiveInput {
    let files = evidence_files()
        .into_iter()
        .map(|(name, evidence, bytes)| ArchiveFile {
            name: name.into(),
            sha256: sha256(&bytes),
            size: bytes.len() as u64,
            evidence_id: Some(evidence.into()),
            media_type: None,
        })
        .collect();
    ArchiveInput {
        documents: Vec::new(),
        questions: Vec::new(),
        audit_checkpoint: None,
        generated_at: Utc.with_ymd_and_hms(2025, 5, 1, 9, 30, 0).unwrap(),
        candidate: ArchiveCandidate {
            id: "cand-7".into(),
            name: "Tāne <script>alert(1)</script> Mahuta".into(),
            learner_number: nsn("123456789"),
        },
        standard: ArchiveStandard {
            framework: "NZQA".into(),
            code: "28268".into(),
            version: 2,
            title: "Contact centre operations & customer support".into(),
            level: Some(UnitLevel {
                scheme: LevelScheme::Nzqf,
                value: 3,
            }),
            credits: Some(5.0),
            content_hash: "9f".repeat(32),
        },
        outcomes: vec![ArchiveOutcome {
            reference: "1".into(),
            title: "Handle customer contacts".into(),
            criteria: vec![
                ArchiveCriterion {
                    reference: "1.1".into(),
                    text: "Greet the customer <politely>".into(),
                },
                ArchiveCriterion {
                    reference: "1.2".into(),
                    text: "Identify the customer's request".into(),
                },
            ],
        }],
        evidence: vec![
            json!({"id": "E1", "title": "Broadband call", "method": "observation_checklist",
                   "date": "2025-03-01",
                   "criteria": [{"criterion": "1.1", "judgement": "accepted"},
                                {"criterion": "1.2", "judgement": "rejected",
                                 "feedback": "Request not <confirmed>"}]}),
            json!({"id": "E2", "method": "product", "date": "2025-03-02",
                   "knowledge": [{"item": "k1", "judgement": "accepted"}]}),
            json!({"id": "E3", "method": "witness_testimony", "date": "2025-03-03",
                   "criteria": [{"criterion": "1.2"}]}),
            json!({"id": "E4", "method": "product", "date": "2025-03-04"}),
        ],
        sign_offs: vec![json!({"role": "assessor", "name": "Mere Parata",
                               "date": "2025-04-01", "declaration": "Achieved & authentic"})],
        files,
    }
}

fn open_evidence(file: &ArchiveFile) -> std::io::Result<Cursor<Vec<u8>>> {
    evidence_files()
        .into_iter()
        .map(|(_, _, bytes)| bytes)
        .find(|bytes| sha256(bytes) == file.sha256)
        .map(Cursor::new)
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such content"))
}

fn make_archive() -> Vec<u8> {
    write_archive(&archive_input(), open_evidence, Cursor::new(Vec::new()))
        .unwrap()
        .into_inner()
}

fn entry_text(archive: &[u8], path: &str) -> String {
    let mut zip = ZipArchive::new(Cursor::new(archive)).unwrap();
    let mut text = String::new();
    zip.by_name(path)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

fn entry_names(archive: &[u8]) -> Vec<String> {
    let zip = ZipArchive::new(Cursor::new(archive)).unwrap();
    zip.file_names().map(str::to_owned).collect()
}

/// Rebuilds `archive` entry by entry, letting `change` alter, drop (None) or keep each entry, and
/// appending `extra` entries.
fn rewrite(
    archive: &[u8],
    change: impl Fn(&str, Vec<u8>) -> Option<Vec<u8>>,
    extra: &[(&str, &[u8])],
) -> Vec<u8> {
    let mut source = ZipArchive::new(Cursor::new(archive)).unwrap();
    let mut out = ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..source.len() {
        let mut entry = source.by_index(i).unwrap();
        let name = entry.name().to_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        if let Some(bytes) = change(&name, bytes) {
            out.start_file(name, SimpleFileOptions::default()).unwrap();
            out.write_all(&bytes).unwrap();
        }
    }
    for (name, bytes) in extra {
        out.start_file(*name, SimpleFileOptions::default()).unwrap();
        out.write_all(bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

fn photo_path() -> String {
    let (_, _, bytes) = &evidence_files()[1];
    format!("files/{}-Tāne_s photo.jpg", sha256(bytes))
}

#[test]
fn an_archive_holds_index_manifest_and_every_file_once() {
    let archive = make_archive();
    let names = entry_names(&archive);
    assert_eq!(names.len(), 5, "{names:?}");
    assert_eq!(&names[..2], ["index.html", "manifest.json"]);
    assert!(names.contains(&photo_path()), "{names:?}");

    let manifest: Value = serde_json::from_str(&entry_text(&archive, "manifest.json")).unwrap();
    assert_eq!(manifest["standard"]["code"], "28268");
    assert_eq!(manifest["standard"]["version"], 2);
    assert_eq!(manifest["standard"]["content_hash"], "9f".repeat(32));
    assert_eq!(manifest["evidence"], json!(archive_input().evidence));
    assert_eq!(manifest["sign_offs"][0]["name"], "Mere Parata");
    let judgements = manifest["judgements"].as_array().unwrap();
    assert_eq!(judgements.len(), 4);
    assert_eq!(judgements[1]["judgement"], "rejected");
    assert_eq!(judgements[3]["judgement"], "pending");
    let files = manifest["files"].as_array().unwrap();
    assert_eq!(files.len(), 3);
    for ((_, _, bytes), file) in evidence_files().iter().zip(files) {
        let path = file["path"].as_str().unwrap();
        assert_eq!(file["sha256"], sha256(bytes));
        assert_eq!(file["size"], bytes.len());
        let mut zip = ZipArchive::new(Cursor::new(&archive)).unwrap();
        let mut stored = Vec::new();
        zip.by_name(path).unwrap().read_to_end(&mut stored).unwrap();
        assert_eq!(&stored, bytes);
    }
    assert_eq!(files[0]["evidence"], json!(["E1", "E4"]));
}

#[test]
fn the_index_is_readable_and_escapes_all_text() {
    let archive = make_archive();
    let index = entry_text(&archive, "index.html");
    assert!(!index.contains("<script>"), "unescaped markup in the index");
    assert!(index.contains("Tāne &lt;script&gt;alert(1)&lt;/script&gt; Mahuta"));
    assert!(index.contains("Contact centre operations &amp; customer support"));
    assert!(index.contains("Greet the customer &lt;politely&gt;"));
    assert!(index.contains("E1 (accepted)"));
    assert!(index.contains("E1 (rejected), E3 (pending)"));
    assert!(index.contains("Request not &lt;confirmed&gt;"));
    assert!(index.contains("Achieved &amp; authentic"));
    let (_, _, photo) = &evidence_files()[1];
    assert!(index.contains(&sha256(photo)));
    assert!(index.contains(&format!(
        "href=\"files/{}-T%C4%81ne_s%20photo.jpg\"",
        sha256(photo)
    )));
}

#[test]
fn an_intact_archive_verifies() {
    let report = verify_archive(Cursor::new(make_archive())).unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    assert_eq!(report.files_checked, 4, "index and three evidence files");
    let content: usize = evidence_files()[..3].iter().map(|(_, _, b)| b.len()).sum();
    assert!(report.bytes_checked > content as u64);
}

#[test]
fn one_changed_byte_names_the_file() {
    let target = photo_path();
    let tampered = rewrite(
        &make_archive(),
        |name, mut bytes| {
            if name == target {
                bytes[100] ^= 0x01;
            }
            Some(bytes)
        },
        &[],
    );
    let report = verify_archive(Cursor::new(tampered)).unwrap();
    let (_, _, photo) = &evidence_files()[1];
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    match &report.problems[0] {
        ArchiveProblem::HashMismatch {
            path,
            expected,
            actual,
        } => {
            assert_eq!(path, &target);
            assert_eq!(expected, &sha256(photo));
            assert_ne!(actual, expected);
        }
        other => panic!("expected a hash mismatch, got {other:?}"),
    }
    assert!(report.problems[0].to_string().contains(&target));
}

#[test]
fn a_flipped_byte_in_the_raw_zip_names_the_file() {
    let mut archive = make_archive();
    let target = photo_path();
    let offset = {
        let mut zip = ZipArchive::new(Cursor::new(&archive)).unwrap();
        let entry = zip.by_name(&target).unwrap();
        assert_eq!(entry.compression(), zip::CompressionMethod::Stored);
        entry.data_start().unwrap() as usize
    };
    archive[offset + 10] ^= 0xff;
    let report = verify_archive(Cursor::new(archive)).unwrap();
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    let named = match &report.problems[0] {
        ArchiveProblem::Unreadable { path, .. } | ArchiveProblem::HashMismatch { path, .. } => path,
        other => panic!("expected the damaged file to be named, got {other:?}"),
    };
    assert_eq!(named, &target);
}

#[test]
fn a_missing_file_and_an_extra_file_are_named() {
    let target = photo_path();
    let changed = rewrite(
        &make_archive(),
        |name, bytes| (name != target).then_some(bytes),
        &[("files/planted.exe", b"MZ")],
    );
    let report = verify_archive(Cursor::new(changed)).unwrap();
    assert_eq!(
        report.problems,
        vec![
            ArchiveProblem::Extra {
                path: "files/planted.exe".into()
            },
            ArchiveProblem::Missing { path: target },
        ]
    );
}

#[test]
fn a_changed_index_is_caught_too() {
    let changed = rewrite(
        &make_archive(),
        |name, bytes| {
            Some(if name == "index.html" {
                String::from_utf8(bytes)
                    .unwrap()
                    .replace("E1 (rejected)", "E1 (accepted)")
                    .into_bytes()
            } else {
                bytes
            })
        },
        &[],
    );
    let report = verify_archive(Cursor::new(changed)).unwrap();
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert!(
        matches!(&report.problems[0], ArchiveProblem::HashMismatch { path, .. } if path == "index.html")
    );
}

#[test]
fn what_cannot_be_checked_is_an_error_not_a_report() {
    assert!(matches!(
        verify_archive(Cursor::new(b"not a zip at all".to_vec())),
        Err(ArchiveError::NotZip(_))
    ));
    let no_manifest = rewrite(
        &make_archive(),
        |name, b| (name != "manifest.json").then_some(b),
        &[],
    );
    assert!(matches!(
        verify_archive(Cursor::new(no_manifest)),
        Err(ArchiveError::NoManifest)
    ));
    let bad_manifest = rewrite(
        &make_archive(),
        |name, b| {
            Some(if name == "manifest.json" {
                b"{\"format\":\"other\"}".to_vec()
            } else {
                b
            })
        },
        &[],
    );
    assert!(matches!(
        verify_archive(Cursor::new(bad_manifest)),
        Err(ArchiveError::BadManifest(_))
    ));
}

#[test]
fn content_that_does_not_match_its_record_fails_the_archive() {
    let result = write_archive(
        &archive_input(),
        |_file: &ArchiveFile| Ok(Cursor::new(b"something else".to_vec())),
        Cursor::new(Vec::new()),
    );
    match result {
        Err(ArchiveError::SourceMismatch {
            name, actual_size, ..
        }) => {
            assert_eq!(name, "call log <1>.txt");
            assert_eq!(actual_size, 14);
        }
        other => panic!("expected a source mismatch, got {:?}", other.map(|_| ())),
    }
    let mut input = archive_input();
    input.files[0].sha256 = "../../etc/passwd".into();
    assert!(matches!(
        write_archive(&input, open_evidence, Cursor::new(Vec::new())),
        Err(ArchiveError::InvalidInput(_))
    ));
}

// ---------------------------------------------------------------- Open Badges 3.0

fn badge_input() -> BadgeInput {
    BadgeInput {
        credential_id: "urn:uuid:5d6f0b1e-2f7a-4a53-9a39-1f4a1d6f2c11".into(),
        issuer: BadgeIssuer {
            id: "https://attest.example/orgs/ngati-porou-training".into(),
            name: "Ngāti Pōrou Training Trust".into(),
            url: Some("https://training.example.nz".into()),
        },
        learner: BadgeLearner {
            id: "mailto:tane@example.nz".into(),
            name: Some("Tāne Mahuta".into()),
        },
        unit: BadgeUnit {
            achievement_id: "https://attest.example/standards/NZQA/28268/2".into(),
            framework: "NZQA".into(),
            code: "28268".into(),
            version: 2,
            title: "Demonstrate knowledge of contact centre operations".into(),
            description: None,
            level: Some(UnitLevel {
                scheme: LevelScheme::Nzqf,
                value: 3,
            }),
            credits: Some(5.0),
            official_url: None,
            criteria_narrative: None,
        },
        date_achieved: date(2025, 3, 14),
        issued_at: Utc.with_ymd_and_hms(2025, 5, 1, 9, 30, 0).unwrap(),
        statement: BadgeStatement {
            verification_url: "https://attest.example/verify/XQ7P-4K2M".into(),
            verification_code: "XQ7P-4K2M".into(),
            evidence_hash: None,
        },
        status: None,
    }
}

fn types(value: &Value) -> Vec<&str> {
    value["type"]
        .as_array()
        .unwrap_or_else(|| panic!("type must be an array: {value}"))
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect()
}

fn is_uri(value: &Value) -> bool {
    value
        .as_str()
        .and_then(|s| s.split_once(':'))
        .is_some_and(|(scheme, rest)| !scheme.is_empty() && !rest.is_empty())
}

fn is_date_time_z(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|s| s.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(s).is_ok())
}

#[test]
fn a_badge_has_every_field_open_badges_3_requires() {
    let badge = open_badge_credential(&badge_input()).unwrap();

    // AchievementCredential: @context ordered VC 2.0 then OB 3.0; id; type; issuer; validFrom.
    let context = badge["@context"].as_array().unwrap();
    assert_eq!(context[0], VC_CONTEXT);
    assert_eq!(context[1], OB_CONTEXT);
    assert_eq!(VC_CONTEXT, "https://www.w3.org/ns/credentials/v2");
    assert_eq!(
        OB_CONTEXT,
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
    );
    assert!(is_uri(&badge["id"]));
    let credential_types = types(&badge);
    assert!(credential_types.contains(&"VerifiableCredential"));
    assert!(credential_types.contains(&"OpenBadgeCredential"));
    assert!(
        is_date_time_z(&badge["validFrom"]),
        "{}",
        badge["validFrom"]
    );
    assert_eq!(badge["validFrom"], "2025-05-01T09:30:00Z");
    assert!(badge.get("proof").is_none(), "unsigned for now");

    // Profile: id and type.
    let issuer = &badge["issuer"];
    assert!(is_uri(&issuer["id"]));
    assert!(types(issuer).contains(&"Profile"));
    assert_eq!(issuer["name"], "Ngāti Pōrou Training Trust");

    // AchievementSubject: type, id (or identifier), achievement.
    let subject = &badge["credentialSubject"];
    assert!(types(subject).contains(&"AchievementSubject"));
    assert_eq!(subject["id"], "mailto:tane@example.nz");
    assert_eq!(subject["activityEndDate"], "2025-03-14T00:00:00Z");
    assert_eq!(subject["creditsEarned"], 5.0);
    let identity = &subject["identifier"][0];
    assert_eq!(identity["type"], "IdentityObject");
    assert_eq!(identity["identityType"], "name");
    assert_eq!(identity["hashed"], false);
    assert_eq!(identity["identityHash"], "Tāne Mahuta");

    // Achievement: id, type, name, description, criteria, plus the unit's metadata.
    let achievement = &subject["achievement"];
    assert!(is_uri(&achievement["id"]));
    assert!(types(achievement).contains(&"Achievement"));
    assert_eq!(
        achievement["name"],
        "Demonstrate knowledge of contact centre operations"
    );
    assert!(
        achievement["description"]
            .as_str()
            .unwrap()
            .contains("28268")
    );
    assert!(
        !achievement["criteria"]["narrative"]
            .as_str()
            .unwrap()
            .is_empty()
    );
    assert_eq!(achievement["achievementType"], "Competency");
    assert_eq!(achievement["humanCode"], "28268");
    assert_eq!(achievement["version"], "2");
    assert!(achievement["creditsAvailable"].is_f64());
    assert_eq!(achievement["creditsAvailable"], 5.0);
    assert!(
        achievement["tag"]
            .as_array()
            .unwrap()
            .contains(&json!("NZQF level 3"))
    );
    let alignment = &achievement["alignment"][0];
    assert!(types(alignment).contains(&"Alignment"));
    assert_eq!(alignment["targetName"], achievement["name"]);
    assert!(is_uri(&alignment["targetUrl"]));
    assert_eq!(alignment["targetCode"], "28268");
    assert_eq!(alignment["targetFramework"], "NZQA");

    // Evidence: the statement's verification URL.
    let evidence = &badge["evidence"][0];
    assert!(types(evidence).contains(&"Evidence"));
    assert_eq!(evidence["id"], "https://attest.example/verify/XQ7P-4K2M");
    assert!(evidence["name"].as_str().unwrap().contains("XQ7P-4K2M"));
}

#[test]
fn a_badge_without_optional_metadata_stays_valid() {
    let mut input = badge_input();
    input.learner.name = None;
    input.unit.level = None;
    input.unit.credits = None;
    input.unit.official_url = Some("https://www.nzqa.govt.nz/framework/explore/".into());
    let badge = open_badge_credential(&input).unwrap();
    let subject = &badge["credentialSubject"];
    assert!(subject.get("identifier").is_none());
    assert!(subject.get("creditsEarned").is_none());
    assert!(subject["achievement"].get("creditsAvailable").is_none());
    assert_eq!(
        subject["achievement"]["alignment"][0]["targetUrl"],
        "https://www.nzqa.govt.nz/framework/explore/"
    );
}

#[test]
fn a_badge_refuses_ids_that_are_not_uris() {
    let mut input = badge_input();
    input.learner.id = "tane@example.nz".into();
    let error = open_badge_credential(&input).unwrap_err();
    assert_eq!(error.field, "learner.id");

    let mut input = badge_input();
    input.statement.verification_url = "attest.example/verify/X".into();
    assert_eq!(
        open_badge_credential(&input).unwrap_err().field,
        "statement.verification_url"
    );
}
