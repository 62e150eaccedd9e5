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
