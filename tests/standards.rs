//! The seed standards under `standards/`: they load, their counts match the source documents, their
//! wording is the sources' own, and broken files produce exact messages.
//!
//! The source documents are in `standards/sources` (see its README), the broken fixtures in
//! `tests/fixtures/standards-broken`, each `NAME.yaml` with the exact lines it must produce in
//! `NAME.expected`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use attest::standards::{
    self, Check, InterpretationError, Interpretations, LoadedStandard, Standard,
};
use sha2::{Digest, Sha256};

const BROKEN: &str = "tests/fixtures/standards-broken";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn all() -> Vec<LoadedStandard> {
    match standards::load_dir(&repo().join("standards")) {
        Ok(all) => all,
        Err(errors) => panic!("the seed standards do not load:\n{errors}"),
    }
}

fn standard(spec: &str) -> Standard {
    let all = all();
    standards::find(&all, spec)
        .unwrap_or_else(|| panic!("no standard {spec}"))
        .standard
        .clone()
}

/// The seed document each standard was encoded from.
fn seed_file(code: &str) -> &'static str {
    match code {
        "28268" => "nzqa-28268-v2.txt",
        "DN8J 11" => "sqa-dn8j-11.txt",
        "INSCC003" => "nos-inscc003.txt",
        "H12H 04" => "svq-h12h-04.txt",
        "INSCC007" => "nos-inscc007.txt",
        other => panic!("no seed recorded for {other}"),
    }
}

fn seed_text(code: &str) -> String {
    let path = repo().join("standards/sources").join(seed_file(code));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    normalise(&text)
}

fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The counts a test asserts for one standard.
#[derive(Debug, PartialEq, Eq)]
struct Counts {
    outcomes: usize,
    criteria: usize,
    conditional_criteria: usize,
    range_lists: usize,
    range_items: usize,
    knowledge: usize,
    rules: usize,
}

fn counts(s: &Standard) -> Counts {
    let lists = s.range_lists();
    Counts {
        outcomes: s.outcomes.len(),
        criteria: s.criteria().count(),
        conditional_criteria: s.criteria().filter(|c| c.condition.is_some()).count(),
        range_lists: lists.len(),
        range_items: lists.iter().map(|list| list.items.len()).sum(),
        knowledge: s.knowledge.len(),
        rules: s.rules.len(),
    }
}

fn rule_ids(s: &Standard) -> Vec<&str> {
    s.rules.iter().map(|rule| rule.id.as_str()).collect()
}

fn numbered(prefix: &str, range: std::ops::RangeInclusive<u32>) -> Vec<String> {
    range.map(|n| format!("{prefix}{n}")).collect()
}

#[test]
fn every_seed_file_loads_sorted_by_code_then_version() {
    let all = all();
    let codes: Vec<(&str, u32)> = all
        .iter()
        .map(|l| (l.standard.code.as_str(), l.standard.version))
        .collect();
    assert_eq!(
        codes,
        [
            ("28268", 2),
            ("DN8J 11", 1),
            ("H12H 04", 1),
            ("INSCC003", 1),
            ("INSCC007", 1)
        ]
    );
}

#[test]
fn content_hash_is_the_sha256_of_the_file_bytes() {
    for loaded in all() {
        let bytes = std::fs::read(&loaded.path).unwrap();
        let expected: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(loaded.content_hash, expected, "{}", loaded.path.display());
    }
}

