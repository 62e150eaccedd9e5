//! Statements of competence as a reader sees them: the text read back from the PDF, page numbers,
//! determinism, missing characters, a fallback font, the QR code and file size. Everything is
//! checked in-process (`support/pdf_reader.rs`); the CJK fallback font is a two-character subset
//! kept under `tests/fixtures/fonts`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/pdf_reader.rs"]
mod pdf_reader;

use attest::output::pdf::{
    CandidateView, CriterionView, DatedFieldView, EvidenceView, FontSet, Fonts, LabelledValue,
    OrganisationView, OutcomeView, RenderedStatement, SignOffView, StatementView, UnitView,
    content_hash, render,
};
use chrono::NaiveDate;
use pdf_reader::{A4, Pdf};

/// Droid Sans Fallback cut down to 王 and 芳 (see tests/fixtures/fonts/README.md).
const CJK_FONT: &[u8] = include_bytes!("fixtures/fonts/DroidSansFallback-subset.ttf");

/// A character in no font of the set (an Egyptian hieroglyph).
const UNCOVERED: char = '\u{13000}';

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

const CFACC33_CRITERIA: [&str; 14] = [
    "Carry out spot checks on customer contact to test compliance with organisational guidelines.",
    "Organise an audit of working practice in customer contact activities.",
    "Identify organisational aims relating to customer contact activities.",
    "Consult agents about audit or spot check results to agree areas for change and improvement.",
    "Implement agreed changes and improvements to customer contact activities.",
    "Accept referral of complaints from colleagues who do not have the authority to deal with them.",
    "Establish the precise nature of the complaint through exchanges with the customer.",
    "Identify options for dealing with the complaint and the advantages and disadvantages of each for the customer and the organisation.",
    "Follow the chosen or agreed option to resolve the complaint.",
    "Record the closure of the complaint.",
    "Review the complaint and resolution to identify and record any organisational learning.",
    "Confirm key organisational and regulatory requirements relating to customer contact activities.",
    "Assess the risk associated with non-compliance with each key requirement relating to customer contact activities.",
    "Work with team members to ensure compliance with all key organisational and regulatory requirements for customer contact activities.",
];

const WORDING: &str = "I confirm that all evidence (including Knowledge and Understanding), for the entire Unit has been met:";

/// The CFACC33 statement for `candidate`, its criteria repeated `rounds` times (to force pages).
fn statement(candidate: &str, rounds: usize) -> StatementView {
    let titles = [
        (
            1..=5,
            "Review customer contact activities and implement changes",
        ),
        (
            6..=11,
            "Handle customer complaints relating to customer contacts or services and/or products",
        ),
        (
            12..=14,
            "Ensure compliance with organisational and regulatory requirements",
        ),
    ];
    let mut outcomes = Vec::new();
    for round in 0..rounds {
        for (number, (range, title)) in titles.iter().enumerate() {
            outcomes.push(OutcomeView {
                reference: format!("{}", round * 3 + number + 1),
                title: title.to_string(),
                criteria: range
                    .clone()
                    .map(|pc: usize| CriterionView {
                        reference: format!("PC{pc}"),
                        text: CFACC33_CRITERIA[pc - 1].to_string(),
                        evidence: vec![format!("E{:02}", pc), format!("E{:02}", pc + 14)],
                    })
                    .collect(),
            });
        }
    }
    let sites = [
        "Glasgow contact centre",
        "Edinburgh office, Floor 3",
        "Remote (home working)",
    ];
    let methods = [
        "Observation",
        "Product evidence",
        "Professional discussion",
        "Witness testimony",
    ];
    StatementView {
        organisation: OrganisationView {
            name: "Ngāti Pōrou Training Trust".to_string(),
            ids: vec![LabelledValue {
                label: "Centre number".into(),
                value: "4231087".into(),
            }],
        },
        candidate: CandidateView {
            name: candidate.to_string(),
            national_learner_number: Some(LabelledValue {
                label: "Scottish Candidate Number".into(),
                value: "170245896".into(),
            }),
        },
        unit: UnitView {
            framework: "SVQ Customer Service".into(),
            code: "H12H 04 (CFACC33)".into(),
            title: "Review and maintain customer support operations in a contact centre".into(),
            version: "04".into(),
            level: Some("SCQF 8".into()),
            credits: Some("9".into()),
        },
        outcomes,
        evidence: (1..=28)
            .map(|n| EvidenceView {
                reference: format!("E{n:02}"),
                date: date(2025, 1 + (n as u32 % 5), 1 + n as u32),
                method: methods[n % methods.len()].into(),
                setting: if n % 3 == 0 {
                    "Simulated".into()
                } else {
                    "Workplace".into()
                },
                site: sites[n % sites.len()].into(),
            })
            .collect(),
        sign_offs: vec![
            SignOffView {
                role: "Candidate".into(),
                name: candidate.into(),
                date: date(2025, 6, 2),
            },
            SignOffView {
                role: "Assessor".into(),
                name: "Zoë Ferreira".into(),
                date: date(2025, 6, 4),
            },
            SignOffView {
                role: "Internal Verifier".into(),
                name: "Łukasz Nowak".into(),
                date: date(2025, 6, 11),
            },
        ],
        dated_fields: vec![DatedFieldView {
            label: "Date sampled (by IV)".into(),
            date: date(2025, 6, 10),
        }],
        statement_wording: WORDING.into(),
        comments: "Strong complaint handling; the audit of working practice was thorough.".into(),
        verification_code: "7KQ2-9XHM-PL3D".into(),
        verification_url: "https://attest.example.org/verify/7KQ2-9XHM-PL3D".into(),
        issued: date(2025, 6, 12),
    }
}

