//! Statement rendering speed and size (issue 7): one statement for a 30-criterion unit with 40
//! evidence references (target under 20 ms and under 150 KB), and a batch of 1,000 statements
//! rendered on two threads (target under 20 s on a 2-core machine).
//!
//! Run with `cargo bench --bench pdf`; the statement's size is printed before the timings.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use attest::output::pdf::{
    CandidateView, CriterionView, DatedFieldView, EvidenceView, FontSet, LabelledValue,
    OrganisationView, OutcomeView, SignOffView, StatementView, UnitView, render,
};
use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};

const CRITERIA: usize = 30;
const EVIDENCE: usize = 40;
const BATCH: usize = 1_000;
const THREADS: usize = 2;

const NAMES: [&str; 6] = [
    "Tāne Mahuta",
    "Zoë Ferreira",
    "Łukasz Nowak",
    "Aroha Ngāti Pōrou",
    "Siobhán Ó Briain",
    "Ἀλέξανδρος Παπαδόπουλος",
];

fn day(n: usize) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Days::new(n as u64)
}

/// A statement for a unit of three outcomes and `CRITERIA` criteria, citing `EVIDENCE` items.
fn statement(candidate: &str, serial: usize) -> StatementView {
    let per_outcome = CRITERIA / 3;
    let outcomes = (0..3)
        .map(|o| OutcomeView {
            reference: format!("{}", o + 1),
            title: format!("Outcome {} of the unit: plan, carry out and review the work to the standard", o + 1),
            criteria: (0..per_outcome)
                .map(|c| {
                    let n = o * per_outcome + c;
                    CriterionView {
                        reference: format!("{}.{}", o + 1, c + 1),
                        text: format!(
                            "Criterion {n}: identify options for dealing with the customer's request and the \
                             advantages and disadvantages of each for the customer and the organisation."
                        ),
                        evidence: (0..3).map(|k| format!("E{:02}", (n + k * 13) % EVIDENCE + 1)).collect(),
                    }
                })
                .collect(),
        })
        .collect();
    let code = format!("BNCH-{serial:04}-XQ7P");
    StatementView {
        organisation: OrganisationView {
            name: "Ngāti Pōrou Training Trust".into(),
            ids: vec![LabelledValue { label: "Centre number".into(), value: "4231087".into() }],
        },
        candidate: CandidateView {
            name: candidate.into(),
            national_learner_number: Some(LabelledValue { label: "NSN".into(), value: format!("{:09}", 100_000 + serial) }),
        },
        unit: UnitView {
            framework: "NZQA unit standard".into(),
            code: "28268".into(),
            title: "Demonstrate knowledge of contact centre operations and customer support".into(),
            version: "2".into(),
            level: Some("3".into()),
            credits: Some("5".into()),
        },
        outcomes,
        evidence: (1..=EVIDENCE)
            .map(|n| EvidenceView {
                reference: format!("E{n:02}"),
                date: day(n * 3),
                method: ["Observation", "Product evidence", "Professional discussion", "Witness testimony"][n % 4].into(),
                setting: if n % 5 == 0 { "Simulated".into() } else { "Workplace".into() },
                site: ["Wellington contact centre", "Gisborne office", "Remote (home working)"][n % 3].into(),
            })
            .collect(),
        sign_offs: vec![
            SignOffView { role: "Candidate".into(), name: candidate.into(), date: day(200) },
            SignOffView { role: "Assessor".into(), name: "Zoë Ferreira".into(), date: day(202) },
            SignOffView { role: "Internal Verifier".into(), name: "Łukasz Nowak".into(), date: day(209) },
        ],
        dated_fields: vec![DatedFieldView { label: "Date sampled (by IV)".into(), date: day(208) }],
        statement_wording: "I confirm that all evidence (including Knowledge and Understanding), for the entire Unit has been met:".into(),
        comments: "Consistent, well-evidenced practice across all sites.".into(),
        verification_url: format!("https://attest.example.org/verify/{code}"),
        verification_code: code,
        issued: day(210),
    }
}

fn one_statement(c: &mut Criterion) {
    let fonts = FontSet::builtin().expect("built-in fonts");
    let view = statement(NAMES[0], 0);
    let size = render(&view, &fonts).expect("renders").bytes.len();
    println!(
        "statement with {CRITERIA} criteria and {EVIDENCE} evidence references: {size} bytes ({:.1} KB)",
        size as f64 / 1024.0
    );
    c.bench_function("render 30 criteria, 40 evidence", |b| {
        b.iter(|| render(black_box(&view), &fonts).expect("renders"))
    });
}

fn batch(c: &mut Criterion) {
    let fonts = FontSet::builtin().expect("built-in fonts");
    let views: Vec<StatementView> = (0..BATCH)
        .map(|i| statement(NAMES[i % NAMES.len()], i))
        .collect();
    let mut group = c.benchmark_group("batch");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(30));
    group.bench_function("render 1,000 statements on 2 threads", |b| {
        b.iter(|| {
            std::thread::scope(|scope| {
                let workers: Vec<_> = views
                    .chunks(BATCH.div_ceil(THREADS))
                    .map(|chunk| {
                        let fonts = &fonts;
                        scope.spawn(move || {
                            chunk
                                .iter()
                                .map(|v| render(v, fonts).expect("renders").bytes.len())
                                .sum::<usize>()
                        })
                    })
                    .collect();
                workers
                    .into_iter()
                    .map(|w| w.join().expect("worker"))
                    .sum::<usize>()
            })
        })
    });
    group.finish();
}

criterion_group!(benches, one_statement, batch);
criterion_main!(benches);