#[test]
fn nzqa_28268_counts_match_the_source() {
    let s = standard("28268@2");
    // Outcomes 1–3. Criteria: 1.1–1.8, 2.1–2.4, 3.1–3.4. Conditional: 1.2 "where necessary",
    // 3.2 "and/or escalate", 3.3 "In the case of escalation".
    // Range lists with items under the PCs: 1.1 greeting (6), 1.3 rapport (3) and customer needs (5),
    // 1.5 options (4) and explanation (2), 1.6 (4), 1.7 (4), 1.8 closing (8), 2.2 steps (3),
    // 3.1 resolution options (4), 3.4 follow-up actions (6); in the Definitions: challenging customers
    // (6), communication techniques (5), interactions (7) → 14 lists, 67 items. No K&U section.
    // Rules: N1–N24 from Guidance Information, Range a/b and the outcome and PC range statements,
    // plus C1, the implicit coverage of every criterion.
    assert_eq!(
        counts(&s),
        Counts {
            outcomes: 3,
            criteria: 16,
            conditional_criteria: 3,
            range_lists: 14,
            range_items: 67,
            knowledge: 0,
            rules: 25,
        }
    );
    let mut expected = numbered("N", 1..=24);
    expected.push("C1".to_owned());
    assert_eq!(rule_ids(&s), expected);
    // Definitions: BAU, challenging customers, complex, communication skills, communication
    // techniques, contact centre, policies and procedures, customer, CSA, interactions.
    assert_eq!(s.definitions.len(), 10);
    // References: Companies Act 1993 … Securities Regulations 2009, ten entries.
    assert_eq!(s.references.len(), 10);
    let replaced: Vec<&str> = s.replaces.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(replaced, ["16776", "16784"]);
}

#[test]
fn sqa_dn8j_11_counts_match_the_source() {
    let s = standard("DN8J 11");
    // Outcomes 1–4 with PCs (a)–(f), (a)–(e), a)–f), (a)–(e) = 6 + 5 + 6 + 5.
    // Range lists are all support-note (guidance) lists: telephony features (hold, transfer,
    // conference, mute, system functions), particular needs (2), types of dissatisfaction (product,
    // service), written evidence sources (5) → 4 lists, 14 items. No K&U section.
    // Rules: S1–S11 from the statement of standards, G1–G9 from the support notes.
    assert_eq!(
        counts(&s),
        Counts {
            outcomes: 4,
            criteria: 22,
            conditional_criteria: 0,
            range_lists: 4,
            range_items: 14,
            knowledge: 0,
            rules: 20,
        }
    );
    let mut expected = numbered("S", 1..=11);
    expected.extend(numbered("G", 1..=9));
    assert_eq!(rule_ids(&s), expected);
    // The support notes are "not mandatory": every G rule and every range list is guidance.
    for rule in s.rules.iter().filter(|rule| rule.id.starts_with('G')) {
        assert_eq!(
            rule.source.binding,
            standards::Binding::Guidance,
            "{}",
            rule.id
        );
    }
    for rule in s.rules.iter().filter(|rule| rule.id.starts_with('S')) {
        assert_eq!(
            rule.source.binding,
            standards::Binding::Binding,
            "{}",
            rule.id
        );
    }
    assert!(
        s.range_lists()
            .iter()
            .all(|list| list.binding == standards::Binding::Guidance)
    );
    assert_eq!(s.scqf_points, Some(6));
    assert_eq!(s.design_length_hours, Some(40));
}

#[test]
fn nos_inscc003_counts_match_the_source() {
    let s = standard("INSCC003");
    // Four groups: PCs 1–9, 10–16, 17–21, 22–27. Conditional: 13, 14, 15, 20.
    // "Scope/range" is absent from this seed: no range lists. 26 unnumbered K&U bullets → K1–K26.
    // Rules: C1 (all PCs) and C2 (all K&U) only — a NOS has no evidence requirements.
    assert_eq!(
        counts(&s),
        Counts {
            outcomes: 4,
            criteria: 27,
            conditional_criteria: 4,
            range_lists: 0,
            range_items: 0,
            knowledge: 26,
            rules: 2,
        }
    );
    let group_sizes: Vec<usize> = s.outcomes.iter().map(|o| o.criteria.len()).collect();
    assert_eq!(group_sizes, [9, 7, 5, 6]);
    let knowledge_ids: Vec<&str> = s.knowledge.iter().map(|k| k.id.as_str()).collect();
    assert_eq!(knowledge_ids, numbered("K", 1..=26));
    assert_eq!(rule_ids(&s), ["C1", "C2"]);
}

