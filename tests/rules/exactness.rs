//! Exactness on standards written as data (two of the project's own, in `tests/fixtures`): each value
//! from a different piece of evidence, distinct values of the evidence's own fields, methods per
//! piece of evidence, gaps that say why evidence was set aside, and what each view counts.

use std::collections::BTreeSet;

use attest::rules::portfolio::{AttributeValue, Judgement, Setting};
use attest::rules::report::ReasonCode;
use attest::rules::{Interpretations, Portfolio, View, evaluate};
use attest::standards::{Check, Method, Span, Standard, load_file};

use super::support::*;

const HELPDESK: &str = "test-helpdesk";
const TOURS: &str = "test-tours";

fn fixture_standard(stem: &str) -> Standard {
    let path = root()
        .join("tests/fixtures/standards")
        .join(format!("{stem}.yaml"));
    load_file(&path)
        .unwrap_or_else(|e| panic!("{stem} loads: {e}"))
        .standard
}

fn fixture_complete(stem: &str) -> Portfolio {
    portfolio(
        &root()
            .join("tests/fixtures/portfolios")
            .join(format!("{stem}-complete.yaml")),
    )
}

/// The gaps of the confirmed view once `change` is applied to the fixture's complete portfolio.
fn gaps_after(stem: &str, change: impl FnOnce(&mut Portfolio)) -> Vec<String> {
    let standard = fixture_standard(stem);
    let mut portfolio = fixture_complete(stem);
    change(&mut portfolio);
    let report = confirmed(&standard, &portfolio);
    assert!(!report.complete, "{stem}: the change should leave a gap");
    gaps(&report)
}

fn set_values(portfolio: &mut Portfolio, id: &str, attribute: &str, values: &[&str]) {
    let value = AttributeValue::Many(values.iter().map(|v| (*v).to_owned()).collect());
    evidence(portfolio, id)
        .attributes
        .insert(attribute.to_owned(), value);
}

#[test]
fn standards_that_are_not_seeds_load_and_complete_as_data_alone() {
    let mut kinds = BTreeSet::new();
    for stem in [HELPDESK, TOURS] {
        let standard = fixture_standard(stem);
        let portfolio = fixture_complete(stem);
        let report = confirmed(&standard, &portfolio);
        assert!(report.complete, "{stem}: {:#?}", gaps(&report));
        let checks = standard.rules.iter().flat_map(|rule| {
            rule.checks
                .iter()
                .chain(rule.interpretations.iter().flat_map(|i| &i.checks))
        });
        kinds.extend(checks.map(Check::kind));
    }
    // Between them the two standards use every kind of check there is.
    let all: BTreeSet<&str> = Check::KINDS.iter().copied().collect();
    assert_eq!(kinds, all);
}

// 1. Each value from a different piece of evidence.

#[test]
fn values_are_assigned_to_different_tickets_when_one_assignment_exists() {
    // A{network, printing}, B{network}, C{accounts}: network–B, printing–A, accounts–C.
    let standard = fixture_standard(HELPDESK);
    let portfolio = fixture_complete(HELPDESK);
    let report = confirmed(&standard, &portfolio);
    assert!(report.complete);
    // And A{network, printing}, B{network}, C{printing, accounts} too.
    let mut changed = portfolio.clone();
    set_values(
        &mut changed,
        "ticket-3",
        "problem_area",
        &["printing", "accounts"],
    );
    assert!(confirmed(&standard, &changed).complete);
}

#[test]
fn values_of_one_ticket_never_count_as_several() {
    // A{network}, B{network}, C{network, accounts}: two tickets' worth of types, not three.
    let gaps = gaps_after(HELPDESK, |p| {
        set_values(p, "ticket-1", "problem_area", &["network"]);
        set_values(p, "ticket-3", "problem_area", &["network", "accounts"]);
    });
    assert_eq!(
        gaps,
        [
            "Outcome 1 has 2 of the 3 different types of problem needed (network, accounts): the ticket of 5 March is one piece of evidence, so it counts for one of network or accounts only"
        ]
    );
}

#[test]
fn one_ticket_with_three_values_counts_for_one() {
    let gaps = gaps_after(HELPDESK, |p| {
        set_values(
            p,
            "ticket-1",
            "problem_area",
            &["network", "printing", "accounts"],
        );
        p.evidence
            .retain(|e| e.id != "ticket-2" && e.id != "ticket-3");
    });
    assert!(
        gaps.contains(
            &"Outcome 1 has 1 of the 3 different types of problem needed (network): the ticket of 3 March is one piece of evidence, so it counts for one of network, printing or accounts only"
                .to_owned()
        ),
        "{gaps:#?}"
    );
}

