//! `attest evaluate`: reports for good files, `file:line:column` errors for bad ones.

use std::io::Write;
use std::path::{Path, PathBuf};

use attest::rules::{EvaluateError, Format, View, evaluate_files};

use super::support::*;

fn run(standard: &Path, portfolio: &Path, format: Format) -> (Result<bool, EvaluateError>, String) {
    let mut out = Vec::new();
    let result = evaluate_files(standard, portfolio, View::Confirmed, format, &mut out);
    (result, String::from_utf8(out).expect("the report is UTF-8"))
}

/// Writes `text` to a temporary portfolio file.
fn portfolio_file(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("portfolio.yaml");
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .expect("portfolio written");
    (dir, path)
}

/// The error's first line for a portfolio file that fails.
fn error_for(text: &str) -> (String, PathBuf) {
    let (_dir, path) = portfolio_file(text);
    let (result, out) = run(&standard_path("nzqa-28268-v2"), &path, Format::Text);
    let error = result.expect_err("bad input is an error");
    assert!(error.is_bad_input());
    assert!(out.is_empty(), "nothing is written for bad input");
    (error.to_string(), path)
}

const HEAD: &str = "standard: { code: \"28268\", version: 2 }\nevidence:\n";

#[test]
fn complete_and_incomplete_examples_report() {
    for stem in SEEDS {
        let (complete, text) = run(
            &standard_path(stem),
            &portfolio_path(stem, "complete"),
            Format::Text,
        );
        assert!(complete.expect("a good portfolio evaluates"), "{stem}");
        assert!(text.contains("Result: COMPLETE"), "{stem}");
        let (result, json) = run(
            &standard_path(stem),
            &portfolio_path(stem, "incomplete"),
            Format::Json,
        );
        assert!(!result.expect("a good portfolio evaluates"), "{stem}");
        let value: serde_json::Value = serde_json::from_str(&json).expect("JSON output");
        assert_eq!(value["complete"], false);
        assert_eq!(value["view"], "confirmed");
        assert!(!value["gaps"].as_array().expect("gaps").is_empty());
    }
}

/// What each incomplete example still lacks, as the text report words it: a change to any gap's
/// wording or to which gaps are found shows up as a snapshot diff to review
/// (`tests/rules/snapshots/`).
#[test]
fn the_gaps_of_each_incomplete_example_read_as_recorded() {
    for stem in SEEDS {
        let (result, text) = run(
            &standard_path(stem),
            &portfolio_path(stem, "incomplete"),
            Format::Text,
        );
        assert!(!result.expect("a good portfolio evaluates"), "{stem}");
        let gaps = text
            .split("\n\n")
            .find(|block| block.starts_with("What is still needed"))
            .unwrap_or_else(|| panic!("{stem}: no list of gaps in\n{text}"));
        insta::assert_snapshot!(format!("gaps-{stem}"), gaps);
    }
}

#[test]
fn json_portfolios_are_read_too() {
    let text = std::fs::read_to_string(portfolio_path("nzqa-28268-v2", "complete"))
        .expect("example readable");
    let value: serde_yaml::Value = serde_yaml::from_str(&text).expect("example parses");
    let (_dir, path) = portfolio_file(&serde_json::to_string_pretty(&value).expect("as JSON"));
    let (result, _) = run(&standard_path("nzqa-28268-v2"), &path, Format::Text);
    assert!(result.expect("JSON portfolio evaluates"));
}

#[test]
fn yaml_syntax_error_has_its_position() {
    // The unclosed list is found where the file ends.
    let (error, path) = error_for(&format!("{HEAD}  - id: e1\n    method: [observation\n"));
    assert!(
        error.starts_with(&format!("{}:5:1: YAML syntax error: ", path.display())),
        "{error}"
    );
}

#[test]
fn unknown_field_has_its_position() {
    let (error, path) = error_for(&format!(
        "{HEAD}  - id: e1\n    method: observation_checklist\n    setting: workplace\n    date: 2024-05-06\n    colour: red\n"
    ));
    assert!(
        error.starts_with(&format!(
            "{}:7:5: evidence[0].colour: unknown field `colour`",
            path.display()
        )),
        "{error}"
    );
}

#[test]
fn unknown_method_has_its_position() {
    let (error, path) = error_for(&format!(
        "{HEAD}  - id: e1\n    method: telepathy\n    setting: workplace\n    date: 2024-05-06\n"
    ));
    assert!(
        error.starts_with(&format!(
            "{}:4:5: evidence[0].method: unknown variant `telepathy`",
            path.display()
        )),
        "{error}"
    );
}