#[test]
fn svq_h12h_04_counts_match_the_source() {
    let s = standard("CFACC33");
    // Three groups: PCs 1–5, 6–11, 12–14. Conditional: 6 (referral from colleagues without authority).
    // Range: the two aspects delivery "takes account of", the three organisation types → 2 lists,
    // 5 items. K&U (a)–(m) = 13.
    // Rules: V1–V4 and V6–V9; V5 is the statement of competence (sign_off).
    assert_eq!(
        counts(&s),
        Counts {
            outcomes: 3,
            criteria: 14,
            conditional_criteria: 1,
            range_lists: 2,
            range_items: 5,
            knowledge: 13,
            rules: 8,
        }
    );
    assert_eq!(
        rule_ids(&s),
        ["V1", "V2", "V3", "V4", "V6", "V7", "V8", "V9"]
    );
    let sign_off = s
        .sign_off
        .as_ref()
        .expect("H12H 04 has a statement of competence");
    assert_eq!(sign_off.id, "V5");
    let roles: Vec<standards::Role> = sign_off.signatures.iter().map(|s| s.role).collect();
    assert_eq!(
        roles,
        [
            standards::Role::Candidate,
            standards::Role::InternalVerifier,
            standards::Role::Assessor
        ]
    );
    assert!(sign_off.signatures.iter().all(|signature| signature.dated));
    assert_eq!(sign_off.dated_fields.len(), 1);
    assert_eq!(sign_off.dated_fields[0].label, "Date sampled (by IV)");
    assert_eq!(
        sign_off.comments.as_ref().map(|c| c.label.as_str()),
        Some("Comments")
    );
}

#[test]
fn nos_inscc007_counts_match_the_source() {
    let s = standard("INSCC007");
    // Five groups: PCs 1–5 (verbal), 6–10 (written), 11–12, 13–19, 20–23. Conditional: 1 and 6
    // ("referred … by colleagues with limited authority"). The Scope/range heading is empty.
    // K&U numbered 1–20. Rules: C1, C2 and the counts inside PC 5, PC 10 and K&U 7 (I1–I3).
    assert_eq!(
        counts(&s),
        Counts {
            outcomes: 5,
            criteria: 23,
            conditional_criteria: 2,
            range_lists: 0,
            range_items: 0,
            knowledge: 20,
            rules: 5,
        }
    );
    let group_sizes: Vec<usize> = s.outcomes.iter().map(|o| o.criteria.len()).collect();
    assert_eq!(group_sizes, [5, 5, 2, 7, 4]);
    assert_eq!(rule_ids(&s), ["C1", "C2", "I1", "I2", "I3"]);
    assert_eq!(
        s.dates.planned_review.as_ref().map(|d| d.0.as_str()),
        Some("2026")
    );
}

/// Every piece of text the encoding claims is the source's own.
fn verbatim_texts(s: &Standard) -> Vec<(String, &str)> {
    let mut texts: Vec<(String, &str)> = vec![("title".into(), s.title.as_str())];
    let optional = [("purpose", &s.purpose), ("audience", &s.audience)];
    for (label, text) in optional {
        if let Some(text) = text {
            texts.push((label.into(), text));
        }
    }
    if let Some(note) = &s.references_note {
        texts.push(("references_note".into(), note));
    }
    texts.extend(
        s.references
            .iter()
            .map(|r| ("reference".into(), r.as_str())),
    );
    for c in &s.classifications {
        texts.push(("classification".into(), &c.value));
    }
    for field in s.source_fields.iter().filter(|f| !f.value.is_empty()) {
        texts.push((format!("source field {}", field.label), &field.value));
    }
    for d in &s.definitions {
        texts.push((format!("definition {}", d.id), &d.term));
        texts.push((format!("definition {}", d.id), &d.text));
    }
    for o in &s.outcomes {
        texts.push((format!("outcome {}", o.id), &o.title));
        for c in &o.criteria {
            texts.push((format!("criterion {}", c.id), &c.text));
            if let Some(condition) = &c.condition {
                texts.push((format!("condition of {}", c.id), condition));
            }
        }
    }
    for list in s.range_lists() {
        texts.push((format!("range list {}", list.id), &list.verbatim));
        for item in &list.items {
            texts.push((format!("range item {}", item.id), &item.text));
        }
    }
    for k in &s.knowledge {
        texts.push((format!("knowledge {}", k.id), &k.text));
    }
    for rule in &s.rules {
        texts.push((format!("rule {}", rule.id), &rule.source.verbatim));
        for check in &rule.checks {
            if let Check::Setting(setting) = check
                && let Some(condition) = &setting.condition
            {
                texts.push((format!("rule {} condition", rule.id), condition));
            }
        }
    }
    if let Some(sign_off) = &s.sign_off {
        texts.push(("sign-off heading".into(), &sign_off.heading));
        texts.push(("sign-off statement".into(), &sign_off.statement));
        texts.push(("sign-off source".into(), &sign_off.source.verbatim));
        for signature in &sign_off.signatures {
            texts.push(("signature".into(), &signature.label));
        }
        for field in &sign_off.dated_fields {
            texts.push(("dated field".into(), &field.label));
        }
    }
    for section in &s.guidance {
        texts.push((format!("guidance {}", section.id), &section.heading));
        if let Some(text) = &section.text {
            texts.push((format!("guidance {}", section.id), text));
        }
        for item in &section.items {
            texts.push((format!("guidance {}", section.id), item));
        }
    }
    texts
}