#[test]
fn the_pooled_reading_stays_where_a_standard_means_it() {
    // The tours pool their galleries: two tours showing three galleries between them are enough.
    let standard = fixture_standard(TOURS);
    let tours = fixture_complete(TOURS);
    assert!(confirmed(&standard, &tours).complete);
    // 28268 PC 2.2 (an explanation) pools by default; the provider may read it per interaction.
    let nzqa = super::support::standard("nzqa-28268-v2");
    let portfolio = complete("nzqa-28268-v2");
    assert!(confirmed(&nzqa, &portfolio).complete);
    let mut chosen = Interpretations::new();
    chosen.choose("N15", "three_customers");
    let report = evaluate(&nzqa, &portfolio, View::Confirmed, &chosen);
    assert_eq!(
        gaps(&report),
        [
            "Criterion 2.2 has 1 of the 3 different types of challenging customers needed (angry): the questioning session of 3 June is one piece of evidence, so it counts for one of angry, confused or not speakers of English as a first language only"
        ]
    );
}

#[test]
fn nzqa_three_calls_with_one_customer_type_between_them_are_one_type() {
    let gaps = gaps_after_seed("nzqa-28268-v2", |p| {
        for id in ["call-confused", "call-stressed"] {
            set_values(p, id, "challenging_customer_type", &["angry"]);
        }
        set_values(
            p,
            "call-angry",
            "challenging_customer_type",
            &["angry", "sad", "confused"],
        );
    });
    assert_eq!(gaps.len(), 2, "{gaps:#?}");
    assert!(gaps[0].starts_with(
        "Criterion 2.3 has 2 of the 3 different types of challenging customers needed"
    ));
}

fn gaps_after_seed(stem: &str, change: impl FnOnce(&mut Portfolio)) -> Vec<String> {
    let standard = super::support::standard(stem);
    let mut portfolio = complete(stem);
    change(&mut portfolio);
    let report = confirmed(&standard, &portfolio);
    assert!(!report.complete, "{stem}: the change should leave a gap");
    gaps(&report)
}

// 2. At least k different values of the evidence's own field.

#[test]
fn channels_are_counted_from_each_tickets_own_channel_never_a_typed_attribute() {
    let gaps = gaps_after(HELPDESK, |p| {
        let ticket = evidence(p, "ticket-2");
        ticket.channel = vec![attest::standards::Channel::Phone];
        // The candidate types "email" in a free-text attribute: it does not change the channel.
        ticket
            .attributes
            .insert("channel_used".into(), AttributeValue::One("email".into()));
    });
    assert_eq!(
        gaps,
        ["Outcome 1 has 1 of the 2 different channels needed (phone)"]
    );
}

#[test]
fn sites_are_counted_from_each_tours_own_site() {
    let gaps = gaps_after(TOURS, |p| {
        evidence(p, "tour-2").site = Some("North wing".into())
    });
    assert_eq!(
        gaps,
        ["“Lead guided tours” has 1 of the 2 different sites needed (North wing)"]
    );
}

// 3. Methods per piece of evidence.

#[test]
fn a_ticket_evidenced_only_by_a_record_does_not_count_and_the_gap_says_why() {
    let gaps = gaps_after(HELPDESK, |p| {
        evidence(p, "ticket-3").method = Method::ElectronicDataRecord;
    });
    let why = "the ticket of 5 March does not count for Outcome 1 by itself: it is an electronic data record, and each piece of evidence there must be an observation checklist";
    assert_eq!(
        gaps,
        [
            format!("Outcome 1 needs 1 more ticket: {why}"),
            format!(
                "Outcome 1 has 2 of the 3 different types of problem needed (network, printing): {why}; the ticket of 3 March is one piece of evidence, so it counts for one of network or printing only"
            ),
        ]
    );
}

#[test]
fn a_linked_record_supports_its_ticket_and_the_across_set_reading_remains() {
    // Mapped to the outcome's criteria, the ticket log (linked to ticket 1) is set aside per instance…
    let mut portfolio = fixture_complete(HELPDESK);
    evidence(&mut portfolio, "log-1").criteria =
        evidence(&mut portfolio, "ticket-1").criteria.clone();
    let mut standard = fixture_standard(HELPDESK);
    let report = confirmed(&standard, &portfolio);
    assert!(report.complete, "{:#?}", gaps(&report));
    let log = report
        .evidence
        .iter()
        .find(|e| e.id == "log-1")
        .expect("log reported");
    assert!(!log.counts);
    assert_eq!(
        log.not_counted[0].message,
        "The ticket log of 3 March does not count for Outcome 1 by itself: it is an electronic data record, and each piece of evidence there must be an observation checklist (it supports the ticket of 3 March, which can)"
    );
    // …and read across the set, its method is one the outcome names (it is still set aside for
    // what every ticket must record).
    for rule in &mut standard.rules {
        for check in &mut rule.checks {
            if let Check::Methods(methods) = check {
                methods.per = Span::Set;
            }
        }
    }
    let report = confirmed(&standard, &portfolio);
    let log = report
        .evidence
        .iter()
        .find(|e| e.id == "log-1")
        .expect("log reported");
    let codes: Vec<ReasonCode> = log.not_counted.iter().map(|r| r.code).collect();
    assert!(!codes.contains(&ReasonCode::MethodNotAllowed), "{codes:?}");
    assert!(codes.contains(&ReasonCode::AttributeRequired), "{codes:?}");
}

