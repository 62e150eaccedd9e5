//! The plan's CAMERA coverage so far: for each dimension, the values the pool and the samples
//! taken hold, and how many samples (taken and selected now) cover each.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{Candidate, TakenSample};

/// Coverage along CAMERA: Candidates, Assessors, Methods, Evidence (units and outcomes), Records,
/// Assessment sites.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// C: the people enrolled.
    pub candidates: Dimension,
    /// A: the assessors.
    pub assessors: Dimension,
    /// M: the assessment methods.
    pub methods: Dimension,
    /// E: the units, as `code@version`.
    pub units: Dimension,
    /// E: the outcomes, as `code@version/outcome`.
    pub outcomes: Dimension,
    /// R: the portfolio records (enrolments).
    pub records: Dimension,
    /// A: the assessment sites.
    pub sites: Dimension,
}

/// One dimension's values, sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dimension {
    /// How many values the pool and the samples taken hold.
    pub total: usize,
    /// How many of them are covered.
    pub covered: usize,
    /// Every value.
    pub values: Vec<ValueCoverage>,
}

impl Coverage {
    /// The coverage as it stands now: the enrolments `sampled` in the plan since the draw (found in
    /// `pool`) counted as taken — no longer as only selected, for those the draw `selected` — and a
    /// value covered only once a sample carrying it has been *taken*, not while it is merely
    /// selected. What the plan page shows; the draw's own record keeps what it was drawn with.
    pub fn as_taken(
        &self,
        pool: &[Candidate],
        sampled: &BTreeSet<String>,
        selected: &BTreeSet<String>,
    ) -> Coverage {
        let since: Vec<&Candidate> = pool
            .iter()
            .filter(|c| sampled.contains(&c.enrolment_id))
            .collect();
        let adjust = |dim: &Dimension, extract: fn(&Candidate) -> BTreeSet<String>| {
            let mut values = dim.values.clone();
            for candidate in &since {
                let was_selected = selected.contains(&candidate.enrolment_id);
                for value in extract(candidate) {
                    if let Some(line) = values.iter_mut().find(|line| line.value == value) {
                        line.taken += 1;
                        if was_selected {
                            line.selected = line.selected.saturating_sub(1);
                        }
                    }
                }
            }
            for line in &mut values {
                line.covered = line.taken > 0;
            }
            Dimension {
                total: values.len(),
                covered: values.iter().filter(|value| value.covered).count(),
                values,
            }
        };
        Coverage {
            candidates: adjust(&self.candidates, |c| one(&c.candidate_id)),
            assessors: adjust(&self.assessors, |c| one(&c.assessor_id)),
            methods: adjust(&self.methods, |c| many(&c.methods)),
            units: adjust(&self.units, |c| one(&c.standard)),
            outcomes: adjust(&self.outcomes, outcomes),
            records: adjust(&self.records, |c| one(&c.enrolment_id)),
            sites: adjust(&self.sites, |c| many(&c.sites)),
        }
    }
}

impl Dimension {
    /// The values not yet covered.
    pub fn uncovered(&self) -> impl Iterator<Item = &ValueCoverage> {
        self.values.iter().filter(|value| !value.covered)
    }
}

/// One value of a dimension.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueCoverage {
    /// The value, e.g. an assessor id or `Auckland`.
    pub value: String,
    /// Samples already taken in the plan's period that carry it.
    pub taken: usize,
    /// Enrolments selected now that carry it.
    pub selected: usize,
    /// Enrolments eligible for this draw that carry it; 0 means this draw could not cover it
    /// (e.g. only the IV's own decisions carry it).
    pub eligible: usize,
    /// Enrolments carrying it that this IV may never sample (their own assessment, decision or
    /// portfolio): when only these carry it, another IV must cover it.
    pub own: usize,
    /// Whether a sample taken or selected carries it.
    pub covered: bool,
}

/// The coverage of `pool` and `taken` by `taken` and `selected`; `eligible` is the draw, `own`
/// the enrolments the IV may never sample.
pub(super) fn report(
    pool: &[&Candidate],
    taken: &[TakenSample],
    eligible: &[&Candidate],
    own: &[&Candidate],
    selected: &[&Candidate],
) -> Coverage {
    let taken: Vec<&Candidate> = taken.iter().map(|sample| &sample.enrolment).collect();
    let sets = Sets {
        pool,
        taken: &taken,
        eligible,
        own,
        selected,
    };
    Coverage {
        candidates: sets.dimension(|c| one(&c.candidate_id)),
        assessors: sets.dimension(|c| one(&c.assessor_id)),
        methods: sets.dimension(|c| many(&c.methods)),
        units: sets.dimension(|c| one(&c.standard)),
        outcomes: sets.dimension(outcomes),
        records: sets.dimension(|c| one(&c.enrolment_id)),
        sites: sets.dimension(|c| many(&c.sites)),
    }
}

struct Sets<'s, 'a> {
    pool: &'s [&'a Candidate],
    taken: &'s [&'a Candidate],
    eligible: &'s [&'a Candidate],
    own: &'s [&'a Candidate],
    selected: &'s [&'a Candidate],
}

impl Sets<'_, '_> {
    fn dimension(&self, extract: fn(&Candidate) -> BTreeSet<String>) -> Dimension {
        let count = |list: &[&Candidate]| {
            let mut counts: BTreeMap<String, usize> = BTreeMap::new();
            for candidate in list {
                for value in extract(candidate) {
                    *counts.entry(value).or_default() += 1;
                }
            }
            counts
        };
        let taken = count(self.taken);
        let selected = count(self.selected);
        let eligible = count(self.eligible);
        let own = count(self.own);
        let all: BTreeSet<String> = count(self.pool)
            .into_keys()
            .chain(taken.keys().cloned())
            .collect();
        let get =
            |counts: &BTreeMap<String, usize>, value: &str| counts.get(value).copied().unwrap_or(0);
        let values: Vec<ValueCoverage> = all
            .into_iter()
            .map(|value| {
                let taken = get(&taken, &value);
                let selected = get(&selected, &value);
                ValueCoverage {
                    eligible: get(&eligible, &value),
                    own: get(&own, &value),
                    covered: taken + selected > 0,
                    taken,
                    selected,
                    value,
                }
            })
            .collect();
        Dimension {
            total: values.len(),
            covered: values.iter().filter(|value| value.covered).count(),
            values,
        }
    }
}

fn one(value: &str) -> BTreeSet<String> {
    if value.trim().is_empty() {
        BTreeSet::new()
    } else {
        BTreeSet::from([value.to_owned()])
    }
}

fn many(values: &[String]) -> BTreeSet<String> {
    values
        .iter()
        .filter(|value| !value.trim().is_empty())
        .cloned()
        .collect()
}

fn outcomes(candidate: &Candidate) -> BTreeSet<String> {
    many(&candidate.outcomes)
        .into_iter()
        .map(|outcome| format!("{}/{outcome}", candidate.standard))
        .collect()
}
