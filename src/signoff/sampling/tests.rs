use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use super::*;

const IV: &str = "iv";

fn candidate(enrolment: &str, person: &str, assessor: &str, site: &str) -> Candidate {
    Candidate {
        enrolment_id: enrolment.into(),
        candidate_id: person.into(),
        assessor_id: assessor.into(),
        standard: "H12H 04@1".into(),
        methods: vec!["observation".into()],
        sites: vec![site.into()],
        outcomes: vec!["G1".into()],
        status: "assessed".into(),
        decided_by: Some(assessor.into()),
    }
}

fn plan(seed: u64) -> PlanInput {
    PlanInput {
        iv_id: IV.into(),
        seed,
        kind: SamplingKind::Summative,
        rates: SamplingRates::default(),
        assessors: vec![
            AssessorRisk {
                assessor_id: "a-high".into(),
                risk: RiskRating::High,
            },
            AssessorRisk {
                assessor_id: "a-low".into(),
                risk: RiskRating::Low,
            },
        ],
        taken: Vec::new(),
    }
}

/// `n` enrolments of one assessor, one candidate each, all at one site.
fn cohort(assessor: &str, n: usize) -> Vec<Candidate> {
    (0..n)
        .map(|i| {
            candidate(
                &format!("{assessor}-e{i:03}"),
                &format!("{assessor}-c{i:03}"),
                assessor,
                "Auckland",
            )
        })
        .collect()
}