#[test]
fn references_the_standard_does_not_have_are_located() {
    let (error, path) = error_for(&format!(
        "{HEAD}  - id: e1\n    method: observation_checklist\n    setting: workplace\n    date: 2024-05-06\n    attributes: {{ mood: cheerful }}\n    criteria:\n      - criterion: \"1.9\"\n      - criterion: \"1.1\"\n        range: {{ greeting_requirements: [courtesy, smiling] }}\n    links: [{{ to: e7, kind: supports }}]\n"
    ));
    let file = path.display().to_string();
    let lines: Vec<&str> = error.lines().collect();
    assert_eq!(
        lines,
        [
            format!(
                "{file}:7:19: evidence[0].attributes.mood: the standard has no attribute `mood` (it has: enquiry_type, escalated_enquiry, challenging_customer_type, complaint_outcome)"
            ),
            format!(
                "{file}:9:9: evidence[0].criteria[0].criterion: the standard has no criterion `1.9`"
            ),
            format!(
                "{file}:11:52: evidence[0].criteria[1].range.greeting_requirements[1]: `smiling` is not an item of `greeting_requirements` (write `other: …` for an item an open list does not name)"
            ),
            format!(
                "{file}:12:15: evidence[0].links[0].to: `e7` is not the id of another piece of evidence"
            ),
        ]
    );
}

#[test]
fn a_portfolio_for_another_standard_is_refused() {
    let (error, path) = error_for("standard: { code: DN8J 11, version: 1 }\n");
    assert_eq!(
        error,
        format!(
            "{}:1:1: standard: the portfolio is for DN8J 11 version 1, but the standard is 28268 version 2",
            path.display()
        )
    );
}

#[test]
fn missing_files_are_bad_input() {
    let missing = root().join("no-such-portfolio.yaml");
    let (result, _) = run(&standard_path("nzqa-28268-v2"), &missing, Format::Text);
    let error = result.expect_err("a missing file is an error");
    assert!(error.is_bad_input());
    assert!(
        error
            .to_string()
            .starts_with(&format!("{}: cannot read file", missing.display()))
    );
    let (result, _) = run(
        &missing,
        &portfolio_path("nzqa-28268-v2", "complete"),
        Format::Text,
    );
    assert!(matches!(result, Err(EvaluateError::Standard(_))));
}

/// Nine levels of ten aliases each: a few hundred bytes that would expand to a billion nodes.
fn billion_laughs(head: &str) -> String {
    let mut text = format!("{head}a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..=9 {
        let previous = format!("*a{}", level - 1);
        let items = [previous.as_str(); 10].join(", ");
        text.push_str(&format!("a{level}: &a{level} [{items}]\n"));
    }
    text
}

fn attest(args: &[&std::ffi::OsStr]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_attest"))
        .args(args)
        .output()
        .expect("attest runs")
}

#[test]
fn a_portfolio_whose_aliases_explode_is_refused_with_its_position_and_exit_2() {
    let (_dir, path) = portfolio_file(&billion_laughs(HEAD));
    let standard = standard_path("nzqa-28268-v2");
    let output = attest(&["evaluate".as_ref(), standard.as_os_str(), path.as_os_str()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "{}:8:10: the document holds more than 200000 nodes once its aliases are expanded",
            path.display()
        )),
        "{stderr}"
    );
}

#[test]
fn a_standard_whose_aliases_explode_is_refused_by_evaluate_and_by_the_checker() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("bomb.yaml");
    std::fs::write(&path, billion_laughs("framework: TEST\n")).expect("written");
    let expected = format!(
        "{}:7:10: the document holds more than 200000 nodes",
        path.display()
    );
    let portfolio = portfolio_path("nzqa-28268-v2", "complete");
    let output = attest(&["evaluate".as_ref(), path.as_os_str(), portfolio.as_os_str()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&expected), "{stderr}");
    // `standards check` lists every problem of the folder and exits 1, as for any other problem.
    let output = attest(&[
        "standards".as_ref(),
        "check".as_ref(),
        dir.path().as_os_str(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.starts_with(&expected), "{stdout}");
}

#[test]
fn a_portfolio_over_the_size_limit_is_refused_where_the_limit_falls() {
    let mut text = String::from(HEAD);
    let line = "  # a comment line that pads the file without adding a single node\n";
    while text.len() <= attest::standards::limits::MAX_BYTES {
        text.push_str(line);
    }
    let (error, path) = error_for(&text);
    let limit_line = 3 + (attest::standards::limits::MAX_BYTES - HEAD.len()) / line.len();
    let column = 1 + (attest::standards::limits::MAX_BYTES - HEAD.len()) % line.len();
    assert_eq!(
        error,
        format!(
            "{}:{limit_line}:{column}: the file is larger than 4 MiB, the most a standard or portfolio may be",
            path.display()
        )
    );
}