#[test]
fn verbatim_wording_occurs_in_the_seed_documents() {
    for loaded in all() {
        let s = &loaded.standard;
        let seed = seed_text(&s.code);
        let missing: Vec<String> = verbatim_texts(s)
            .into_iter()
            .filter(|(_, text)| !seed.contains(&normalise(text)))
            .map(|(what, text)| format!("{what}: {text:?}"))
            .collect();
        assert!(
            missing.is_empty(),
            "{}: not in {}:\n{}",
            s.code,
            seed_file(&s.code),
            missing.join("\n")
        );
    }
}

#[test]
fn each_source_document_is_the_one_its_provenance_note_records() {
    let sources = repo().join("standards/sources");
    let readme = std::fs::read_to_string(sources.join("README.md")).expect("provenance note");
    for code in ["28268", "DN8J 11", "INSCC003", "H12H 04", "INSCC007"] {
        let name = seed_file(code);
        let bytes = std::fs::read(sources.join(name)).expect("source document");
        let hash = hex::encode(Sha256::digest(&bytes));
        let row = readme
            .lines()
            .find(|line| line.starts_with(&format!("| `{name}`")))
            .unwrap_or_else(|| panic!("the provenance note has no row for {name}"));
        assert!(
            row.contains(&hash),
            "{name} is not the file its note records"
        );
    }
}

#[test]
fn the_verbatim_check_rejects_wording_that_is_not_in_the_seed() {
    let seed = seed_text("28268");
    assert!(seed.contains(&normalise(
        "evidence of three is required\n for each enquiry."
    )));
    assert!(!seed.contains(&normalise("evidence of four is required for each enquiry.")));
}

#[test]
fn every_rule_and_item_has_an_id_unique_in_its_standard() {
    for loaded in all() {
        let s = &loaded.standard;
        let mut ids: Vec<&str> = Vec::new();
        ids.extend(s.outcomes.iter().map(|o| o.id.as_str()));
        ids.extend(s.criteria().map(|c| c.id.as_str()));
        ids.extend(s.knowledge.iter().map(|k| k.id.as_str()));
        ids.extend(s.rules.iter().map(|r| r.id.as_str()));
        for list in s.range_lists() {
            ids.push(&list.id);
            ids.extend(list.items.iter().map(|i| i.id.as_str()));
        }
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "{}", s.code);
    }
}

#[test]
fn ambiguous_rules_carry_interpretations_and_a_default() {
    let expected = [
        ("28268", "N9", "rapport"),
        ("28268", "N15", "explained"),
        ("28268", "N19", "resolved_only"),
        ("DN8J 11", "S8", "across_set"),
    ];
    for (code, rule_id, default) in expected {
        let s = standard(code);
        let rule = s.rule(rule_id).unwrap();
        assert_eq!(rule.source.confidence, standards::Confidence::Ambiguous);
        assert!(rule.checks.is_empty());
        assert!(rule.interpretations.len() >= 2);
        assert_eq!(rule.default_interpretation.as_deref(), Some(default));
    }
    let ambiguous: usize = all()
        .iter()
        .flat_map(|l| &l.standard.rules)
        .filter(|rule| rule.source.confidence == standards::Confidence::Ambiguous)
        .count();
    assert_eq!(ambiguous, expected.len());
}

