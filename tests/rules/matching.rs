//! The matching of competing counted requirements equals a brute-force search.

use attest::rules::matching::{Demand, solve};
use proptest::prelude::*;

const MAX_INSTANCES: u32 = 7;

/// A small random problem: up to 4 demands (the later ones possibly within an earlier one) over up
/// to 7 instances.
fn problems() -> impl Strategy<Value = Vec<Demand>> {
    let demand = (
        0u32..=3,
        proptest::option::weighted(0.3, 0usize..4),
        proptest::collection::btree_set(0..MAX_INSTANCES, 0..=MAX_INSTANCES as usize),
    );
    proptest::collection::vec(demand, 1..=4).prop_map(|raw| {
        raw.into_iter()
            .enumerate()
            .map(|(index, (need, within, eligible))| Demand {
                need,
                // Only point at an earlier demand, so nesting is a forest.
                within: within.filter(|&p| p < index),
                eligible: eligible.into_iter().collect(),
            })
            .collect()
    })
}

/// Slots a demand fills itself: its need less the needs of the demands directly within it.
fn own(demands: &[Demand]) -> Vec<u32> {
    (0..demands.len())
        .map(|d| {
            let inner: u32 = demands
                .iter()
                .filter(|other| other.within == Some(d))
                .map(|other| other.need)
                .sum();
            demands[d].need.saturating_sub(inner)
        })
        .collect()
}

fn eligible_with_ancestors(demands: &[Demand], d: usize, instance: u32) -> bool {
    let mut current = Some(d);
    while let Some(c) = current {
        if !demands[c].eligible.contains(&instance) {
            return false;
        }
        current = demands[c].within;
    }
    true
}

/// The most slots any assignment fills, by trying every choice for every instance.
fn brute_force(demands: &[Demand]) -> u32 {
    let slots = own(demands);
    let options: Vec<Vec<Option<usize>>> = (0..MAX_INSTANCES)
        .map(|instance| {
            std::iter::once(None)
                .chain(
                    (0..demands.len())
                        .filter(|&d| eligible_with_ancestors(demands, d, instance))
                        .map(Some),
                )
                .collect()
        })
        .collect();
    let mut best = 0;
    let mut pick = vec![0usize; options.len()];
    loop {
        let mut used = vec![0u32; demands.len()];
        for (instance, &choice) in pick.iter().enumerate() {
            if let Some(d) = options[instance][choice] {
                used[d] += 1;
            }
        }
        if used.iter().zip(&slots).all(|(u, s)| u <= s) {
            best = best.max(used.iter().sum());
        }
        // Next combination (odometer).
        let mut position = 0;
        loop {
            if position == pick.len() {
                return best;
            }
            pick[position] += 1;
            if pick[position] < options[position].len() {
                break;
            }
            pick[position] = 0;
            position += 1;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn matching_fills_as_many_slots_as_brute_force(demands in problems()) {
        let result = solve(&demands);
        prop_assert_eq!(result.filled, brute_force(&demands));
        prop_assert_eq!(result.needed, own(&demands).iter().sum::<u32>());
    }

    #[test]
    fn matching_picks_are_a_valid_assignment(demands in problems()) {
        let result = solve(&demands);
        let slots = own(&demands);
        let mut instances = Vec::new();
        for (d, picks) in result.picks.iter().enumerate() {
            prop_assert!(picks.len() as u32 <= slots[d]);
            for &instance in picks {
                prop_assert!(eligible_with_ancestors(&demands, d, instance));
                instances.push(instance);
            }
        }
        let count = instances.len();
        prop_assert_eq!(count as u32, result.filled);
        instances.sort_unstable();
        instances.dedup();
        prop_assert_eq!(instances.len(), count, "an instance was used twice");
    }
}

/// The most different values instances can show when each instance shows one of its values: every
/// choice of one value (or none) per instance, tried.
fn brute_force_distinct(holds: &[Vec<u32>]) -> usize {
    fn best(holds: &[Vec<u32>], chosen: &mut Vec<u32>) -> usize {
        let Some((first, rest)) = holds.split_first() else {
            let mut distinct = chosen.clone();
            distinct.sort_unstable();
            distinct.dedup();
            return distinct.len();
        };
        let mut most = best(rest, chosen);
        for &value in first {
            chosen.push(value);
            most = most.max(best(rest, chosen));
            chosen.pop();
        }
        most
    }
    best(holds, &mut Vec::new())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn distinct_values_from_different_instances_equal_brute_force(
        holds in proptest::collection::vec(
            proptest::collection::btree_set(0u32..5, 0..=4),
            0..=6,
        ),
        enough in 0u32..=6,
    ) {
        let holds: Vec<Vec<u32>> = holds.into_iter().map(|set| set.into_iter().collect()).collect();
        let slices: Vec<&[u32]> = holds.iter().map(Vec::as_slice).collect();
        let pairs = attest::rules::matching::distinct_values(&slices, enough);
        let expected = brute_force_distinct(&holds).min(enough as usize);
        prop_assert_eq!(pairs.len(), expected);
        // Every pair is a value its instance shows; no value and no instance is used twice.
        let mut values: Vec<u32> = pairs.iter().map(|p| p.0).collect();
        let mut instances: Vec<u32> = pairs.iter().map(|p| p.1).collect();
        for &(value, instance) in &pairs {
            prop_assert!(holds[instance as usize].contains(&value));
        }
        values.sort_unstable();
        values.dedup();
        instances.sort_unstable();
        instances.dedup();
        prop_assert_eq!(values.len(), pairs.len());
        prop_assert_eq!(instances.len(), pairs.len());
    }
}