fn ids(selection: &Selection) -> Vec<String> {
    selection
        .enrolment_ids()
        .into_iter()
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_same_inputs_give_the_same_selection_in_any_pool_order() {
    let mut pool = cohort("a-high", 12);
    pool.extend(cohort("a-low", 30));
    pool[3].sites = vec!["Wellington".into()];
    let first = select(&plan(42), &pool);
    assert_eq!(select(&plan(42), &pool), first);
    pool.reverse();
    assert_eq!(select(&plan(42), &pool), first);
    let mut sorted = ids(&first);
    sorted.sort();
    assert_eq!(ids(&first), sorted, "selected ids come sorted");
}

#[test]
fn different_seeds_draw_different_samples_from_a_large_pool() {
    let pool = cohort("a-low", 200);
    let samples: BTreeSet<Vec<String>> = (1..=5)
        .map(|seed| ids(&select(&plan(seed), &pool)))
        .collect();
    assert_eq!(
        samples.len(),
        5,
        "five seeds gave only {} different samples",
        samples.len()
    );
    for sample in &samples {
        assert_eq!(sample.len(), 20, "10% of 200");
    }
}

#[test]
fn rates_set_how_many_of_each_assessor_are_sampled() {
    let mut pool = cohort("a-high", 7);
    pool.extend(cohort("a-low", 25));
    pool.extend(cohort("a-unrated", 4));
    let selection = select(&plan(3), &pool);
    let count = |assessor: &str| {
        selection
            .selected
            .iter()
            .filter(|s| s.assessor_id == assessor)
            .count()
    };
    assert_eq!(count("a-high"), 4, "⌈50% of 7⌉");
    assert_eq!(count("a-low"), 3, "⌈10% of 25⌉");
    assert_eq!(count("a-unrated"), 4, "no rating: sampled as new, 100%");
    let texts: Vec<String> = selection
        .selected
        .iter()
        .flat_map(Selected::reason_texts)
        .collect();
    assert!(
        texts.contains(&"rate: assessor a-high at high risk 50% (4 of 7)".to_owned()),
        "{texts:?}"
    );
    assert!(
        texts.contains(&"rate: assessor a-unrated at new risk, not rated 100% (4 of 4)".to_owned()),
        "{texts:?}"
    );
}

#[test]
fn every_site_method_and_unit_gets_a_sample_with_the_reason_given() {
    let mut pool = cohort("a-low", 40);
    pool[17].sites = vec!["Wellington".into()];
    pool[23].methods = vec!["witness testimony".into()];
    pool[31].standard = "28268@2".into();
    let selection = select(&plan(9), &pool);
    for (enrolment, reason) in [
        ("a-low-e017", "coverage: site Wellington"),
        ("a-low-e023", "coverage: method witness testimony"),
        ("a-low-e031", "coverage: unit 28268@2"),
    ] {
        let picked = selection
            .selected
            .iter()
            .find(|s| s.enrolment_id == enrolment)
            .unwrap_or_else(|| panic!("{enrolment} not selected: {:?}", ids(&selection)));
        assert!(
            picked.reason_texts().contains(&reason.to_owned()),
            "{:?}",
            picked.reasons
        );
    }
    assert_eq!(selection.coverage.sites.covered, 2);
    assert_eq!(selection.coverage.methods.covered, 2);
    assert_eq!(selection.coverage.units.covered, 2);
}

#[test]
fn at_least_three_candidates_are_sampled_or_all_of_them() {
    let none = SamplingRates::new(0, 0, 0, 0).unwrap();
    let mut zero_rates = plan(5);
    zero_rates.rates = none;
    let people = |selection: &Selection| -> BTreeSet<String> {
        selection
            .selected
            .iter()
            .map(|s| s.candidate_id.clone())
            .collect()
    };
    let selection = select(&zero_rates, &cohort("a-low", 10));
    assert_eq!(people(&selection).len(), 3);
    assert!(selection.selected.iter().any(|s| {
        s.reason_texts()
            .contains(&"random draw: at least 3 candidates".to_owned())
    }));
    // Two enrolments of one person and one of another: both people, however many enrolments.
    let mut pool = cohort("a-low", 3);
    pool[1].candidate_id = pool[0].candidate_id.clone();
    pool[2].candidate_id = "other".into();
    let selection = select(&zero_rates, &pool);
    assert_eq!(people(&selection).len(), 2);
    assert_eq!(select(&zero_rates, &[]).selected, []);
}

#[test]
fn the_ivs_own_decisions_are_never_selected_and_say_why() {
    let mut pool = cohort("a-low", 4);
    let mut own = candidate("own-assessment", "c-x", IV, "Dunedin");
    own.decided_by = Some(IV.into());
    let mut decided = candidate("own-decision", "c-y", "a-low", "Dunedin");
    decided.decided_by = Some(IV.into());
    let portfolio = candidate("own-portfolio", IV, "a-low", "Dunedin");
    pool.extend([own, decided, portfolio]);
    let selection = select(&plan(1), &pool);
    let excluded: BTreeMap<&str, String> = selection
        .excluded
        .iter()
        .map(|e| (e.enrolment_id.as_str(), e.reason.to_string()))
        .collect();
    assert_eq!(
        excluded.get("own-assessment").map(String::as_str),
        Some("the internal verifier is its assessor: an IV cannot verify their own decisions")
    );
    assert_eq!(
        excluded.get("own-decision").map(String::as_str),
        Some("the internal verifier made its decision: an IV cannot verify their own decisions")
    );
    assert_eq!(
        excluded.get("own-portfolio").map(String::as_str),
        Some("the internal verifier is its candidate")
    );
    assert!(!ids(&selection).iter().any(|id| id.starts_with("own-")));
    // Dunedin is only on the IV's own work: shown as uncovered, with nothing eligible to cover it.
    let dunedin = selection
        .coverage
        .sites
        .values
        .iter()
        .find(|v| v.value == "Dunedin")
        .unwrap();
    assert_eq!((dunedin.covered, dunedin.eligible), (false, 0));
    assert!(
        dunedin.own > 0,
        "only the IV's own work carries it: {dunedin:?}"
    );
    assert_eq!(selection.coverage.assessors.uncovered().count(), 1);
}

#[test]
fn the_kind_of_sample_decides_which_statuses_are_drawn_from() {
    let mut pool = cohort("a-high", 6);
    for (candidate, status) in pool.iter_mut().zip([
        "active",
        "submitted",
        "assessed",
        "sampled",
        "certified",
        "withdrawn",
    ]) {
        candidate.status = status.into();
    }
    let summative = select(&plan(2), &pool);
    assert_eq!(summative.draw, ["a-high-e002"]);
    // The active portfolio's record is not ready to sample: not out of reach, not yet decided.
    let active = summative
        .coverage
        .records
        .values
        .iter()
        .find(|v| v.value == "a-high-e000")
        .unwrap();
    assert_eq!((active.covered, active.eligible, active.own), (false, 0, 0));
    let mut interim_plan = plan(2);
    interim_plan.kind = SamplingKind::Interim;
    let interim = select(&interim_plan, &pool);
    let mut drawn = interim.draw.clone();
    drawn.sort();
    assert_eq!(drawn, ["a-high-e000", "a-high-e001"]);
    let stage = interim
        .excluded
        .iter()
        .find(|e| e.enrolment_id == "a-high-e002")
        .unwrap();
    assert_eq!(
        stage.reason.to_string(),
        "its status is assessed; interim samples draw from active or submitted"
    );
}

#[test]
fn samples_taken_earlier_count_towards_the_plan() {
    let pool = cohort("a-low", 10);
    let mut later = plan(4);
    later.rates = SamplingRates::new(0, 0, 0, 0).unwrap();
    later.taken = pool[..3]
        .iter()
        .map(|c| TakenSample {
            kind: SamplingKind::Summative,
            enrolment: c.clone(),
        })
        .collect();
    let selection = select(&later, &pool);
    assert_eq!(
        selection.selected,
        [],
        "coverage and the 3 candidates are already met"
    );
    assert_eq!(selection.excluded.len(), 3);
    assert!(selection.excluded.iter().all(|e| e.reason
        == Exclusion::AlreadySampled {
            kind: SamplingKind::Summative
        }));
    assert_eq!(selection.coverage.records.covered, 3);
    assert_eq!(selection.coverage.records.total, 10);
    assert_eq!(selection.coverage.assessors.uncovered().count(), 0);
}

#[test]
fn coverage_reports_every_camera_dimension() {
    let mut pool = cohort("a-high", 2);
    pool[1].outcomes = vec!["G2".into(), "G3".into()];
    pool[1].methods = vec!["observation".into(), "".into(), "product".into()];
    let coverage = select(&plan(6), &pool).coverage;
    let values = |d: &Dimension| d.values.iter().map(|v| v.value.clone()).collect::<Vec<_>>();
    assert_eq!(
        values(&coverage.outcomes),
        ["H12H 04@1/G1", "H12H 04@1/G2", "H12H 04@1/G3"]
    );
    assert_eq!(values(&coverage.methods), ["observation", "product"]);
    assert_eq!(values(&coverage.candidates), ["a-high-c000", "a-high-c001"]);
    assert_eq!(values(&coverage.records), ["a-high-e000", "a-high-e001"]);
    assert_eq!(coverage.sites.total, 1);
    // ⌈50% of 2⌉ = 1 would do for the rate, but 3 candidates (here both) are required.
    assert_eq!(coverage.candidates.covered, 2);
}

#[test]
fn selected_is_covered_only_once_its_sample_is_taken() {
    let pool = cohort("a-high", 2);
    let selection = select(&plan(6), &pool);
    let chosen: BTreeSet<String> = selection
        .enrolment_ids()
        .into_iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(chosen.len(), 2);
    // Drawn, nothing sampled yet: selected, not covered.
    let now = selection
        .coverage
        .as_taken(&pool, &BTreeSet::new(), &chosen);
    assert_eq!(now.records.covered, 0);
    assert!(
        now.records
            .values
            .iter()
            .all(|v| v.selected == 1 && !v.covered)
    );
    // One sampled: its values are covered, taken and no longer only selected.
    let sampled = BTreeSet::from(["a-high-e001".to_owned()]);
    let now = selection.coverage.as_taken(&pool, &sampled, &chosen);
    assert_eq!(now.records.covered, 1);
    let line = &now.records.values[1];
    assert_eq!((line.taken, line.selected, line.covered), (1, 0, true));
    assert_eq!(now.assessors.covered, 1);
    assert_eq!(now.candidates.covered, 1);
    assert!(!now.records.values[0].covered);
}

#[test]
fn a_duplicate_enrolment_is_drawn_once() {
    let mut pool = cohort("a-high", 3);
    pool.push(pool[1].clone());
    let selection = select(&plan(8), &pool);
    assert_eq!(selection.draw.len(), 3);
    assert_eq!(selection.excluded.len(), 1);
    assert_eq!(selection.excluded[0].reason, Exclusion::Duplicate);
}

// ---- properties over random pools ----

/// How many different values each field draws from; small breadths make the rare cases (one
/// assessor, one site, fewer than 3 candidates) common.
#[derive(Clone, Copy, Debug)]
struct Breadth {
    assessors: u8,
    people: u8,
    units: u8,
    methods: u8,
    sites: u8,
}

fn arb_breadth() -> impl Strategy<Value = Breadth> {
    (1u8..=5, 1u8..=8, 1u8..=3, 1u8..=4, 1u8..=3).prop_map(
        |(assessors, people, units, methods, sites)| Breadth {
            assessors,
            people,
            units,
            methods,
            sites,
        },
    )
}

fn arb_candidate(breadth: Breadth) -> impl Strategy<Value = Candidate> {
    let names = |prefix: &'static str, n: u8| (0..n).prop_map(move |i| format!("{prefix}{i}"));
    let person = prop_oneof![9 => names("a", breadth.assessors), 1 => Just(IV.to_owned())];
    (
        names("e", 30),
        prop_oneof![9 => names("c", breadth.people), 1 => Just(IV.to_owned())],
        person.clone(),
        names("u", breadth.units),
        proptest::collection::vec(names("m", breadth.methods), 0..3),
        proptest::collection::vec(names("s", breadth.sites), 0..3),
        proptest::sample::select(vec![
            "active",
            "submitted",
            "assessed",
            "sampled",
            "withdrawn",
        ]),
        proptest::option::of(person),
    )
        .prop_map(
            |(
                enrolment_id,
                candidate_id,
                assessor_id,
                standard,
                methods,
                sites,
                status,
                decided_by,
            )| {
                Candidate {
                    enrolment_id,
                    candidate_id,
                    assessor_id,
                    standard,
                    methods,
                    sites,
                    outcomes: vec!["1".into()],
                    status: status.into(),
                    decided_by,
                }
            },
        )
}

fn arb_risk() -> impl Strategy<Value = RiskRating> {
    proptest::sample::select(RiskRating::ALL.to_vec())
}

fn arb_kind() -> impl Strategy<Value = SamplingKind> {
    prop_oneof![Just(SamplingKind::Interim), Just(SamplingKind::Summative)]
}

fn arb_rate() -> impl Strategy<Value = u32> {
    prop_oneof![Just(0u32), Just(100u32), 0u32..=100]
}

fn arb_plan(breadth: Breadth) -> impl Strategy<Value = PlanInput> {
    (
        any::<u64>(),
        arb_kind(),
        (arb_rate(), arb_rate(), arb_rate(), arb_rate()),
        proptest::collection::vec((0u8..5, arb_risk()), 0..5),
        proptest::collection::vec((arb_kind(), arb_candidate(breadth)), 0..4),
    )
        .prop_map(
            |(seed, kind, (new, low, medium, high), risks, taken)| PlanInput {
                iv_id: IV.into(),
                seed,
                kind,
                rates: SamplingRates::new(new, low, medium, high).unwrap(),
                assessors: risks
                    .into_iter()
                    .map(|(i, risk)| AssessorRisk {
                        assessor_id: format!("a{i}"),
                        risk,
                    })
                    .collect(),
                taken: taken
                    .into_iter()
                    .map(|(kind, enrolment)| TakenSample { kind, enrolment })
                    .collect(),
            },
        )
}

/// The values of a dimension, computed here independently of the module's own helper.
fn carried(c: &Candidate, dimension: Covers) -> Vec<String> {
    let list = match dimension {
        Covers::Assessor => vec![c.assessor_id.clone()],
        Covers::Unit => vec![c.standard.clone()],
        Covers::Method => c.methods.clone(),
        Covers::Site => c.sites.clone(),
    };
    list.into_iter().filter(|v| !v.is_empty()).collect()
}

fn is_independent(c: &Candidate) -> bool {
    c.assessor_id != IV && c.decided_by.as_deref() != Some(IV) && c.candidate_id != IV
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_rule_holds_for_random_pools(
        (plan, pool) in arb_breadth().prop_flat_map(|breadth| {
            (arb_plan(breadth), proptest::collection::vec(arb_candidate(breadth), 0..40))
        }),
    ) {
        let selection = select(&plan, &pool);
        // Where the pool repeats an id, the entry that sorts first is the one drawn.
        let mut in_order: Vec<&Candidate> = pool.iter().collect();
        in_order.sort();
        let mut by_id: BTreeMap<&str, &Candidate> = BTreeMap::new();
        for c in in_order {
            by_id.entry(c.enrolment_id.as_str()).or_insert(c);
        }

        // The pool splits into the draw and the exclusions; nothing is selected twice.
        prop_assert_eq!(selection.draw.len() + selection.excluded.len(), pool.len());
        let selected_ids: Vec<&str> = selection.enrolment_ids();
        let unique: BTreeSet<&str> = selected_ids.iter().copied().collect();
        prop_assert_eq!(unique.len(), selected_ids.len());
        let mut sorted = selected_ids.clone();
        sorted.sort();
        prop_assert_eq!(&sorted, &selected_ids);

        // The draw holds exactly the enrolments that may be sampled.
        let eligible: Vec<&Candidate> = selection.draw.iter().map(|id| by_id[id.as_str()]).collect();
        for c in &eligible {
            prop_assert!(is_independent(c), "{:?}", c);
            prop_assert!(plan.kind.statuses().contains(&c.status.as_str()));
            prop_assert!(!plan.taken.iter().any(|t| t.kind == plan.kind && t.enrolment.enrolment_id == c.enrolment_id));
        }
        for excluded in &selection.excluded {
            let dependent = pool.iter().filter(|c| c.enrolment_id == excluded.enrolment_id).any(|c| !is_independent(c));
            if matches!(excluded.reason, Exclusion::OwnAssessment | Exclusion::OwnDecision | Exclusion::OwnPortfolio) {
                prop_assert!(dependent);
            }
        }
        // The IV's own decisions are never selected.
        for id in &selected_ids {
            prop_assert!(selection.draw.iter().any(|d| d == id));
            prop_assert!(is_independent(by_id[id]));
        }

        let chosen: Vec<&Candidate> = selected_ids.iter().map(|id| by_id[id]).collect();
        let sampled: Vec<&Candidate> = plan.taken.iter().map(|t| &t.enrolment).chain(chosen.iter().copied()).collect();

        // Coverage: every assessor, unit, method and site of the eligible pool is sampled.
        for dimension in Covers::ALL {
            let have: BTreeSet<String> = sampled.iter().flat_map(|c| carried(c, dimension)).collect();
            for c in &eligible {
                for value in carried(c, dimension) {
                    prop_assert!(have.contains(&value), "{:?} {} uncovered", dimension, value);
                }
            }
        }

        // At least 3 candidates over the plan, or all there are.
        let people = |list: &[&Candidate]| list.iter().map(|c| c.candidate_id.clone()).collect::<BTreeSet<_>>();
        let available: Vec<&Candidate> = plan.taken.iter().map(|t| &t.enrolment).chain(eligible.iter().copied()).collect();
        prop_assert!(people(&sampled).len() >= people(&available).len().min(3));

        // Each assessor's rate is met.
        let mut pools: BTreeMap<&str, usize> = BTreeMap::new();
        for c in &eligible {
            *pools.entry(c.assessor_id.as_str()).or_default() += 1;
        }
        for (assessor, n) in pools {
            let risk = plan.assessors.iter().find(|a| a.assessor_id == assessor).map_or(RiskRating::New, |a| a.risk);
            let required = (n * plan.rates.percent(risk) as usize).div_ceil(100);
            let got = chosen.iter().filter(|c| c.assessor_id == assessor).count();
            prop_assert!(got >= required, "assessor {} got {} of {} needed", assessor, got, required);
        }

        // The coverage report agrees with the samples.
        for value in &selection.coverage.records.values {
            let is_sampled = sampled.iter().any(|c| c.enrolment_id == value.value);
            prop_assert_eq!(value.covered, is_sampled);
        }

        // Reproducible, whatever the pool's order.
        let mut reversed = pool.clone();
        reversed.reverse();
        prop_assert_eq!(select(&plan, &reversed), selection);
    }
}
