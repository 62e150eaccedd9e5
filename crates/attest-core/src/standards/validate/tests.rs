//! Tests of the validator: the base standard is valid, and each kind of problem is found and
//! worded.

use super::*;

const BASE: &str = "\
framework: TEST
code: T1
version: 1
title: Test
outcomes:
  - id: \"1\"
    title: Do it.
    criteria:
      - id: \"1.1\"
        text: Do it well.
        range:
          - id: aspects
            verbatim: aspects
            openness: closed
            binding: binding
            items: [{ id: one, text: one }, { id: two, text: two }]
knowledge:
  - { id: K1, text: know it }
attributes:
  - { id: done_live, label: Done live, kind: flag, openness: closed }
  - id: kind
    label: Kind
    kind: choice
    openness: closed
    values: [{ id: a, label: A }, { id: b, label: B }]
";

fn issues(rules: &str) -> Vec<String> {
    let text = format!("{BASE}rules:\n{rules}");
    let standard: Standard = serde_yaml::from_str(&text).unwrap();
    validate(&standard)
        .into_iter()
        .map(|issue| format!("{}: {}", issue.path, issue.reason))
        .collect()
}

const SOURCE: &str =
    "    source: { verbatim: v, locator: l, binding: binding, confidence: explicit }\n";

#[test]
fn the_base_standard_is_valid() {
    let rule = format!("  - id: R1\n    checks: [{{ coverage: {{ criteria: true }} }}]\n{SOURCE}");
    assert_eq!(issues(&rule), Vec::<String>::new());
}

#[test]
fn a_reference_to_the_wrong_kind_of_thing_says_what_it_is() {
    let rule = format!(
        "  - id: R1\n    scope: {{ outcomes: [\"1.1\"] }}\n    checks: [{{ coverage: {{ criteria: true }} }}]\n{SOURCE}"
    );
    assert_eq!(
        issues(&rule),
        ["rules[0].scope.outcomes[0]: `1.1` is a criterion, not an outcome"]
    );
}

#[test]
fn checks_are_held_to_their_attribute_kinds_and_closed_sizes() {
    let rule = format!(
        "  - id: R1\n    checks:\n\
             \x20     - simultaneity: {{ attribute: kind, activity: x }}\n\
             \x20     - every_instance: {{ where: [{{ attribute: done_live, any_of: [a] }}] }}\n\
             \x20     - min_distinct_values: {{ attribute: kind, min: 3 }}\n\
             \x20     - setting: {{ simulation_allowed: false, condition: c }}\n{SOURCE}"
    );
    assert_eq!(
        issues(&rule),
        [
            "rules[0].checks[0].simultaneity.attribute: `kind` must be a `flag` attribute",
            "rules[0].checks[1].every_instance.where[0].any_of: `done_live` has no declared values; leave out `any_of` to select instances where it is set",
            "rules[0].checks[2].min_distinct_values.min: min 3 exceeds the 2 values of closed attribute `kind`",
            "rules[0].checks[3].setting.condition: a condition applies only when simulation is allowed",
        ]
    );
}

#[test]
fn an_ambiguous_rule_needs_readings_and_a_default_that_exists() {
    let rule = "  - id: R1\n    interpretations:\n\
             \x20     - { id: x, label: X, checks: [{ coverage: { criteria: true } }] }\n\
             \x20     - { id: y, label: Y, checks: [{ coverage: { knowledge: true } }] }\n\
             \x20   default_interpretation: z\n\
             \x20   source: { verbatim: v, locator: l, binding: binding, confidence: ambiguous }\n";
    assert_eq!(
        issues(rule),
        ["rules[0].default_interpretation: no interpretation `z` in this rule"]
    );
    let unflagged = rule
        .replace("default_interpretation: z", "default_interpretation: x")
        .replace("confidence: ambiguous", "confidence: explicit");
    assert_eq!(
        issues(&unflagged),
        ["rules[0].source.confidence: a rule with interpretations has confidence `ambiguous`"]
    );
}

#[test]
fn a_minimum_over_a_closed_list_may_equal_its_size() {
    let rule = |min: u32| {
        format!(
            "  - id: R1\n    checks: [{{ min_range_items: {{ list: aspects, min: {min}, criteria: [\"1.1\"] }} }}]\n{SOURCE}"
        )
    };
    assert_eq!(issues(&rule(2)), Vec::<String>::new());
    assert_eq!(
        issues(&rule(3)),
        [
            "rules[0].checks[0].min_range_items.min: min 3 exceeds the 2 items of closed list `aspects`"
        ]
    );
}
