//! The rules that pick from the draw: coverage first, then the candidate minimum, then the rates.
//! Each rule takes the first enrolment in draw order that serves it, so the seed decides which
//! enrolment serves a rule and the rules decide how many are taken.

use std::collections::{BTreeMap, BTreeSet};

use super::pool::values;
use super::{Candidate, Covers, PlanInput, Reason};

/// The minimum number of different candidates a plan samples, where the pool has that many.
const MIN_CANDIDATES: usize = 3;

/// The picks, as (draw rank, reasons), in draw order.
pub(super) fn pick(plan: &PlanInput, draw: &[&Candidate]) -> Vec<(usize, Vec<Reason>)> {
    let mut picker = Picker::new(plan, draw);
    picker.cover_dimensions();
    picker.cover_candidates();
    picker.meet_rates();
    picker
        .reasons
        .into_iter()
        .enumerate()
        .filter_map(|(rank, reasons)| reasons.map(|reasons| (rank, reasons)))
        .collect()
}

struct Picker<'a> {
    plan: &'a PlanInput,
    draw: &'a [&'a Candidate],
    /// By draw rank: the reasons of a picked enrolment, `None` for one not picked.
    reasons: Vec<Option<Vec<Reason>>>,
    /// Values the plan has sampled so far (taken samples and picks), by dimension.
    covered: BTreeMap<Covers, BTreeSet<&'a str>>,
    /// Candidates the plan has sampled so far.
    candidates: BTreeSet<&'a str>,
}

impl<'a> Picker<'a> {
    fn new(plan: &'a PlanInput, draw: &'a [&'a Candidate]) -> Self {
        let mut covered: BTreeMap<Covers, BTreeSet<&'a str>> = BTreeMap::new();
        let mut candidates = BTreeSet::new();
        for taken in &plan.taken {
            for dimension in Covers::ALL {
                covered
                    .entry(dimension)
                    .or_default()
                    .extend(values(&taken.enrolment, dimension));
            }
            candidates.extend(candidate_of(&taken.enrolment));
        }
        Picker {
            plan,
            draw,
            reasons: vec![None; draw.len()],
            covered,
            candidates,
        }
    }

    /// Every assessor, unit, method and site of the eligible pool, in that order and each in
    /// sorted order of its values, gets a sample unless the plan already has one.
    fn cover_dimensions(&mut self) {
        for dimension in Covers::ALL {
            let wanted: BTreeSet<&'a str> = self
                .draw
                .iter()
                .flat_map(|candidate| values(candidate, dimension))
                .collect();
            for value in wanted {
                if self.is_covered(dimension, value) {
                    continue;
                }
                let first = self
                    .draw
                    .iter()
                    .position(|candidate| values(candidate, dimension).contains(value));
                if let Some(rank) = first {
                    let reason = Reason::Coverage {
                        dimension,
                        value: value.to_owned(),
                    };
                    self.take(rank, reason);
                }
            }
        }
    }

    /// At least [`MIN_CANDIDATES`] different candidates over the plan, or all there are.
    fn cover_candidates(&mut self) {
        let available: BTreeSet<&str> = self
            .plan
            .taken
            .iter()
            .map(|taken| &taken.enrolment)
            .chain(self.draw.iter().copied())
            .filter_map(candidate_of)
            .collect();
        let minimum = MIN_CANDIDATES.min(available.len());
        while self.candidates.len() < minimum {
            let next = (0..self.draw.len()).find(|&rank| {
                self.reasons[rank].is_none()
                    && candidate_of(self.draw[rank])
                        .is_some_and(|person| !self.candidates.contains(person))
            });
            match next {
                Some(rank) => self.take(rank, Reason::Candidates { minimum }),
                None => break,
            }
        }
    }

    /// Each assessor gets ⌈rate × their eligible enrolments⌉ picks, counting picks already made.
    fn meet_rates(&mut self) {
        let mut by_assessor: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (rank, candidate) in self.draw.iter().enumerate() {
            by_assessor
                .entry(candidate.assessor_id.as_str())
                .or_default()
                .push(rank);
        }
        for (assessor_id, ranks) in by_assessor {
            let (risk, rated) = self.plan.risk_of(assessor_id);
            let pool = ranks.len();
            let required = self.plan.rates.required(risk, pool);
            let mut have = ranks.iter().filter(|&&rank| self.is_picked(rank)).count();
            for rank in ranks {
                if have >= required {
                    break;
                }
                if self.is_picked(rank) {
                    continue;
                }
                let reason = Reason::Rate {
                    assessor_id: assessor_id.to_owned(),
                    risk,
                    rated,
                    percent: self.plan.rates.percent(risk),
                    required,
                    pool,
                };
                self.take(rank, reason);
                have += 1;
            }
        }
    }

    /// Picks the enrolment at `rank` for `primary`, noting every value it newly covers.
    fn take(&mut self, rank: usize, primary: Reason) {
        let candidate = self.draw[rank];
        let mut reasons = vec![primary];
        for dimension in Covers::ALL {
            for value in values(candidate, dimension) {
                let newly = self.covered.entry(dimension).or_default().insert(value);
                let reason = Reason::Coverage {
                    dimension,
                    value: value.to_owned(),
                };
                if newly && reason != reasons[0] {
                    reasons.push(reason);
                }
            }
        }
        self.candidates.extend(candidate_of(candidate));
        self.reasons[rank] = Some(reasons);
    }

    fn is_covered(&self, dimension: Covers, value: &str) -> bool {
        self.covered
            .get(&dimension)
            .is_some_and(|values| values.contains(value))
    }

    fn is_picked(&self, rank: usize) -> bool {
        self.reasons[rank].is_some()
    }
}

/// The candidate's id, unless blank.
fn candidate_of(candidate: &Candidate) -> Option<&str> {
    Some(candidate.candidate_id.as_str()).filter(|id| !id.trim().is_empty())
}
