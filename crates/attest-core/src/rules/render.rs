//! The report as plain text for people: what is missing first, then outcome by outcome.

use std::fmt::Write;

use super::report::{
    InstanceReport, ItemReport, Progress, Report, RuleReport, RuleRole, Status, View,
};

const BAR_WIDTH: u32 = 20;

/// Renders a report as plain text, gaps first.
pub fn render_text(report: &Report) -> String {
    let mut out = String::with_capacity(4096);
    header(&mut out, report);
    gaps(&mut out, report);
    if !report.unit_rules.is_empty() {
        out.push_str("\nWhole unit\n");
        rules(&mut out, &report.unit_rules, "  ");
    }
    for outcome in &report.outcomes {
        let _ = writeln!(
            out,
            "\nOutcome {}: {}\n  {} {}",
            outcome.id,
            outcome.title,
            bar(outcome.progress),
            outcome.status.as_words()
        );
        rules(&mut out, &outcome.rules, "  ");
        items(&mut out, &outcome.criteria);
    }
    if !report.knowledge.is_empty() {
        out.push_str("\nKnowledge and understanding\n");
        items(&mut out, &report.knowledge);
    }
    if !report.evidence.is_empty() {
        out.push_str("\nEvidence\n");
        for instance in &report.evidence {
            evidence(&mut out, instance);
        }
    }
    if !report.not_counted.is_empty() {
        out.push_str("\nRecords that do not count\n");
        for reason in &report.not_counted {
            let _ = writeln!(out, "  ! {}", reason.message);
        }
    }
    out
}

fn header(out: &mut String, report: &Report) {
    let standard = &report.standard;
    let _ = writeln!(
        out,
        "{} {} version {}: {}",
        standard.framework, standard.code, standard.version, standard.title
    );
    if let Some(candidate) = &report.candidate {
        let _ = writeln!(out, "Candidate: {candidate}");
    }
    let view = match report.view {
        View::Claimed => "claimed (everything mapped and not rejected counts)",
        View::Confirmed => "confirmed (only what the assessor accepted counts)",
    };
    let _ = writeln!(out, "View: {view}");
    let result = if report.complete {
        "COMPLETE".to_owned()
    } else if report.gaps.is_empty() {
        // Only the claimed view can be free of gaps yet not complete.
        "all requirements claimed; the assessor's confirmation is needed".to_owned()
    } else {
        format!("not complete: {}", plural(report.gaps.len(), "gap", "gaps"))
    };
    let _ = writeln!(out, "Result: {result}");
    let _ = writeln!(out, "Progress: {}", bar(report.progress));
}

fn gaps(out: &mut String, report: &Report) {
    if report.gaps.is_empty() {
        return;
    }
    out.push_str("\nWhat is still needed\n");
    let width = report.gaps.len().to_string().len();
    for (n, gap) in report.gaps.iter().enumerate() {
        let _ = writeln!(out, "  {:>width$}. {}", n + 1, gap.message);
    }
}

fn rules(out: &mut String, rules: &[RuleReport], indent: &str) {
    for rule in rules.iter().filter(|r| r.role != RuleRole::Information) {
        let role = match rule.role {
            RuleRole::Constraint => " (which evidence counts)",
            RuleRole::Advice => " (advice only)",
            _ => "",
        };
        let advice = rule.role == RuleRole::Advice;
        for check in &rule.checks {
            let mark = if advice { "[i]" } else { mark(check.status) };
            let _ = write!(
                out,
                "{indent}{mark} {:<4} {}{role}",
                rule.id, check.requirement
            );
            if !advice && check.status != Status::Met && check.needed > 1 {
                let _ = write!(out, " ({} of {})", check.have, check.needed);
            }
            if !advice && !check.shown.is_empty() {
                let _ = write!(out, " [{}]", check.shown.join(", "));
            }
            if rule.role == RuleRole::Requirement {
                evidence_list(out, &check.evidence);
            }
            out.push('\n');
        }
        if let Some(interpretation) = &rule.interpretation {
            let _ = writeln!(
                out,
                "{indent}       read as: {} ({})",
                interpretation.label, interpretation.id
            );
        }
    }
}

fn items(out: &mut String, items: &[ItemReport]) {
    for item in items {
        let _ = write!(out, "  {} {} {}", mark(item.status), item.id, item.text);
        if item.not_applicable {
            out.push_str(" (not applicable)");
        } else if !item.required {
            out.push_str(" (not required)");
        }
        evidence_list(out, &item.evidence);
        out.push('\n');
    }
}

fn evidence(out: &mut String, instance: &InstanceReport) {
    let counts = if instance.counts {
        ""
    } else {
        " (does not count)"
    };
    let _ = writeln!(out, "  {}: {}{counts}", instance.id, instance.label);
    for mapping in &instance.criteria {
        let flag = if mapping.counts { "" } else { " (not counted)" };
        let _ = write!(out, "      {}{flag}", mapping.criterion);
        for (list, items) in mapping.range {
            let _ = write!(out, "; {list}: {}", items.join(", "));
        }
        out.push('\n');
    }
    if !instance.knowledge.is_empty() {
        let _ = writeln!(out, "      knowledge: {}", instance.knowledge.join(", "));
    }
    for reason in &instance.not_counted {
        let _ = writeln!(out, "      ! {}", reason.message);
    }
}

fn evidence_list(out: &mut String, evidence: &[&str]) {
    if !evidence.is_empty() {
        let _ = write!(out, " <- {}", evidence.join(", "));
    }
}

fn mark(status: Status) -> &'static str {
    match status {
        Status::Met => "[x]",
        Status::PartlyMet => "[~]",
        Status::NotStarted => "[ ]",
    }
}

/// A fixed-width bar such as `[##########----------] 5/10 (50%)`.
fn bar(progress: Progress) -> String {
    let filled = (progress.met.min(progress.total) * BAR_WIDTH)
        .checked_div(progress.total)
        .unwrap_or(BAR_WIDTH);
    let mut bar = String::with_capacity(BAR_WIDTH as usize + 24);
    bar.push('[');
    (0..BAR_WIDTH).for_each(|i| bar.push(if i < filled { '#' } else { '-' }));
    let _ = write!(
        bar,
        "] {}/{} ({}%)",
        progress.met,
        progress.total,
        progress.percent()
    );
    bar
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}