fn range_list_of(checks: &[Check]) -> Vec<&str> {
    checks
        .iter()
        .filter_map(|check| match check {
            Check::MinRangeItems(c) => Some(c.list.as_str()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_provider_can_override_an_interpretation_without_editing_the_standard() {
    let s = standard("28268");
    let n9 = s.rule("N9").unwrap();

    let by_default = standards::effective_rule(n9, &Interpretations::new()).unwrap();
    assert_eq!(range_list_of(by_default.checks), ["establishing_rapport"]);
    assert!(!by_default.overridden);

    let mut chosen = Interpretations::new();
    chosen.choose("N9", "customer_needs");
    let overridden = standards::effective_rule(n9, &chosen).unwrap();
    assert_eq!(
        range_list_of(overridden.checks),
        ["customer_needs_examples"]
    );
    assert!(overridden.overridden);
    assert_eq!(overridden.interpretation.unwrap().id, "customer_needs");

    let rules = standards::effective_rules(&s, &chosen).unwrap();
    assert_eq!(rules.len(), s.rules.len());
    let n7 = rules.iter().find(|r| r.rule.id == "N7").unwrap();
    assert_eq!(range_list_of(n7.checks), ["greeting_requirements"]);

    // Provider settings are plain data: rule id → interpretation id.
    let settings: Interpretations = serde_json::from_str(r#"{"N19": "escalated_counts"}"#).unwrap();
    assert!(settings.validate(&s).is_ok());
}

#[test]
fn a_choice_that_does_not_fit_the_standard_is_refused() {
    let s = standard("28268");
    let refused = |rule: &str, interpretation: &str| {
        let mut chosen = Interpretations::new();
        chosen.choose(rule, interpretation);
        chosen.validate(&s).unwrap_err()
    };
    assert_eq!(
        refused("N9", "greetings"),
        InterpretationError::UnknownInterpretation {
            rule: "N9".into(),
            chosen: "greetings".into(),
            expected: "rapport, customer_needs, both".into(),
        }
    );
    assert_eq!(
        refused("N7", "rapport"),
        InterpretationError::NotAmbiguous { rule: "N7".into() }
    );
    assert_eq!(
        refused("N99", "rapport").to_string(),
        "rule `N99`: no such rule in this standard"
    );
}

#[test]
fn find_matches_codes_and_aliases_ignoring_case_and_spaces() {
    let all = all();
    let found = |spec: &str| standards::find(&all, spec).map(|l| l.standard.code.as_str());
    assert_eq!(found("H12H 04"), Some("H12H 04"));
    assert_eq!(found("h12h04"), Some("H12H 04"));
    assert_eq!(found("CFACC33"), Some("H12H 04"));
    assert_eq!(found("cfacc33@1"), Some("H12H 04"));
    assert_eq!(found("28268@2"), Some("28268"));
    assert_eq!(found("28268@v2"), Some("28268"));
    assert_eq!(found("28268@3"), None);
    assert_eq!(found("28268@two"), None);
    assert_eq!(found("dn8j11"), Some("DN8J 11"));
    assert_eq!(found("INSCC999"), None);
}

#[test]
fn find_without_a_version_takes_the_highest() {
    let mut all = all();
    let mut newer = all[0].clone();
    newer.standard.version = 3;
    all.push(newer);
    let found = standards::find(&all, "28268").unwrap();
    assert_eq!(found.standard.version, 3);
    assert_eq!(
        standards::find(&all, "28268@2").unwrap().standard.version,
        2
    );
}

#[test]
fn outline_shows_structure_rules_and_sign_off() {
    let all = all();
    let nzqa = standards::outline(&standards::find(&all, "28268").unwrap().standard);
    assert!(nzqa.starts_with(
        "28268 v2 — Communicate with contact centre customers and resolve enquiries\n"
    ));
    assert!(nzqa.contains("NZQA · NZQF level 3 · 15 NZQF credits"));
    assert!(nzqa.contains("  1.2   Establish customer identity"));
    assert!(nzqa.contains("        conditional: \"where necessary\""));
    assert!(nzqa.contains("      interpretation rapport (default): "));
    assert!(nzqa.contains("• at least 2 complex customer enquiries where enquiry_type = complex"));

    let svq = standards::outline(&standards::find(&all, "CFACC33").unwrap().standard);
    assert!(svq.contains("Also known as: CFACC33"));
    assert!(svq.contains("Sign-off [V5]: Statement of competence"));
    assert!(svq.contains("  Date sampled (by IV) (date, internal_verifier)"));
    assert!(svq.contains("• workplace performance only"));
}

#[test]
fn a_standard_survives_the_trip_through_json() {
    for loaded in all() {
        let json = serde_json::to_string(&loaded.standard).unwrap();
        let back: Standard = serde_json::from_str(&json).unwrap();
        assert_eq!(back, loaded.standard, "{}", loaded.standard.code);
    }
}

#[test]
fn schema_json_is_in_sync_with_the_types() {
    // Regenerate with: UPDATE_SCHEMA=1 cargo test --test standards schema_json
    let path = repo().join("standards/schema.json");
    let generated = standards::json_schema_text();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "standards/schema.json is stale: run UPDATE_SCHEMA=1 cargo test --test standards schema_json"
    );
    let schema = standards::json_schema();
    assert_eq!(schema["title"], "Standard");
    assert_eq!(schema["additionalProperties"], false);
}

fn broken_fixtures() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(BROKEN)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    files.sort();
    files
}

fn expected_lines(fixture: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(fixture.with_extension("expected")).unwrap();
    text.lines().map(str::to_owned).collect()
}

#[test]
fn each_broken_fixture_produces_its_exact_message() {
    let fixtures = broken_fixtures();
    assert!(fixtures.len() >= 7, "fixtures missing in {BROKEN}");
    for fixture in fixtures {
        let errors = standards::load_file(&fixture).expect_err(&fixture.display().to_string());
        assert_eq!(errors.lines(), expected_lines(&fixture));
    }
}

#[test]
fn a_folder_with_several_broken_files_reports_every_error_in_one_run() {
    let errors = standards::load_dir(Path::new(BROKEN)).unwrap_err();
    let expected: Vec<String> = broken_fixtures()
        .iter()
        .flat_map(|fixture| expected_lines(fixture))
        .collect();
    assert_eq!(errors.lines(), expected);
    assert_eq!(errors.to_string(), expected.join("\n"));
}

#[test]
fn two_files_with_the_same_code_and_version_clash() {
    let dir = format!("{BROKEN}/clash");
    let errors = standards::load_dir(Path::new(&dir)).unwrap_err();
    let expected = std::fs::read_to_string(format!("{dir}/expected")).unwrap();
    assert_eq!(errors.lines(), expected.lines().collect::<Vec<_>>());
}

#[test]
fn a_missing_folder_is_an_error_not_a_panic() {
    let errors = standards::load_dir(Path::new("tests/fixtures/no-such-folder")).unwrap_err();
    let line = errors.to_string();
    assert!(
        line.starts_with("tests/fixtures/no-such-folder: cannot read folder: "),
        "{line}"
    );
}

/// The standards and the engine live in `crates/attest-core`, which can only use the crates its
/// manifest names: the compiler keeps them pure, and this keeps the manifest free of the web
/// server, the database, templates and PDF output.
#[test]
fn the_core_crate_depends_on_no_web_database_template_or_pdf_crate() {
    let manifest = std::fs::read_to_string(repo().join("crates/attest-core/Cargo.toml")).unwrap();
    let dependencies: Vec<&str> = manifest
        .split("[dependencies]")
        .nth(1)
        .unwrap()
        .lines()
        .take_while(|line| !line.starts_with('['))
        .filter_map(|line| line.split_once('=').map(|(name, _)| name.trim()))
        .filter(|name| !name.starts_with('#'))
        .collect();
    assert!(dependencies.contains(&"serde_yaml"), "{dependencies:?}");
    for forbidden in ["actix", "diesel", "tera", "printpdf", "tokio", "attest"] {
        assert!(
            !dependencies.iter().any(|d| d.starts_with(forbidden)),
            "crates/attest-core depends on {forbidden}: {dependencies:?}"
        );
    }
}
