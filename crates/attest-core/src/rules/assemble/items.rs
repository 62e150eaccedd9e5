//! The report on criteria and knowledge items: their status and the evidence counting for them.

use super::super::checks::Ctx;
use super::super::pass::Pass;
use super::super::report::{ItemReport, Progress, Status};
use super::evidence_by_item;

/// Criterion `c`: met, partly met (mapped, covered in the hopeful pass, or claimed not applicable)
/// or not started, with the evidence counting for it.
pub(super) fn criterion_report<'r>(
    ctx: &Ctx<'_, 'r>,
    pass: &Pass,
    c: usize,
    met: bool,
    evidence: Vec<&'r str>,
) -> ItemReport<'r> {
    let criterion = ctx.plan.criteria[c].criterion;
    let mapped = ctx.facts.instances.iter().any(|i| i.mapped.contains(c));
    let not_applicable = ctx.facts.not_applicable.contains(c) && evidence.is_empty();
    let status = if met {
        Status::Met
    } else if mapped || pass.covered.contains(c) || ctx.facts.not_applicable_hopeful.contains(c) {
        Status::PartlyMet
    } else {
        Status::NotStarted
    };
    ItemReport {
        id: &criterion.id,
        text: &criterion.text,
        status,
        evidence,
        not_applicable,
        required: true,
    }
}

/// The knowledge items, each with the evidence counting for it; the required ones count towards
/// `overall`.
pub(super) fn knowledge_reports<'r>(
    ctx: &Ctx<'_, 'r>,
    pass: &Pass,
    ids: &[&'r str],
    overall: &mut Progress,
) -> Vec<ItemReport<'r>> {
    let plan = ctx.plan;
    let mut by_item = evidence_by_item(&pass.knowledge, plan.standard.knowledge.len(), ids);
    plan.standard
        .knowledge
        .iter()
        .enumerate()
        .map(|(k, item)| {
            let evidence = std::mem::take(&mut by_item[k]);
            let met = pass.knowledge_covered.contains(k);
            let required = plan.knowledge_required.contains(k);
            if required {
                overall.add(met);
            }
            let mapped = ctx
                .facts
                .instances
                .iter()
                .any(|i| i.knowledge_mapped.contains(k));
            ItemReport {
                id: &item.id,
                text: &item.text,
                status: if met {
                    Status::Met
                } else if mapped {
                    Status::PartlyMet
                } else {
                    Status::NotStarted
                },
                evidence,
                not_applicable: false,
                required,
            }
        })
        .collect()
}
