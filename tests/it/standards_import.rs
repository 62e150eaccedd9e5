//! Importing standards from CASE 1.1 and Moodle CSV, exporting them to CASE (issue 22, item 1).

use std::path::{Path, PathBuf};
use std::process::Command;

use attest::standards::import::{ImportOptions, export_case, import_case, import_moodle_csv};
use attest::standards::{LoadedStandard, Status, load_bytes, load_dir};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn read(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap()
}

fn reload(yaml: &str) -> LoadedStandard {
    load_bytes(Path::new("imported.yaml"), yaml.as_bytes())
        .unwrap_or_else(|errors| panic!("{errors:?}\n{yaml}"))
}

fn problem_lines(problems: &[attest::standards::import::Problem]) -> Vec<String> {
    problems.iter().map(ToString::to_string).collect()
}

#[test]
fn a_moodle_framework_becomes_a_draft_standard_and_every_skipped_row_is_named_by_line() {
    let imported =
        import_moodle_csv(&read("moodle-inscc003.csv"), &ImportOptions::default()).unwrap();
    let s = &imported.standard;
    assert_eq!(s.code, "INSCC003");
    assert_eq!(s.title, "Deliver customer service in a contact centre");
    assert_eq!(s.status, Some(Status::Draft));
    let outline: Vec<(&str, Vec<&str>)> = s
        .outcomes
        .iter()
        .map(|o| {
            (
                o.id.as_str(),
                o.criteria.iter().map(|c| c.id.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        outline,
        vec![("G1", vec!["1", "2", "3"]), ("G2", vec!["10"])]
    );
    // The description, HTML removed, is the verbatim text; without one, the short name.
    assert_eq!(
        s.outcomes[0].criteria[0].text,
        "identify and greet customers following organisational guidelines"
    );
    assert_eq!(
        s.outcomes[0].criteria[2].text,
        "check you have understood your customers by summarising their queries or requests"
    );
    let knowledge: Vec<&str> = s.knowledge.iter().map(|k| k.id.as_str()).collect();
    assert_eq!(knowledge, ["K1", "K2"]);
    assert!(imported.draft_rules);
    let rules: Vec<&str> = s.rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(rules, ["DRAFT_C1", "DRAFT_C2"]);
    let lines = problem_lines(&imported.problems);
    let expected_starts = [
        "6:1: competency \"2\", Cross-referenced",
        "8:1: competency \"G2\", Rule type",
        "10:1: competency \"10a\": nested below criterion \"10\"",
        "11:1: row at line 11: a competency needs an ID number",
        "15:1: competency \"99\": its parent \"G9\" is not in the file",
    ];
    assert_eq!(lines.len(), expected_starts.len(), "{lines:#?}");
    for (line, start) in lines.iter().zip(expected_starts) {
        assert!(line.starts_with(start), "{line} should start with {start}");
    }
    let yaml = imported.to_yaml("moodle-inscc003.csv");
    assert!(yaml.contains("# DRAFT: the source carries no evidence rules"));
    assert!(yaml.contains("#   15:1: competency \"99\""));
    let loaded = reload(&yaml);
    assert_eq!(&loaded.standard, s);
}

#[test]
fn a_clean_moodle_file_imports_with_no_problems() {
    let imported = import_moodle_csv(
        &read("moodle-clean.csv"),
        &ImportOptions {
            framework: Some("NOS".into()),
            version: Some(3),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(imported.problems.is_empty(), "{:?}", imported.problems);
    assert_eq!(imported.standard.framework, "NOS");
    assert_eq!(imported.standard.version, 3);
    reload(&imported.to_yaml("moodle-clean.csv"));
}

#[test]
fn a_case_package_becomes_a_draft_standard_with_its_dates_and_each_unread_element_by_position() {
    let imported = import_case(&read("case-inscc003.json"), &ImportOptions::default()).unwrap();
    let s = &imported.standard;
    assert_eq!(s.code, "INSCC003");
    assert_eq!(s.version, 2);
    assert_eq!(s.framework, "NOS");
    assert_eq!(s.originating_body.as_deref(), Some("Instructus"));
    assert_eq!(
        s.dates.registered.as_ref().map(|d| d.0.as_str()),
        Some("2020-06-01")
    );
    assert_eq!(
        s.dates
            .last_date_for_assessment
            .as_ref()
            .map(|d| d.0.as_str()),
        Some("2027-12-31")
    );
    let outline: Vec<(&str, Vec<&str>)> = s
        .outcomes
        .iter()
        .map(|o| {
            (
                o.id.as_str(),
                o.criteria.iter().map(|c| c.id.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        outline,
        vec![("G1", vec!["1", "2", "3"]), ("G2", vec!["10"])]
    );
    let knowledge: Vec<&str> = s.knowledge.iter().map(|k| k.id.as_str()).collect();
    assert_eq!(knowledge, ["K1", "K2"]);
    assert_eq!(s.status, Some(Status::Draft));
    assert!(imported.draft_rules);
    let lines = problem_lines(&imported.problems);
    assert_eq!(
        lines,
        [
            "165:5: CFItems[7]: nested below criterion or knowledge item `10`: a standard has outcomes and criteria only; not imported",
            "240:5: CFItems[11]: not readable as a CFItem (missing field `fullStatement`); not imported",
            "495:5: CFAssociations[11]: association type `isRelatedTo` has no place in a standard; not imported",
        ]
    );
    // The positions point at the elements themselves.
    let text = read("case-inscc003.json");
    let line_240 = text.lines().nth(239).unwrap();
    assert_eq!(line_240.trim(), "{");
    assert!(text.lines().nth(240).unwrap().contains("bad1"));
    reload(&imported.to_yaml("case-inscc003.json"));
}

#[test]
fn text_that_is_not_the_format_fails_with_a_position() {
    let err = import_case(
        "{\"CFDocument\": {\"identifier\": 1}}",
        &ImportOptions::default(),
    )
    .err()
    .unwrap();
    assert!(err.to_string().contains("CFDocument"), "{err}");
    let err = import_case("[1, 2", &ImportOptions::default())
        .err()
        .unwrap();
    assert!(err.to_string().starts_with("1:"), "{err}");
}

#[test]
fn every_seed_goes_to_case_and_back_with_its_structure_and_rules() {
    let seeds = load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("standards")).unwrap();
    assert_eq!(seeds.len(), 5);
    for seed in &seeds {
        let s = &seed.standard;
        let (package, _left_out) = export_case(s, "2026-12-06T00:00:00Z");
        let text = serde_json::to_string_pretty(&package).unwrap();
        // The same version exports to the same identifiers.
        let (again, _) = export_case(s, "2026-12-06T00:00:00Z");
        assert_eq!(package, again);
        for key in [
            "identifier",
            "uri",
            "creator",
            "title",
            "lastChangeDateTime",
            "CFPackageURI",
        ] {
            assert!(
                package["CFDocument"].get(key).is_some(),
                "{}: {key}",
                s.code
            );
        }
        let back = import_case(&text, &ImportOptions::default()).unwrap();
        assert!(back.problems.is_empty(), "{}: {:?}", s.code, back.problems);
        let b = &back.standard;
        assert_eq!(b.code, s.code);
        assert_eq!(b.version, s.version);
        assert_eq!(b.title, s.title);
        let ids = |st: &attest::standards::Standard| -> Vec<OutcomeOutline> {
            st.outcomes
                .iter()
                .map(|o| {
                    (
                        o.id.clone(),
                        o.label.clone(),
                        o.title.clone(),
                        o.criteria
                            .iter()
                            .map(|c| (c.id.clone(), c.label.clone(), c.text.clone()))
                            .collect(),
                    )
                })
                .collect()
        };
        assert_eq!(ids(b), ids(s), "{}", s.code);
        assert_eq!(b.knowledge, s.knowledge, "{}", s.code);
        assert_eq!(b.rules, s.rules, "{}", s.code);
        assert_eq!(b.attributes, s.attributes, "{}", s.code);
        assert!(!back.draft_rules);
    }
}

/// An outcome's id, label, title and its criteria's ids, labels and texts.
type OutcomeOutline = (
    String,
    Option<String>,
    String,
    Vec<(String, Option<String>, String)>,
);

fn attest() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_attest"));
    cmd.env_remove("ATTEST_DATABASE_URL")
        .env("RUST_LOG", "warn");
    cmd
}

#[test]
fn the_import_and_export_commands() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("inscc003.yaml");
    let run = attest()
        .args(["standards", "import", "--from", "moodle-csv"])
        .arg(fixture("moodle-inscc003.csv"))
        .arg("-o")
        .arg(&out)
        .env("ATTEST_DATA_DIR", dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("moodle-inscc003.csv:15:1: competency \"99\""),
        "{stderr}"
    );
    let check = attest()
        .args(["standards", "check"])
        .arg(dir.path())
        .env("ATTEST_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );

    let clean = attest()
        .args(["standards", "import", "--from", "case"])
        .arg(fixture("case-inscc003.json"))
        .env("ATTEST_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert_eq!(clean.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&clean.stdout).contains("code: INSCC003"));

    let export = attest()
        .args(["standards", "export", "--to", "case", "28268", "--dir"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("standards"))
        .env("ATTEST_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert_eq!(export.status.code(), Some(0));
    let package: serde_json::Value = serde_json::from_slice(&export.stdout).unwrap();
    assert_eq!(
        package["CFDocument"]["title"],
        "Communicate with contact centre customers and resolve enquiries"
    );
    assert!(
        String::from_utf8_lossy(&export.stderr)
            .contains("range list(s): CASE has no place for them")
    );

    let broken = attest()
        .args(["standards", "import", "--from", "case"])
        .arg(fixture("moodle-clean.csv"))
        .env("ATTEST_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert_eq!(broken.status.code(), Some(2));
}