fn builtin() -> FontSet {
    FontSet::builtin().expect("DejaVu fonts are built in")
}

/// The text of every page, whitespace collapsed, in content order.
fn text_of(rendered: &RenderedStatement) -> String {
    Pdf::parse(&rendered.bytes).text()
}

fn pages_of(rendered: &RenderedStatement) -> Vec<String> {
    Pdf::parse(&rendered.bytes).pages()
}

#[test]
fn names_criteria_and_sign_offs_read_back_exactly() {
    let view = statement("Tāne Mahuta", 1);
    let rendered = render(&view, &builtin()).unwrap();
    assert!(
        rendered.missing_chars.is_empty(),
        "{:?}",
        rendered.missing_chars
    );
    let text = text_of(&rendered);
    for expected in [
        "Tāne Mahuta",
        "Zoë Ferreira",
        "Łukasz Nowak",
        "Ngāti Pōrou Training Trust",
        "H12H 04 (CFACC33)",
        "Review and maintain customer support operations in a contact centre",
        "SCOTTISH CANDIDATE NUMBER 170245896",
        "SCQF 8",
        WORDING,
        "Date sampled (by IV)",
        "10 June 2025",
        "Internal Verifier",
        "Strong complaint handling; the audit of working practice was thorough.",
        "7KQ2-9XHM-PL3D",
        "https://attest.example.org/verify/7KQ2-9XHM-PL3D",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    for criterion in CFACC33_CRITERIA {
        assert!(
            text.contains(criterion),
            "criterion {criterion:?} missing from:\n{text}"
        );
    }
}

#[test]
fn the_printed_hash_is_the_content_hash_and_follows_the_content() {
    let view = statement("Tāne Mahuta", 1);
    let hash = content_hash(&view);
    assert_eq!(hash.len(), 64);
    assert!(
        hash.chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    assert!(text_of(&render(&view, &builtin()).unwrap()).contains(&hash));

    let mut changed = view.clone();
    changed.outcomes[0].criteria[0].evidence.push("E27".into());
    assert_ne!(content_hash(&changed), hash);

    // Moving text between neighbouring fields is a different statement.
    let mut shifted = view.clone();
    shifted.unit.code = "H12H 04 (CFACC33) Review".into();
    shifted.unit.title = "and maintain customer support operations in a contact centre".into();
    let mut original = view.clone();
    original.unit.code = "H12H 04 (CFACC33)".into();
    original.unit.title =
        "Review and maintain customer support operations in a contact centre".into();
    assert_ne!(content_hash(&shifted), content_hash(&original));
    assert_eq!(content_hash(&view.clone()), hash);
}

#[test]
fn the_same_view_renders_to_the_same_bytes() {
    let fonts = builtin();
    let view = statement("Zoë Łukasz Tāne", 2);
    let first = render(&view, &fonts).unwrap();
    let second = render(&view, &fonts).unwrap();
    assert!(first.bytes == second.bytes, "two renders differ");
    let other_fonts = builtin();
    assert!(render(&view, &other_fonts).unwrap().bytes == first.bytes);

    let mut later = view.clone();
    later.issued = date(2025, 6, 13);
    assert!(render(&later, &fonts).unwrap().bytes != first.bytes);
}

#[test]
fn a_long_unit_runs_over_numbered_pages_and_keeps_every_criterion() {
    let view = statement("Tāne Mahuta", 4);
    let rendered = render(&view, &builtin()).unwrap();
    let pages = pages_of(&rendered);
    assert!(pages.len() >= 3, "only {} pages", pages.len());
    let total = pages.len();
    for (i, page) in pages.iter().enumerate() {
        let mark = format!("Page {} of {}", i + 1, total);
        assert!(
            page.contains(&mark),
            "page {} lacks {mark:?}: {page}",
            i + 1
        );
    }
    let pdf = Pdf::parse(&rendered.bytes);
    assert_eq!(pdf.page_count(), total);
    assert!(
        pdf.page_sizes().iter().all(|size| *size == A4),
        "{:?}",
        pdf.page_sizes()
    );

    let text = text_of(&rendered);
    let last = CFACC33_CRITERIA[13];
    assert_eq!(
        text.matches(last).count(),
        4,
        "each round's last criterion appears once"
    );
    assert!(
        pages[0].contains("Verification code 7KQ2-9XHM-PL3D"),
        "{}",
        pages[0]
    );
    assert!(
        pages[total - 1].contains("E28"),
        "the evidence index ends the statement"
    );
}

#[test]
fn the_qr_code_on_page_one_scans_to_the_verification_url() {
    let view = statement("Tāne Mahuta", 1);
    let rendered = render(&view, &builtin()).unwrap();
    let pdf = Pdf::parse(&rendered.bytes);
    assert_eq!(pdf.qr_codes(1), vec![view.verification_url.clone()]);
    assert!(pdf.qr_codes(2).is_empty(), "only page 1 carries the code");
}

#[test]
fn a_character_no_font_has_is_shown_as_a_replacement_and_reported() {
    let name = format!("Tāne {UNCOVERED} Mahuta");
    let fonts = builtin();
    assert_eq!(fonts.uncovered(&name), vec![UNCOVERED]);
    let rendered = render(&statement(&name, 1), &fonts).unwrap();
    assert_eq!(rendered.missing_chars, vec![UNCOVERED]);
    // Issuing records them from the layout alone, without writing the PDF.
    assert_eq!(
        attest::output::pdf::missing_chars(&statement(&name, 1), &fonts).unwrap(),
        rendered.missing_chars
    );
    let text = text_of(&rendered);
    assert!(text.contains("Tāne \u{FFFD} Mahuta"), "{text}");
    assert!(text.contains(CFACC33_CRITERIA[7]), "the rest still renders");
}

#[test]
fn cjk_names_render_with_a_fallback_font_and_are_reported_without_one() {
    let view = statement("王芳", 1);

    let without = render(&view, &builtin()).unwrap();
    assert_eq!(without.missing_chars, vec!['王', '芳']);

    let fonts = FontSet::with_fallback(CJK_FONT.to_vec()).unwrap();
    assert!(fonts.uncovered("王芳 Zoë").is_empty());
    let with = render(&view, &fonts).unwrap();
    assert!(with.missing_chars.is_empty(), "{:?}", with.missing_chars);
    let text = text_of(&with);
    assert!(text.contains("王芳"), "{text}");
    assert!(text.contains("Zoë Ferreira"));
    let fonts = Pdf::parse(&with.bytes).font_names();
    assert!(fonts.iter().any(|f| f.starts_with("ATTFBK+")), "{fonts:?}");
    assert!(
        with.bytes.len() < 150_000,
        "{} bytes with a subset CJK font",
        with.bytes.len()
    );
}

#[test]
fn a_fallback_that_is_not_a_font_is_refused() {
    let error = FontSet::with_fallback(b"not a font at all".to_vec()).unwrap_err();
    assert!(error.to_string().contains("fallback font"), "{error}");
}

#[test]
fn the_service_fonts_are_checked_when_read_and_parsed_on_first_use() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_font = dir.path().join("not-a-font.ttf");
    std::fs::write(&not_a_font, b"not a font at all").unwrap();
    let error = Fonts::load(Some(&not_a_font)).unwrap_err();
    assert!(error.to_string().contains("fallback font"), "{error}");
    let missing = dir.path().join("missing.ttf");
    let error = Fonts::load(Some(&missing)).unwrap_err();
    assert!(error.to_string().contains("missing.ttf"), "{error}");

    let cjk = dir.path().join("cjk.ttf");
    std::fs::write(&cjk, CJK_FONT).unwrap();
    let fonts = Fonts::load(Some(&cjk)).unwrap();
    let first: *const FontSet = fonts.get().unwrap();
    assert!(fonts.get().unwrap().uncovered("王芳 Zoë").is_empty());
    assert!(
        std::ptr::eq(first, fonts.get().unwrap()),
        "parsed once, then kept"
    );
    let builtin_only = Fonts::load(None).unwrap().into_set().unwrap();
    assert_eq!(builtin_only.uncovered("王芳"), vec!['王', '芳']);
}

#[test]
fn fonts_are_subset_so_a_statement_stays_small() {
    let rendered = render(&statement("Tāne Mahuta", 2), &builtin()).unwrap();
    // Both DejaVu files together are 1.4 MB; embedded whole they alone would exceed this.
    assert!(
        rendered.bytes.len() < 100_000,
        "{} bytes",
        rendered.bytes.len()
    );
    let fonts = Pdf::parse(&rendered.bytes).font_names();
    assert_eq!(fonts, ["ATTBLD+DejaVuSans-Bold", "ATTREG+DejaVuSans"]);
}

#[test]
fn a_criterion_longer_than_a_page_is_split_across_pages_without_losing_words() {
    let mut view = statement("Tāne Mahuta", 1);
    let words: Vec<String> = (0..1500).map(|i| format!("word{i}")).collect();
    view.outcomes[1].criteria[0].text = words.join(" ");
    let rendered = render(&view, &builtin()).unwrap();
    let text = text_of(&rendered);
    let pages = pages_of(&rendered);
    assert!(pages.len() >= 4, "{} pages", pages.len());
    assert!(text.contains("word0 word1 word2"));
    // Every word survives the page breaks, in order.
    let mut from = 0;
    for word in &words {
        let at = text[from..]
            .find(&format!("{word} "))
            .unwrap_or_else(|| panic!("{word} lost"));
        from += at;
    }
    assert!(text.contains(CFACC33_CRITERIA[13]));
}

#[test]
fn a_sparse_statement_still_renders() {
    let mut view = statement("Zoë", 1);
    view.outcomes.clear();
    view.evidence.clear();
    view.dated_fields.clear();
    view.comments = String::new();
    view.candidate.national_learner_number = None;
    view.unit.level = None;
    view.unit.credits = None;
    view.organisation.ids.clear();
    let text = text_of(&render(&view, &builtin()).unwrap());
    assert!(text.contains("Zoë"));
    assert!(text.contains("No comments."));
    assert!(text.contains("Page 2 of 2"), "{text}");
}

#[test]
fn a_verification_url_too_long_for_a_qr_code_is_an_error() {
    let mut view = statement("Zoë", 1);
    view.verification_url = format!("https://attest.example.org/verify/{}", "X".repeat(4000));
    let error = render(&view, &builtin()).unwrap_err();
    assert!(error.to_string().contains("QR code"), "{error}");
}

#[test]
fn absurdly_long_names_flow_onto_further_pages_instead_of_off_the_page() {
    let long_name = vec!["Tāne Mahuta"; 400].join(" ");
    let mut view = statement(&long_name, 1);
    view.organisation.name = vec!["Ngāti Pōrou"; 150].join(" ");
    let rendered = render(&view, &builtin()).unwrap();
    let text = text_of(&rendered);
    // Sign-off row, candidate box and organisation all carry every word.
    assert!(
        text.matches("Tāne Mahuta").count() >= 800,
        "{}",
        text.matches("Tāne Mahuta").count()
    );
    assert!(text.matches("Ngāti Pōrou").count() >= 150);
    assert!(text.contains(CFACC33_CRITERIA[13]));
    let pages = pages_of(&rendered);
    let total = pages.len();
    assert!(pages[total - 1].contains(&format!("Page {total} of {total}")));
}
