//! A plain-text outline of a standard for people (`attest standards show`).

use std::fmt::Write;

use super::model::{Attribute, AttributeKind, Binding, Openness, RangeList, SignOff, Standard};
use super::rule::{AttributeFilter, Check, Confidence, Noun, Rule, Scope, Span};

/// The standard as readable text: metadata, outcomes with criteria and range lists, knowledge,
/// evidence attributes, rules (with their interpretations) and sign-off.
pub fn outline(standard: &Standard) -> String {
    let mut out = String::new();
    header(&mut out, standard);
    structure(&mut out, standard);
    attributes(&mut out, standard);
    rules(&mut out, standard);
    if let Some(sign_off) = &standard.sign_off {
        sign_off_section(&mut out, sign_off);
    }
    out
}

// `write!` into a String cannot fail; the results are ignored on purpose throughout.

fn header(out: &mut String, s: &Standard) {
    let _ = writeln!(out, "{} v{} — {}", s.code, s.version, s.title);
    let mut facts = vec![s.framework.clone()];
    if let Some(level) = &s.level {
        let scheme = enum_word(&level.scheme).to_uppercase();
        match &level.label {
            Some(label) => facts.push(format!("{scheme} level {} ({label})", level.value)),
            None => facts.push(format!("{scheme} level {}", level.value)),
        }
    }
    if let Some(credits) = &s.credits {
        facts.push(format!("{} {}", credits.value, credits.unit));
    }
    if let Some(points) = s.scqf_points {
        facts.push(format!("{points} SCQF credit points"));
    }
    if let Some(status) = &s.status {
        facts.push(enum_word(status));
    }
    let _ = writeln!(out, "{}", facts.join(" · "));
    if !s.aliases.is_empty() {
        let _ = writeln!(out, "Also known as: {}", s.aliases.join(", "));
    }
    let dates = [
        ("registered", &s.dates.registered),
        ("published", &s.dates.published),
        ("approved", &s.dates.approved),
        ("planned review", &s.dates.planned_review),
        ("last date for enrolment", &s.dates.last_date_for_enrolment),
        (
            "last date for assessment",
            &s.dates.last_date_for_assessment,
        ),
    ];
    for (label, date) in dates {
        if let Some(date) = date {
            let _ = writeln!(out, "Date {label}: {}", date.0);
        }
    }
    if let Some(purpose) = &s.purpose {
        let _ = writeln!(out, "\nPurpose:\n{}", indent(purpose, "  "));
    }
}

fn structure(out: &mut String, s: &Standard) {
    for outcome in &s.outcomes {
        let label = outcome.label.as_deref().unwrap_or(&outcome.id);
        let _ = writeln!(out, "\n{label} [{}]: {}", outcome.id, outcome.title);
        for list in &outcome.range {
            range_list(out, list, "    ");
        }
        for criterion in &outcome.criteria {
            let _ = writeln!(out, "  {:<5} {}", criterion.id, criterion.text);
            if let Some(condition) = &criterion.condition {
                let _ = writeln!(out, "        conditional: \"{condition}\"");
            }
            for list in &criterion.range {
                range_list(out, list, "        ");
            }
        }
    }
    if !s.ranges.is_empty() {
        let _ = writeln!(out, "\nRange (whole unit)");
        for list in &s.ranges {
            range_list(out, list, "  ");
        }
    }
    if !s.knowledge.is_empty() {
        let _ = writeln!(out, "\nKnowledge and understanding");
        for item in &s.knowledge {
            let _ = writeln!(out, "  {:<5} {}", item.id, item.text);
        }
    }
}

