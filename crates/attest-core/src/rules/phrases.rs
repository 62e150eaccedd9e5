//! Checks in plain words: what each requires, and how gaps name what it counts.

use std::fmt::Write;

use crate::standards::Check;

use super::bits::Bits;
use super::checks::{channels, methods};
use super::plan::{CheckPlan, Compiled, FilterPlan, Group, Plan};
use super::words::{self, Noun};

/// What a counted check counts, for sentences ("complex customer enquiry" / "…enquiries").
pub(crate) fn count_noun(plan: &Plan, check: &CheckPlan) -> Noun {
    match (&check.compiled, check.check) {
        (Compiled::MinInstances { filters, .. }, Check::MinInstances(raw)) => raw
            .noun
            .as_ref()
            .map(|noun| Noun {
                one: noun.one.clone(),
                many: noun.many.clone(),
            })
            .unwrap_or_else(|| evidence_noun(plan, filters)),
        (Compiled::MinDistinct { attribute, .. }, Check::MinDistinctValues(raw)) => {
            raw.noun.as_ref().map_or_else(
                || value_noun(plan, *attribute),
                |noun| Noun {
                    one: noun.one.clone(),
                    many: noun.many.clone(),
                },
            )
        }
        _ => evidence_noun(plan, &[]),
    }
}

/// "piece of evidence with enquiry type: complex customer enquiry"
fn evidence_noun(plan: &Plan, filters: &[FilterPlan]) -> Noun {
    if filters.is_empty() {
        return Noun {
            one: "piece of evidence".to_owned(),
            many: "pieces of evidence".to_owned(),
        };
    }
    let with: Vec<String> = filters.iter().map(|f| filter_words(plan, f)).collect();
    let with = words::join(&with, words::AND);
    Noun {
        one: format!("piece of evidence with {with}"),
        many: format!("pieces of evidence with {with}"),
    }
}

/// "type of challenging customer" / "types of challenging customer", else "value of …".
fn value_noun(plan: &Plan, attribute: Option<usize>) -> Noun {
    let label = attribute.map_or_else(
        || "value".to_owned(),
        |a| words::lower_first(&plan.attributes[a].attribute.label),
    );
    for head in ["type of ", "kind of "] {
        if let Some(rest) = label.strip_prefix(head) {
            let many = format!("{}s of {rest}", head.trim_end_matches(" of "));
            return Noun { one: label, many };
        }
    }
    Noun {
        one: format!("value of {label}"),
        many: format!("values of {label}"),
    }
}

/// A check in plain words, e.g. "at least 2 complex customer enquiries". Written into one buffer:
/// the report holds one of these per check, for every evaluation.
pub(crate) fn write_requirement(out: &mut String, plan: &Plan, check: &Check, compiled: &Compiled) {
    match (compiled, check) {
        (Compiled::MinInstances { min, filters, .. }, Check::MinInstances(raw)) => {
            let _ = write!(out, "at least {min} ");
            match &raw.noun {
                Some(noun) => out.push_str(if *min == 1 { &noun.one } else { &noun.many }),
                None => {
                    out.push_str(if *min == 1 { "piece" } else { "pieces" });
                    out.push_str(" of evidence");
                    push_filters(out, plan, filters, " with ");
                }
            }
        }
        (Compiled::MinDistinct { attribute, .. }, Check::MinDistinctValues(raw)) => {
            let _ = write!(out, "at least {} different ", raw.min);
            match &raw.noun {
                Some(noun) => out.push_str(&noun.many),
                None => out.push_str(&value_noun(plan, *attribute).many),
            }
            if raw.distinct_instances {
                out.push_str(", each from a different piece of evidence");
            }
        }
        (
            Compiled::MinRangeItems {
                list,
                min,
                criteria,
            },
            _,
        ) => {
            let _ = write!(out, "each piece of evidence shows at least {min} ");
            match list {
                Some(l) => words::push_list_name(out, plan.lists[*l]),
                None => out.push_str("items"),
            }
            out.push_str(" for ");
            push_criteria(out, plan, criteria);
        }
        (
            Compiled::Coverage {
                criteria,
                knowledge,
                lists,
            },
            _,
        ) => {
            out.push_str("evidence covers ");
            let mut parts = 0;
            let mut part = |out: &mut String, text: &str| {
                if parts > 0 {
                    out.push_str(" and ");
                }
                out.push_str(text);
                parts += 1;
            };
            if *criteria {
                part(out, "every criterion");
            }
            if *knowledge {
                part(out, "every knowledge item");
            }
            for &l in lists {
                part(out, "every item of ");
                words::push_list_name(out, plan.lists[l]);
            }
        }
        (Compiled::Exclusion { subject, excluded }, _) => {
            push_filters(out, plan, subject, "");
            out.push_str(" does not include ");
            push_filters(out, plan, excluded, "");
        }
        (
            Compiled::Methods {
                expected,
                wanted,
                each,
            },
            _,
        ) => {
            let allowed = expected.as_ref().map(|methods| {
                let extra: Vec<&str> = methods
                    .iter()
                    .filter(|m| !wanted.iter().any(|(w, _)| w == *m))
                    .map(|m| words::method(*m))
                    .collect();
                words::join(&extra, words::OR)
            });
            match (wanted.is_empty(), allowed) {
                (false, Some(allowed)) if !allowed.is_empty() => {
                    let _ = write!(
                        out,
                        "in the form of {} (also allowed: {allowed})",
                        methods::wanted_words(wanted)
                    );
                }
                (false, _) => {
                    let _ = write!(out, "in the form of {}", methods::wanted_words(wanted));
                }
                (true, Some(allowed)) => {
                    let _ = write!(out, "methods allowed: {allowed}");
                }
                (true, None) => out.push_str("any method"),
            }
            if let Some(each) = each {
                let each: Vec<&str> = each.iter().map(|m| words::method(*m)).collect();
                let _ = write!(
                    out,
                    "; the method of each piece of evidence: {}",
                    words::join(&each, words::OR)
                );
            }
        }
        (Compiled::Setting { simulation_allowed }, Check::Setting(setting)) => {
            match (simulation_allowed, &setting.condition) {
                (false, _) => out.push_str("evidence from the workplace only"),
                (true, Some(condition)) => {
                    out.push_str("workplace evidence, or a simulation the assessor confirms: ");
                    out.push_str(condition);
                }
                (true, None) => out.push_str("workplace or simulated evidence"),
            }
        }
        (Compiled::Simultaneity { .. }, Check::Simultaneity(simultaneity)) => {
            out.push_str("at the same time: ");
            out.push_str(&simultaneity.activity);
        }
        (
            Compiled::Channels {
                all_of,
                any_of,
                per_instance,
            },
            _,
        ) => {
            let span = if *per_instance {
                "in each piece of evidence"
            } else {
                "across the evidence"
            };
            let _ = write!(
                out,
                "using {} {span}",
                channels::wanted_words(*all_of, *any_of)
            );
        }
        (Compiled::EveryInstance { filters }, _) => {
            out.push_str("every piece of evidence records ");
            push_filters(out, plan, filters, "");
        }
        (_, Check::AssessorConfirms(confirms)) => {
            out.push_str("the assessor confirms: ");
            out.push_str(&confirms.statement);
        }
        (_, Check::Conditional(conditional)) => {
            out.push_str("may be recorded not applicable where the condition did not arise: ");
            words::push_join(
                out,
                conditional.criteria.iter().map(String::as_str),
                words::AND,
            );
        }
        (_, Check::RangeStatement(statement)) => {
            out.push_str("range: ");
            for (n, id) in statement.lists.iter().enumerate() {
                if n > 0 {
                    out.push_str(if n + 1 == statement.lists.len() {
                        " and "
                    } else {
                        ", "
                    });
                }
                match plan.list_ids.get(id.as_str()) {
                    Some(&l) => match &plan.lists[l].name {
                        Some(name) => out.push_str(name),
                        None => out.push_str(&id.replace('_', " ")),
                    },
                    None => out.push_str(&id.replace('_', " ")),
                }
            }
        }
        (_, Check::Grades(grades)) => {
            out.push_str("grades: ");
            words::push_join(out, grades.grades.iter().map(String::as_str), ", ");
        }
        (_, Check::Note(note)) => out.push_str(&note.summary),
        _ => out.push_str(&check.kind().replace('_', " ")),
    }
}

