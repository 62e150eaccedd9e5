//! `min_range_items`: each piece of evidence in scope shows at least N items of a range list under the
//! given criteria ("evidence of three is required for each enquiry").

use super::super::bits::Bits;
use super::super::plan::RulePlan;
use super::super::report::ReasonCode;
use super::super::words;
use super::{Breach, Ctx, Fix, Mode};

pub(crate) fn breach(
    ctx: &Ctx,
    _rule: &RulePlan,
    list: usize,
    min: u32,
    criteria: &Bits,
    i: usize,
    mode: Mode,
) -> Option<Breach> {
    let facts = ctx.facts;
    // A rejected mapping is set aside as rejected, not for what it shows; a mapping still waiting
    // for the assessor is read for what it shows, so the candidate hears of a shortfall at once.
    if !facts.instances[i].hopeful.intersects(criteria) {
        return None;
    }
    // Item positions are small: a mask counts the distinct ones without allocating.
    let mut mask = 0u128;
    let mut beyond: Vec<u32> = Vec::new();
    for shown in facts
        .shown(i)
        .iter()
        .filter(|s| s.list == list && criteria.contains(s.criterion) && s.hopeful)
    {
        for &position in facts.items(shown) {
            match 1u128.checked_shl(position) {
                Some(bit) => mask |= bit,
                None if !beyond.contains(&position) => beyond.push(position),
                None => {}
            }
        }
    }
    if mask.count_ones() + beyond.len() as u32 >= min {
        return None;
    }
    let message = if mode.describe {
        let items: Vec<u32> = (0..128)
            .filter(|p| mask & (1u128 << p) != 0)
            .chain(beyond)
            .collect();
        describe(ctx, &facts.labels[i], list, min, criteria, &items)
    } else {
        String::new()
    };
    Some(Breach {
        fix: Fix::Candidate,
        code: ReasonCode::TooFewRangeItems,
        bars: true,
        message,
    })
}

fn describe(
    ctx: &Ctx,
    label: &str,
    list: usize,
    min: u32,
    criteria: &Bits,
    items: &[u32],
) -> String {
    let range_list = ctx.plan.lists[list];
    let criteria: Vec<&str> = criteria
        .ones()
        .map(|c| ctx.plan.criteria[c].criterion.id.as_str())
        .collect();
    let shown: Vec<&str> = items.iter().map(|&p| item_words(ctx, list, p)).collect();
    let needed_for = format!(
        "the {min} {} needed for {}",
        words::list_name(range_list),
        words::join(&criteria, words::AND)
    );
    if shown.is_empty() {
        format!("The {label} shows none of {needed_for}")
    } else {
        format!(
            "The {label} shows {} of {needed_for} (shown: {})",
            shown.len(),
            shown.join(", ")
        )
    }
}

/// A range item in words: the list's own text, or what the candidate wrote for an unnamed one.
pub(crate) fn item_words<'r>(ctx: &Ctx<'_, 'r>, list: usize, position: u32) -> &'r str {
    let range_list = ctx.plan.lists[list];
    let p = position as usize;
    match range_list.items.get(p) {
        Some(item) => &item.text,
        // Unnamed items are numbered after the list's own, across all lists.
        None => ctx
            .facts
            .other_items
            .get(p - range_list.items.len())
            .map_or("?", |(_, text)| *text),
    }
}
