//! Statement rendering speed and size (issue 7): one statement for a 30-criterion unit with 40
//! evidence references (target under 20 ms and under 150 KB), and a batch of 1,000 statements
//! rendered on two threads (target under 20 s on a 2-core machine).
//!
//! Also (issue 21): signing one Open Badges credential (VC-JOSE, Ed25519) and the statement with
//! its signed credential and audit checkpoint attached.
//!
//! Run with `cargo bench --bench pdf`; the statement's size is printed before the timings.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use attest::output::pdf::{
    Attachment, CandidateView, CriterionView, DatedFieldView, EvidenceView, FontSet, LabelledValue,
    OrganisationView, OutcomeView, SignOffView, StatementView, UnitView, render, render_with,
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

/// A credential about the size of a real one, signed as Attest signs them.
fn credential() -> serde_json::Value {
    serde_json::json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:5d6f0b1e-2f7a-4a53-9a39-1f4a1d6f2c11",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": { "id": "did:web:attest.example:orgs:5d6f0b1e", "type": ["Profile"], "name": "Ngāti Pōrou Training Trust" },
        "validFrom": "2025-07-30T00:00:00Z",
        "credentialSubject": {
            "id": "urn:uuid:0b1e5d6f-2f7a-4a53-9a39-1f4a1d6f2c11", "type": ["AchievementSubject"],
            "achievement": { "id": "https://attest.example/api/standards/28268/2", "type": ["Achievement"],
                "name": "Demonstrate knowledge of contact centre operations and customer support",
                "criteria": { "narrative": "Met every outcome and performance criterion of NZQA 28268 version 2." },
                "humanCode": "28268", "version": "2", "creditsAvailable": 5.0 },
            "result": [{ "type": ["Result"], "value": "Achieved", "status": "Completed" }],
        },
        "evidence": [{ "id": "https://attest.example/verify/BNCH-0000-XQ7P", "type": ["Evidence"],
            "narrative": "The assessor signed off the portfolio whose SHA-256 snapshot hash is 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08." }],
        "credentialStatus": { "id": "https://attest.example/credentials/status/5d6f0b1e#17", "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation", "statusListIndex": "17", "statusListCredential": "https://attest.example/credentials/status/5d6f0b1e" },
    })
}

fn signed(c: &mut Criterion) {
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let badge = credential();
    let kid = "did:web:attest.example:orgs:5d6f0b1e#key";
    c.bench_function("sign one Open Badges credential (VC-JOSE, Ed25519)", |b| {
        b.iter(|| attest::keys::jws::sign(&key, kid, "vc+jwt", black_box(&badge)).expect("signs"))
    });
    let jws = attest::keys::jws::sign(&key, kid, "vc+jwt", &badge).expect("signs");
    let checkpoint = attest::keys::jws::sign(
        &key,
        kid,
        "attest-audit-checkpoint+jwt",
        &serde_json::json!({ "count": 123456, "head": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "at": "2025-07-30T00:00:00Z" }),
    )
    .expect("signs");
    let files = [
        Attachment {
            name: "BNCH-0000-XQ7P.vc.jwt",
            media_type: "application/vc+jwt",
            description: "credential",
            bytes: jws.as_bytes(),
        },
        Attachment {
            name: "audit-checkpoint.jwt",
            media_type: "application/jwt",
            description: "checkpoint",
            bytes: checkpoint.as_bytes(),
        },
    ];
    let fonts = FontSet::builtin().expect("built-in fonts");
    let view = statement(NAMES[0], 0);
    let size = render_with(&view, &fonts, &files)
        .expect("renders")
        .bytes
        .len();
    println!(
        "statement with its signed credential ({} bytes) attached: {size} bytes ({:.1} KB)",
        jws.len(),
        size as f64 / 1024.0
    );
    c.bench_function(
        "render 30 criteria, 40 evidence, credential attached",
        |b| b.iter(|| render_with(black_box(&view), &fonts, &files).expect("renders")),
    );
}

criterion_group!(benches, one_statement, signed, batch);
criterion_main!(benches);