#[test]
fn sqa_a_contact_shown_only_by_its_data_record_does_not_count() {
    let gaps = gaps_after_seed("sqa-dn8j-11", |p| {
        evidence(p, "dissatisfied-3").method = Method::ElectronicDataRecord;
    });
    assert_eq!(
        gaps,
        [
            "OUTCOME 4 needs 1 more contact with a dissatisfied customer: the contact of 26 September does not count for OUTCOME 4 by itself: it is an electronic data record, and each piece of evidence there must be an observation checklist"
        ]
    );
}

// 4. Gaps that say why.

#[test]
fn a_ticket_from_a_simulation_is_named_in_the_count_gap() {
    let gaps = gaps_after(HELPDESK, |p| {
        evidence(p, "ticket-3").setting = Setting::Simulation
    });
    let why =
        "the ticket of 5 March was in a simulation, and the unit needs evidence from the workplace";
    assert_eq!(
        gaps,
        [
            format!("Outcome 1 needs 1 more ticket: {why}"),
            format!(
                "Outcome 1 has 2 of the 3 different types of problem needed (network, printing): {why}; the ticket of 3 March is one piece of evidence, so it counts for one of network or printing only"
            ),
        ]
    );
}

#[test]
fn an_undeclared_value_is_named_in_the_count_gap() {
    let gaps = gaps_after(HELPDESK, |p| {
        set_values(p, "ticket-3", "problem_area", &["hardware"])
    });
    let why = "the ticket of 5 March does not count: `hardware` is not a value of `problem_area` (the standard declares: network, printing, accounts)";
    assert_eq!(gaps[0], format!("Outcome 1 needs 1 more ticket: {why}"));
}

#[test]
fn a_rejected_mapping_reads_as_rejected_with_feedback_in_both_views() {
    let change = |p: &mut Portfolio| {
        let mapping = mapping(p, "ticket-2", "1.1");
        mapping.judgement = Judgement::Rejected;
        mapping.feedback = Some("The caller was not greeted.".into());
    };
    let standard = fixture_standard(HELPDESK);
    let mut portfolio = fixture_complete(HELPDESK);
    change(&mut portfolio);
    for view in [View::Confirmed, View::Claimed] {
        let report = evaluate(&standard, &portfolio, view, &Interpretations::new());
        let ticket = report
            .evidence
            .iter()
            .find(|e| e.id == "ticket-2")
            .expect("reported");
        let messages: Vec<&str> = ticket
            .not_counted
            .iter()
            .map(|r| r.message.as_str())
            .collect();
        assert_eq!(
            messages,
            ["the assessor did not accept it for 1.1: The caller was not greeted."],
            "{view}"
        );
        // 1.1 is still covered by the other two tickets: no gap claims the ticket shows nothing.
        assert!(
            gaps(&report).iter().all(|g| !g.contains("shows none")),
            "{view}"
        );
    }
}

// 5. The two views.

#[test]
fn the_claimed_view_counts_what_waits_and_only_the_confirmed_view_completes() {
    let standard = fixture_standard(HELPDESK);
    let mut portfolio = fixture_complete(HELPDESK);
    for e in &mut portfolio.evidence {
        judge_all(e, Judgement::Pending);
    }
    let claimed = evaluate(
        &standard,
        &portfolio,
        View::Claimed,
        &Interpretations::new(),
    );
    assert!(gaps(&claimed).is_empty(), "{:#?}", gaps(&claimed));
    assert_eq!(claimed.progress.met, claimed.progress.total);
    assert!(!claimed.complete);
    let confirmed_view = confirmed(&standard, &portfolio);
    assert!(
        gaps(&confirmed_view)
            .iter()
            .all(|g| g.contains("waiting for the assessor's judgement")),
        "{:#?}",
        gaps(&confirmed_view)
    );
}

#[test]
fn no_gap_in_either_view_says_there_is_no_evidence_for_what_the_file_maps() {
    for stem in SEEDS {
        let standard = super::support::standard(stem);
        let base = complete(stem);
        for (n, piece) in base.evidence.iter().enumerate() {
            for judgement in [Judgement::Rejected, Judgement::Pending] {
                let mut portfolio = base.clone();
                judge_all(&mut portfolio.evidence[n], judgement);
                for view in [View::Claimed, View::Confirmed] {
                    let report = evaluate(&standard, &portfolio, view, &Interpretations::new());
                    for gap in gaps(&report) {
                        let Some(rest) = gap.strip_prefix("No evidence yet for ") else {
                            continue;
                        };
                        let mapped = portfolio.evidence.iter().any(|e| {
                            e.criteria
                                .iter()
                                .any(|m| rest.starts_with(&format!("{}:", m.criterion)))
                                || e.knowledge.iter().any(|m| {
                                    rest.starts_with(&format!("knowledge item {}:", m.item))
                                })
                        });
                        assert!(!mapped, "{stem}, {} {judgement:?}, {view}: {gap}", piece.id);
                    }
                }
            }
        }
    }
}
