//! Properties of the engine on random portfolios built from the seed examples' evidence, each piece
//! possibly changed (a mapping dropped, a range item missing, judgements pending or rejected, a
//! simulation, attributes or links gone):
//! - adding confirmed evidence never turns a met requirement unmet;
//! - removing evidence never turns an unmet requirement met;
//! - the same input gives the same JSON.

use std::sync::OnceLock;

use attest::rules::portfolio::{Evidence, Judgement, Setting};
use attest::rules::{Portfolio, View};
use attest::standards::Standard;
use proptest::prelude::*;

use super::support::*;

/// Per seed standard: the standard, and a portfolio of every piece of evidence of its two examples.
fn seeds() -> &'static [(Standard, Portfolio)] {
    static SEEDED: OnceLock<Vec<(Standard, Portfolio)>> = OnceLock::new();
    SEEDED.get_or_init(|| {
        SEEDS
            .iter()
            .map(|stem| {
                let mut pool = complete(stem);
                let incomplete = portfolio(&portfolio_path(stem, "incomplete"));
                pool.evidence
                    .extend(incomplete.evidence.into_iter().map(|mut e| {
                        e.id = format!("{}-again", e.id);
                        e
                    }));
                (standard(stem), pool)
            })
            .collect()
    })
}

/// One way to spoil a piece of evidence (or leave it be).
fn change(evidence: &mut Evidence, how: u8) {
    match how % 8 {
        1 => {
            evidence.criteria.pop();
        }
        2 => {
            if let Some(items) = evidence
                .criteria
                .iter_mut()
                .find_map(|m| m.range.values_mut().next())
            {
                items.pop();
            }
        }
        3 => judge_all(evidence, Judgement::Pending),
        4 => {
            if let Some(mapping) = evidence.criteria.first_mut() {
                mapping.judgement = Judgement::Rejected;
            }
        }
        5 => evidence.setting = Setting::Simulation,
        6 => evidence.attributes.clear(),
        7 => evidence.links.clear(),
        _ => {}
    }
}

/// A portfolio of the pool's evidence picked by `picks`, changed by `changes`.
fn build(pool: &Portfolio, picks: &[u16], changes: &[u8]) -> Portfolio {
    let mut portfolio = pool.clone();
    portfolio.evidence = picks
        .iter()
        .zip(changes.iter().chain(std::iter::repeat(&0)))
        .enumerate()
        .map(|(n, (pick, how))| {
            let mut evidence = pool.evidence[*pick as usize % pool.evidence.len()].clone();
            // Unique ids: the same pool evidence may be picked twice.
            evidence.id = format!("{}-{n}", evidence.id);
            change(&mut evidence, *how);
            evidence
        })
        .collect();
    portfolio
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn adding_confirmed_evidence_never_unmeets(
        seed in 0..SEEDS.len(),
        picks in proptest::collection::vec(any::<u16>(), 0..14),
        changes in proptest::collection::vec(any::<u8>(), 14),
        extra in any::<u16>(),
        extra_change in any::<u8>(),
    ) {
        let (standard, pool) = &seeds()[seed];
        let before = build(pool, &picks, &changes);
        let mut after = before.clone();
        let mut added = pool.evidence[extra as usize % pool.evidence.len()].clone();
        added.id = "added".into();
        change(&mut added, extra_change);
        judge_all(&mut added, Judgement::Accepted);
        after.evidence.push(added);
        let met_before = met(&confirmed(standard, &before));
        let met_after = met(&confirmed(standard, &after));
        let lost: Vec<&String> = met_before.difference(&met_after).collect();
        prop_assert!(lost.is_empty(), "adding evidence unmet {:?}", lost);
    }

    #[test]
    fn removing_evidence_never_meets(
        seed in 0..SEEDS.len(),
        picks in proptest::collection::vec(any::<u16>(), 1..14),
        changes in proptest::collection::vec(any::<u8>(), 14),
        remove in any::<u16>(),
    ) {
        let (standard, pool) = &seeds()[seed];
        let before = build(pool, &picks, &changes);
        let mut after = before.clone();
        after.evidence.remove(remove as usize % before.evidence.len());
        let met_before = met(&confirmed(standard, &before));
        let met_after = met(&confirmed(standard, &after));
        let gained: Vec<&String> = met_after.difference(&met_before).collect();
        prop_assert!(gained.is_empty(), "removing evidence met {:?}", gained);
    }

    #[test]
    fn same_input_same_json(
        seed in 0..SEEDS.len(),
        picks in proptest::collection::vec(any::<u16>(), 0..14),
        changes in proptest::collection::vec(any::<u8>(), 14),
    ) {
        let (standard, pool) = &seeds()[seed];
        let portfolio = build(pool, &picks, &changes);
        let view = if picks.len() % 2 == 0 { View::Claimed } else { View::Confirmed };
        let none = attest::rules::Interpretations::new();
        let first = serde_json::to_string(&attest::rules::evaluate(standard, &portfolio, view, &none));
        let again = serde_json::to_string(&attest::rules::evaluate(standard, &portfolio, view, &none));
        prop_assert_eq!(first.expect("serializes"), again.expect("serializes"));
    }

    #[test]
    fn an_incomplete_confirmed_report_always_has_a_gap(
        seed in 0..SEEDS.len(),
        picks in proptest::collection::vec(any::<u16>(), 0..14),
        changes in proptest::collection::vec(any::<u8>(), 14),
    ) {
        let (standard, pool) = &seeds()[seed];
        let portfolio = build(pool, &picks, &changes);
        let report = confirmed(standard, &portfolio);
        prop_assert_eq!(report.complete, report.gaps.is_empty(), "{:?}", gaps(&report));
    }
}