/// Appends `prefix` and the filters in words, joined by "and".
fn push_filters(out: &mut String, plan: &Plan, filters: &[FilterPlan], prefix: &str) {
    if filters.is_empty() {
        return;
    }
    out.push_str(prefix);
    for (n, filter) in filters.iter().enumerate() {
        if n > 0 {
            out.push_str(" and ");
        }
        push_filter(out, plan, filter);
    }
}

/// Appends criterion ids: "1.1", "1.1 and 1.2".
fn push_criteria(out: &mut String, plan: &Plan, criteria: &Bits) {
    let ids = criteria
        .ones()
        .map(|c| plan.criteria[c].criterion.id.as_str());
    words::push_join(out, ids, words::AND);
}

/// A group in plain words: "different evidence for each of: at least 2 …; at least 2 …", or for a
/// distinct-values check with the counts inside its set, "together: at least 3 different customers,
/// with at least 1 customer with particular needs".
pub(crate) fn together(plan: &Plan, group: &Group, texts: &str) -> String {
    let parts: Vec<&str> = group
        .members
        .iter()
        .map(|&(r, c)| {
            let (start, end) = plan.rules[r].checks[c].requirement;
            texts.get(start..end).unwrap_or_default()
        })
        .collect();
    if group.distinct.is_some() {
        format!("together: {}", parts.join(", with "))
    } else {
        format!("different evidence for each of: {}", parts.join("; "))
    }
}

/// A filter in words: "enquiry type: business as usual enquiry or complex customer enquiry".
pub(crate) fn filter_words(plan: &Plan, filter: &FilterPlan) -> String {
    let mut out = String::new();
    push_filter(&mut out, plan, filter);
    out
}

/// Appends a filter in words (see [`filter_words`]).
fn push_filter(out: &mut String, plan: &Plan, filter: &FilterPlan) {
    let Some(a) = filter.attribute else {
        out.push_str("an attribute the standard does not declare");
        return;
    };
    let attribute = &plan.attributes[a];
    words::push_lower_first(out, &attribute.attribute.label);
    if filter.any_of.is_empty() {
        return;
    }
    out.push_str(": ");
    // Filters name declared values only, so their labels are all in the plan.
    let values: Vec<&str> = filter
        .any_of
        .iter()
        .filter_map(|v| attribute.labels.get(*v as usize).copied())
        .collect();
    for (n, value) in values.iter().enumerate() {
        if n > 0 {
            out.push_str(if n + 1 == values.len() { " or " } else { ", " });
        }
        words::push_lower_first(out, value);
    }
}
