//! The report on one evidence instance: what it shows and why any of it does not count.

use super::super::checks::Ctx;
use super::super::facts::InstanceFacts;
use super::super::pass::Pass;
use super::super::report::{InstanceReport, MappingReport, Reason, ReasonCode};

/// What instance `i` shows and why any of it does not count.
pub(super) fn instance_report<'r>(
    ctx: &Ctx<'_, 'r>,
    pass: &Pass,
    i: usize,
    instance: &InstanceFacts<'r>,
) -> InstanceReport<'r> {
    let plan = ctx.plan;
    let evidence = instance.evidence;
    let criteria = evidence
        .criteria
        .iter()
        .zip(ctx.facts.mapping_criteria(i))
        .map(|(mapping, criterion)| MappingReport {
            criterion: &mapping.criterion,
            counts: criterion.is_some_and(|c| pass.criteria[i].contains(c as usize)),
            range: &mapping.range,
        })
        .collect();
    let knowledge = pass.knowledge[i]
        .ones()
        .map(|k| plan.standard.knowledge[k].id.as_str())
        .collect();
    let mut not_counted: Vec<Reason<'r>> = instance
        .problems
        .iter()
        .chain(&instance.notes)
        .cloned()
        .collect();
    not_counted.extend(
        pass.obstacles_of(i)
            .iter()
            .filter(|o| !o.message.is_empty())
            .map(|o| Reason {
                code: o.code,
                criterion: None,
                message: o.message.clone(),
            }),
    );
    for &(id, feedback) in &instance.rejected {
        let mut message = format!("the assessor did not accept it for {id}");
        if let Some(feedback) = feedback {
            message.push_str(": ");
            message.push_str(feedback);
        }
        not_counted.push(Reason {
            code: ReasonCode::Rejected,
            criterion: Some(id),
            message,
        });
    }
    if !instance.pending.is_empty() {
        not_counted.push(Reason {
            code: ReasonCode::AwaitingJudgement,
            criterion: None,
            message: format!(
                "waiting for the assessor's judgement ({})",
                instance.pending.join(", ")
            ),
        });
    }
    InstanceReport {
        id: &evidence.id,
        // The label moves in from the facts once the report is built (see `Engine::evaluate`).
        label: String::new(),
        counts: !pass.criteria[i].is_empty() || !pass.knowledge[i].is_empty(),
        criteria,
        knowledge,
        not_counted,
    }
}
