//! Rules engine speed (issue 4): a complete NZQA 28268 portfolio of 40 evidence instances (target
//! under 50 µs), 10,000 such portfolios on one core (target under 1 s), and how the cost grows with
//! 10, 100 and 1,000 instances. Each is measured with `evaluate` (which compiles the standard every
//! time) and, where it matters, with an `Engine` that compiled it once, as a service keeps it.
//!
//! Run with `cargo bench --bench engine`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use attest::rules::{Engine, Interpretations, Portfolio, View, evaluate};
use attest::standards::{Standard, load_file};
use chrono::Days;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn standard() -> Standard {
    load_file(&Path::new(ROOT).join("standards/nzqa-28268-v2.yaml"))
        .expect("the seed standard loads")
        .standard
}

/// The complete example portfolio grown to `instances` pieces of evidence by repeating its evidence
/// under new ids, a week later each round (every copy counts, so the portfolio stays complete).
fn portfolio(instances: usize) -> Portfolio {
    let path = Path::new(ROOT).join("examples/portfolios/nzqa-28268-complete.yaml");
    let text = std::fs::read_to_string(path).expect("the example portfolio is readable");
    let mut portfolio: Portfolio = serde_yaml::from_str(&text).expect("the example parses");
    let originals = portfolio.evidence.clone();
    portfolio.evidence = (0..instances)
        .map(|n| {
            let mut evidence = originals[n % originals.len()].clone();
            evidence.id = format!("{}-{n}", evidence.id);
            evidence.date = evidence.date + Days::new(7 * (n / originals.len()) as u64);
            evidence
        })
        .collect();
    portfolio
}

fn engine(c: &mut Criterion) {
    let standard = standard();
    let none = Interpretations::new();
    let forty = portfolio(40);
    assert!(evaluate(&standard, &forty, View::Confirmed, &none).complete);

    c.bench_function("evaluate 28268, 40 instances", |b| {
        b.iter(|| evaluate(&standard, black_box(&forty), View::Confirmed, &none));
    });
    let engine = Engine::new(&standard, &none);
    c.bench_function(
        "evaluate 28268, 40 instances, standard compiled once",
        |b| {
            b.iter(|| engine.evaluate(black_box(&forty), View::Confirmed));
        },
    );

    let mut batch = c.benchmark_group("10,000 portfolios of 40 instances");
    batch.sample_size(10);
    batch.measurement_time(Duration::from_secs(20));
    batch.bench_function("evaluate each", |b| {
        b.iter(|| {
            (0..10_000)
                .filter(|_| evaluate(&standard, black_box(&forty), View::Confirmed, &none).complete)
                .count()
        });
    });
    batch.bench_function("one compiled engine", |b| {
        let engine = Engine::new(&standard, &none);
        b.iter(|| {
            (0..10_000)
                .filter(|_| engine.evaluate(black_box(&forty), View::Confirmed).complete)
                .count()
        });
    });
    batch.finish();

    let mut scaling = c.benchmark_group("scaling");
    for instances in [10, 100, 1_000] {
        let grown = portfolio(instances);
        scaling.throughput(Throughput::Elements(instances as u64));
        scaling.bench_with_input(BenchmarkId::from_parameter(instances), &grown, |b, p| {
            b.iter(|| evaluate(&standard, black_box(p), View::Confirmed, &none));
        });
    }
    scaling.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