fn range_list(out: &mut String, list: &RangeList, pad: &str) {
    let items: Vec<&str> = list.items.iter().map(|item| item.text.as_str()).collect();
    let name = list
        .name
        .as_deref()
        .map(|n| format!(" — {n}"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{pad}range {}{name} ({}, {}): {}",
        list.id,
        openness(list.openness),
        binding(list.binding),
        items.join("; ")
    );
}

fn attributes(out: &mut String, s: &Standard) {
    if s.attributes.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nEvidence attributes");
    for attribute in &s.attributes {
        let _ = writeln!(out, "  {}", attribute_line(s, attribute));
    }
}

fn attribute_line(s: &Standard, attribute: &Attribute) -> String {
    let kind = enum_word(&attribute.kind);
    let head = format!("{} — {} ({kind}", attribute.id, attribute.label);
    match attribute.kind {
        AttributeKind::Choice | AttributeKind::Choices => format!(
            "{head}, {}): {}",
            openness(attribute.openness),
            s.attribute_value_ids(attribute).join(", ")
        ),
        AttributeKind::Flag | AttributeKind::Text => format!("{head})"),
    }
}

fn rules(out: &mut String, s: &Standard) {
    if s.rules.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nEvidence rules");
    for rule in &s.rules {
        rule_block(out, rule);
    }
}

fn rule_block(out: &mut String, rule: &Rule) {
    let source = &rule.source;
    let _ = writeln!(
        out,
        "  {} [{}] {}, {} — {}",
        rule.id,
        scope(&rule.scope),
        binding(source.binding),
        confidence(source.confidence),
        source.locator
    );
    let _ = writeln!(out, "      \"{}\"", one_line(&source.verbatim));
    for check in &rule.checks {
        let _ = writeln!(out, "      • {}", describe(check));
    }
    for interpretation in &rule.interpretations {
        let default = rule.default_interpretation.as_deref() == Some(interpretation.id.as_str());
        let marker = if default { " (default)" } else { "" };
        let _ = writeln!(
            out,
            "      interpretation {}{marker}: {}",
            interpretation.id, interpretation.label
        );
        for check in &interpretation.checks {
            let _ = writeln!(out, "        • {}", describe(check));
        }
    }
    if let Some(note) = &source.note {
        let _ = writeln!(out, "      note: {}", one_line(note));
    }
}

fn sign_off_section(out: &mut String, sign_off: &SignOff) {
    let _ = writeln!(out, "\nSign-off [{}]: {}", sign_off.id, sign_off.heading);
    let _ = writeln!(out, "  \"{}\"", one_line(&sign_off.statement));
    for signature in &sign_off.signatures {
        let dated = if signature.dated { ", dated" } else { "" };
        let role = enum_word(&signature.role);
        let _ = writeln!(out, "  {} ({role}{dated})", signature.label);
    }
    for field in &sign_off.dated_fields {
        let role = enum_word(&field.role);
        let _ = writeln!(out, "  {} (date, {role})", field.label);
    }
    if let Some(comments) = &sign_off.comments {
        let _ = writeln!(out, "  {} (free text)", comments.label);
    }
}

/// One line saying what a check requires.
pub fn describe(check: &Check) -> String {
    match check {
        Check::MinInstances(c) => {
            let noun = counted(c.noun.as_ref(), c.min, "instance", "instances");
            format!("at least {} {noun}{}", c.min, filters(&c.filters))
        }
        Check::MinRangeItems(c) => format!(
            "each instance shows at least {} item(s) of {} under {}",
            c.min,
            c.list,
            c.criteria.join(", ")
        ),
        Check::MinDistinctValues(c) => {
            let noun = counted(c.noun.as_ref(), c.min, "value", "values");
            let filters = filters(&c.filters);
            let counted = match (&c.attribute, c.field) {
                (Some(attribute), _) => attribute.as_str(),
                (None, Some(field)) => field.key(),
                (None, None) => "?",
            };
            let each = if c.distinct_instances {
                ", each from a different instance"
            } else {
                ""
            };
            format!(
                "at least {} different {noun} ({counted}){filters}{each}",
                c.min
            )
        }
        Check::Coverage(c) => {
            let mut parts = Vec::new();
            if c.criteria {
                parts.push("every criterion".to_owned());
            }
            if c.knowledge {
                parts.push("every knowledge item".to_owned());
            }
            parts.extend(c.lists.iter().map(|list| format!("every item of {list}")));
            format!("evidence covers {}", parts.join(", "))
        }
        Check::Exclusion(c) => format!(
            "an instance{} does not count if{}",
            filters(&c.subject),
            filters(&c.excluded).trim_start_matches(" where")
        ),
        Check::Methods(c) => {
            let mut parts = Vec::new();
            for (label, methods) in [
                ("required", &c.required),
                ("supporting", &c.supporting),
                ("permitted", &c.permitted),
            ] {
                if !methods.is_empty() {
                    let names: Vec<&str> = methods.iter().map(|m| m.label()).collect();
                    parts.push(format!("{label}: {}", names.join(", ")));
                }
            }
            let each = if c.per == Span::Instance {
                " (each instance in a required method)"
            } else {
                ""
            };
            format!("methods — {}{each}", parts.join("; "))
        }
        Check::Setting(c) => match (&c.simulation_allowed, &c.condition) {
            (false, _) => "workplace performance only".to_owned(),
            (true, Some(condition)) => format!("simulation allowed {condition}"),
            (true, None) => "simulation allowed".to_owned(),
        },
        Check::Simultaneity(c) => {
            format!("at the same time: {} (flag {})", c.activity, c.attribute)
        }
        Check::Channels(c) => {
            let all: Vec<&str> = c.all_of.iter().map(|c| c.label()).collect();
            let any: Vec<&str> = c.any_of.iter().map(|c| c.label()).collect();
            let mut parts = Vec::new();
            if !all.is_empty() {
                parts.push(format!("all of {}", all.join(", ")));
            }
            if !any.is_empty() {
                parts.push(format!("one of {}", any.join(", ")));
            }
            let per = match c.per {
                Span::Set => "across the instances",
                Span::Instance => "in each instance",
            };
            format!("channels: {} {per}", parts.join(" and "))
        }
        Check::EveryInstance(c) => format!("every instance{}", filters(&c.filters)),
        Check::Conditional(c) => format!(
            "conditional criteria (may be not applicable): {}",
            c.criteria.join(", ")
        ),
        Check::RangeStatement(c) => format!("range: {}", c.lists.join(", ")),
        Check::AssessorConfirms(c) => format!("assessor confirms: {}", c.statement),
        Check::Grades(c) => format!("grades: {}", c.grades.join(", ")),
        Check::Note(c) => format!("note: {}", c.summary),
    }
}

/// The noun for `count` things: the check's own, or a generic one.
fn counted(noun: Option<&Noun>, count: u32, one: &str, many: &str) -> String {
    let (one, many) = noun.map_or((one, many), |n| (n.one.as_str(), n.many.as_str()));
    if count == 1 { one } else { many }.to_owned()
}

fn filters(filters: &[AttributeFilter]) -> String {
    if filters.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = filters
        .iter()
        .map(|filter| match filter.any_of.as_slice() {
            [] => format!("{} is set", filter.attribute),
            [one] => format!("{} = {one}", filter.attribute),
            many => format!("{} ∈ {{{}}}", filter.attribute, many.join(", ")),
        })
        .collect();
    format!(" where {}", parts.join(" and "))
}

fn scope(scope: &Scope) -> String {
    if scope.is_unit() {
        return "unit".to_owned();
    }
    let mut parts = Vec::new();
    if !scope.outcomes.is_empty() {
        parts.push(format!("outcome {}", scope.outcomes.join(", ")));
    }
    if !scope.criteria.is_empty() {
        parts.push(format!("criterion {}", scope.criteria.join(", ")));
    }
    if !scope.knowledge.is_empty() {
        parts.push(format!("knowledge {}", scope.knowledge.join(", ")));
    }
    parts.join("; ")
}

fn openness(openness: Openness) -> &'static str {
    match openness {
        Openness::Open => "open",
        Openness::Closed => "closed",
    }
}

fn binding(binding: Binding) -> &'static str {
    match binding {
        Binding::Binding => "binding",
        Binding::Guidance => "guidance",
    }
}

fn confidence(confidence: Confidence) -> &'static str {
    match confidence {
        Confidence::Explicit => "explicit",
        Confidence::Inferred => "inferred",
        Confidence::Ambiguous => "ambiguous",
    }
}

/// A unit enum's serde name (`observation_checklist`).
fn enum_word<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(word)) => word,
        _ => String::new(),
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn indent(text: &str, pad: &str) -> String {
    text.lines()
        .map(|line| format!("{pad}{line}"))
        .collect::<Vec<_>>()
        .join("\n")
}
