//! Which enrolments of the pool a draw may pick, and the values each carries.

use std::collections::BTreeSet;

use super::{Candidate, Covers, Excluded, Exclusion, PlanInput};

/// Splits the pool (sorted, so the result does not depend on the caller's order) into the
/// eligible enrolments, still sorted, and the excluded ones with their reasons.
pub(super) fn partition<'a>(
    plan: &PlanInput,
    sorted: &[&'a Candidate],
) -> (Vec<&'a Candidate>, Vec<Excluded>) {
    let mut eligible = Vec::new();
    let mut excluded = Vec::new();
    let mut previous: Option<&str> = None;
    for &candidate in sorted {
        let duplicate = previous == Some(candidate.enrolment_id.as_str());
        previous = Some(candidate.enrolment_id.as_str());
        let reason = if duplicate {
            Some(Exclusion::Duplicate)
        } else {
            exclusion(plan, candidate)
        };
        match reason {
            Some(reason) => excluded.push(Excluded {
                enrolment_id: candidate.enrolment_id.clone(),
                reason,
            }),
            None => eligible.push(candidate),
        }
    }
    (eligible, excluded)
}

/// The first reason `candidate` cannot be sampled, independence first.
fn exclusion(plan: &PlanInput, candidate: &Candidate) -> Option<Exclusion> {
    let iv = plan.iv_id.as_str();
    if same(&candidate.assessor_id, iv) {
        return Some(Exclusion::OwnAssessment);
    }
    if candidate
        .decided_by
        .as_deref()
        .is_some_and(|by| same(by, iv))
    {
        return Some(Exclusion::OwnDecision);
    }
    if same(&candidate.candidate_id, iv) {
        return Some(Exclusion::OwnPortfolio);
    }
    if candidate.assessor_id.trim().is_empty() {
        return Some(Exclusion::NoAssessor);
    }
    if let Some(earlier) = plan.taken.iter().find(|taken| {
        taken.kind == plan.kind && taken.enrolment.enrolment_id == candidate.enrolment_id
    }) {
        return Some(Exclusion::AlreadySampled { kind: earlier.kind });
    }
    if !plan.kind.statuses().contains(&candidate.status.as_str()) {
        return Some(Exclusion::WrongStage {
            status: candidate.status.clone(),
            kind: plan.kind,
        });
    }
    None
}

/// Whether two ids name the same person; an empty id names nobody.
fn same(a: &str, b: &str) -> bool {
    !a.trim().is_empty() && a == b
}

/// The values `candidate` carries in `dimension`, without blanks or repeats, sorted.
pub(super) fn values(candidate: &Candidate, dimension: Covers) -> BTreeSet<&str> {
    let list: Vec<&str> = match dimension {
        Covers::Assessor => vec![candidate.assessor_id.as_str()],
        Covers::Unit => vec![candidate.standard.as_str()],
        Covers::Method => candidate.methods.iter().map(String::as_str).collect(),
        Covers::Site => candidate.sites.iter().map(String::as_str).collect(),
    };
    list.into_iter().filter(|v| !v.trim().is_empty()).collect()
}
