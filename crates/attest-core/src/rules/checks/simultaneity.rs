//! `simultaneity`: each piece of evidence in scope shows an activity done at the same time as the
//! performance, by its flag attribute or by a `recorded_at_same_time` link to the record made.

use crate::standards::Check;

use super::super::facts::Value;
use super::super::plan::CheckPlan;
use super::super::report::ReasonCode;
use super::{Breach, Ctx, Fix, Mode};

pub(crate) fn breach(
    ctx: &Ctx,
    check: &CheckPlan,
    attribute: Option<usize>,
    i: usize,
    mode: Mode,
) -> Option<Breach> {
    let instance = &ctx.facts.instances[i];
    let flagged = attribute.is_some_and(|a| ctx.facts.value(i, a) == Value::Flag(true));
    if flagged || instance.simultaneous_link {
        return None;
    }
    let message = match check.check {
        Check::Simultaneity(simultaneity) if mode.describe => format!(
            "The {} does not show that the candidate did this at the same time: {}",
            ctx.facts.labels[i], simultaneity.activity
        ),
        _ => String::new(),
    };
    Some(Breach {
        fix: Fix::Candidate,
        code: ReasonCode::MissingLink,
        bars: true,
        message,
    })
}
