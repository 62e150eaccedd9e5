//! Worked cases for every seed standard: the complete example portfolio is complete, and taking one
//! piece out of it gives exactly the gap that piece filled.

use attest::rules::portfolio::{AttributeValue, Judgement, Setting};
use attest::rules::report::{GapKind, ReasonCode};
use attest::rules::{Interpretations, Portfolio, Status, View, evaluate, render_text};
use attest::standards::Standard;

use super::support::*;

/// Applies `change` to the complete portfolio of `stem` and returns the gaps of the confirmed view.
fn gaps_after(stem: &str, change: impl FnOnce(&mut Portfolio)) -> Vec<String> {
    let standard = standard(stem);
    let mut portfolio = complete(stem);
    change(&mut portfolio);
    let report = confirmed(&standard, &portfolio);
    assert!(!report.complete, "{stem}: the change should leave a gap");
    gaps(&report)
}

#[test]
fn every_complete_example_is_complete_only_in_the_confirmed_view() {
    for stem in SEEDS {
        let standard = standard(stem);
        let portfolio = complete(stem);
        let report = confirmed(&standard, &portfolio);
        assert!(report.complete, "{stem}: {:#?}", gaps(&report));
        assert!(report.gaps.is_empty(), "{stem}");
        assert_eq!(report.status, Status::Met);
        assert_eq!(report.progress.met, report.progress.total);
        let claimed = evaluate(
            &standard,
            &portfolio,
            View::Claimed,
            &Interpretations::new(),
        );
        assert!(
            !claimed.complete,
            "{stem}: only the confirmed view completes a unit"
        );
        assert!(claimed.gaps.is_empty(), "{stem}");
    }
}

#[test]
fn every_incomplete_example_has_gaps() {
    for stem in SEEDS {
        let standard = standard(stem);
        let portfolio = portfolio(&portfolio_path(stem, "incomplete"));
        let report = confirmed(&standard, &portfolio);
        assert!(!report.complete, "{stem}");
        assert!(!report.gaps.is_empty(), "{stem}");
        assert_ne!(report.status, Status::Met, "{stem}");
    }
}

// NZQA 28268 version 2.

const NZQA: &str = "nzqa-28268-v2";

#[test]
fn nzqa_without_one_complex_enquiry_needs_one_more() {
    let gaps = gaps_after(NZQA, |p| remove_evidence(p, "enquiry-4"));
    assert_eq!(gaps, ["Outcome 1 needs 1 more complex customer enquiry"]);
}

#[test]
fn nzqa_enquiry_with_two_greeting_requirements_is_the_gap() {
    let gaps = gaps_after(NZQA, |p| {
        let range = &mut mapping(p, "enquiry-2", "1.1").range;
        range.insert(
            "greeting_requirements".into(),
            vec![
                "standard_response_to_interaction".into(),
                "grammar_and_syntax".into(),
            ],
        );
    });
    assert_eq!(
        gaps,
        [
            "The enquiry of 8 May shows 2 of the 3 greeting requirements needed for 1.1 (shown: standard response to interaction, grammar and syntax)"
        ]
    );
}

#[test]
fn nzqa_without_the_third_type_of_challenging_customer() {
    let gaps = gaps_after(NZQA, |p| remove_evidence(p, "call-stressed"));
    assert_eq!(
        gaps,
        [
            "Criterion 2.3 has 2 of the 3 different types of challenging customers needed (angry, confused)",
            "Criterion 2.4 has 2 of the 3 different types of challenging customers needed (angry, confused)",
        ]
    );
}

#[test]
fn nzqa_escalated_complex_enquiry_does_not_count_as_complex() {
    let standard = standard(NZQA);
    let mut portfolio = complete(NZQA);
    evidence(&mut portfolio, "enquiry-3")
        .attributes
        .insert("escalated_enquiry".into(), AttributeValue::Flag(true));
    let report = confirmed(&standard, &portfolio);
    assert_eq!(
        gaps(&report),
        ["Outcome 1 needs 1 more complex customer enquiry"]
    );
    let reasons = &report.evidence[2].not_counted;
    assert_eq!(reasons[0].code, ReasonCode::ExcludedType);
}

#[test]
fn nzqa_simulation_counts_once_the_assessor_confirms_it() {
    let gaps = gaps_after(NZQA, |p| {
        evidence(p, "enquiry-1").setting = Setting::Simulation;
    });
    assert_eq!(
        gaps,
        [
            "The enquiry of 6 May was in a simulation, which counts once the assessor confirms (rule N1): provided the simulation reflects industry requirements and requires performance that replicates a real working environment"
        ]
    );
    let standard = standard(NZQA);
    let mut portfolio = complete(NZQA);
    evidence(&mut portfolio, "enquiry-1").setting = Setting::Simulation;
    portfolio
        .confirmations
        .push(attest::rules::portfolio::Confirmation {
            rule: "N1".into(),
            judgement: Judgement::Accepted,
            note: None,
        });
    assert!(confirmed(&standard, &portfolio).complete);
}

#[test]
fn nzqa_complaint_awaiting_judgement() {
    let gaps = gaps_after(NZQA, |p| {
        judge_all(evidence(p, "complaint-2"), Judgement::Pending);
    });
    assert_eq!(
        gaps,
        ["The complaint of 4 July is waiting for the assessor's judgement (3.1, 3.2, 3.3, 3.4)"]
    );
}

#[test]
fn nzqa_a_pending_mapping_that_is_not_needed_leaves_the_unit_complete() {
    let standard = standard(NZQA);
    let mut portfolio = complete(NZQA);
    mapping(&mut portfolio, "complaint-2", "3.2").judgement = Judgement::Pending;
    assert!(confirmed(&standard, &portfolio).complete);
}

#[test]
fn nzqa_missing_confirmation() {
    let gaps = gaps_after(NZQA, |p| p.confirmations.retain(|c| c.rule != "N3"));
    assert_eq!(
        gaps,
        [
            "The assessor has not yet confirmed (rule N3): All activities and evidence presented are in accordance with contact centre policies and procedures."
        ]
    );
}

#[test]
fn nzqa_rejected_mapping_with_feedback_when_nothing_else_covers_it() {
    let gaps = gaps_after(NZQA, |p| {
        let m = mapping(p, "enquiry-3", "1.6");
        m.judgement = Judgement::Rejected;
        m.feedback = Some("The referral was not explained to the customer.".into());
        evidence(p, "enquiry-4")
            .criteria
            .retain(|m| m.criterion != "1.6");
    });
    assert_eq!(
        gaps,
        [
            "No evidence that counts yet for 1.6: Action customer needs outside CSA’s immediate responsibility or authority. (the assessor did not accept the enquiry of 12 May for it)",
            "The assessor did not accept the enquiry of 12 May for 1.6: The referral was not explained to the customer.",
        ]
    );
}

#[test]
fn nzqa_provider_interpretation_changes_what_counts() {
    let standard = standard(NZQA);
    let mut portfolio = complete(NZQA);
    evidence(&mut portfolio, "complaint-2").attributes.insert(
        "complaint_outcome".into(),
        AttributeValue::One("escalated".into()),
    );
    let default = confirmed(&standard, &portfolio);
    assert_eq!(
        gaps(&default),
        ["Outcome 3 needs 1 more resolved customer complaint"]
    );
    let mut choices = Interpretations::new();
    choices.choose("N19", "escalated_counts");
    let chosen = evaluate(&standard, &portfolio, View::Confirmed, &choices);
    assert!(chosen.complete, "{:#?}", gaps(&chosen));
    let rule = chosen.outcomes[2]
        .rules
        .iter()
        .find(|r| r.id == "N19")
        .expect("N19 is shown under outcome 3");
    let interpretation = rule.interpretation.as_ref().expect("N19 is ambiguous");
    assert_eq!(interpretation.id, "escalated_counts");
    assert!(interpretation.chosen_by_provider);
}

#[test]
fn nzqa_reading_both_lists_for_rapport_asks_each_enquiry_for_three_needs() {
    let standard = standard(NZQA);
    let portfolio = complete(NZQA);
    let mut choices = Interpretations::new();
    choices.choose("N9", "both");
    let report = evaluate(&standard, &portfolio, View::Confirmed, &choices);
    assert_eq!(
        gaps(&report),
        [
            "The enquiry of 6 May shows 1 of the 3 examples of customer needs needed for 1.3 (shown: standard enquiries)",
            "The enquiry of 8 May shows none of the 3 examples of customer needs needed for 1.3",
            "The enquiry of 12 May shows none of the 3 examples of customer needs needed for 1.3",
            "The enquiry of 20 May shows none of the 3 examples of customer needs needed for 1.3",
        ]
    );
    assert!(report.gaps.iter().all(|g| g.kind == GapKind::Instance));
}

#[test]
fn nzqa_report_names_the_range_items_each_instance_shows() {
    let standard = standard(NZQA);
    let portfolio = complete(NZQA);
    let report = confirmed(&standard, &portfolio);
    let enquiry = &report.evidence[0];
    assert_eq!(enquiry.id, "enquiry-1");
    assert_eq!(enquiry.label, "enquiry of 6 May");
    let greeting = &enquiry.criteria[0];
    assert_eq!(greeting.criterion, "1.1");
    assert!(greeting.counts);
    assert_eq!(
        greeting.range["greeting_requirements"],
        ["standard_welcome_message", "courtesy", "timeliness"]
    );
    let n6 = report.outcomes[0]
        .rules
        .iter()
        .find(|r| r.id == "N6")
        .expect("N6 under outcome 1");
    assert_eq!(n6.checks[0].evidence, ["enquiry-1", "enquiry-2"]);
    assert_eq!(n6.checks[1].evidence, ["enquiry-3", "enquiry-4"]);
}

// SQA DN8J 11.

const SQA: &str = "sqa-dn8j-11";

#[test]
fn sqa_contact_without_a_simultaneous_record() {
    let gaps = gaps_after(SQA, |p| evidence(p, "contact-1").links.clear());
    assert_eq!(
        gaps,
        [
            "The contact of 2 September does not show that the candidate did this at the same time: record relevant details on a database at the same time as dealing with the customer"
        ]
    );
}

#[test]
fn sqa_without_the_witnessed_customer_with_particular_needs() {
    let gaps = gaps_after(SQA, |p| remove_evidence(p, "rapport-2"));
    assert_eq!(
        gaps,
        [
            "OUTCOME 3 needs 1 customer with particular needs",
            "OUTCOME 3 has 2 of the 3 different customers needed (C-1041, C-0877)",
            "OUTCOME 3 needs evidence using phone and at least one of email, webchat, video or social media; email, webchat, video or social media is missing",
            "OUTCOME 3 needs observation checklist and witness testimony supported by electronic data record; witness testimony is missing",
        ]
    );
}

#[test]
fn sqa_the_same_customer_twice_is_one_customer() {
    let gaps = gaps_after(SQA, |p| {
        evidence(p, "rapport-3")
            .attributes
            .insert("customer".into(), AttributeValue::One("C-1041".into()));
    });
    assert_eq!(
        gaps,
        ["OUTCOME 3 has 2 of the 3 different customers needed (C-1041, C-2210)"]
    );
}

#[test]
fn sqa_particular_needs_must_be_one_of_the_different_customers() {
    // The customer with particular needs is not told apart from the others, so the set of three
    // different customers cannot include them ("at least one of whom").
    let gaps = gaps_after(SQA, |p| {
        evidence(p, "rapport-2").attributes.remove("customer");
        let mut fourth = evidence(p, "rapport-3").clone();
        fourth.id = "rapport-4".into();
        fourth
            .attributes
            .insert("customer".into(), AttributeValue::One("C-3390".into()));
        p.evidence.push(fourth);
    });
    assert_eq!(
        gaps,
        [
            "OUTCOME 3 needs the same evidence to count together: at least 3 different customers, each from a different piece of evidence, with at least 1 customer with particular needs"
        ]
    );
}

#[test]
fn sqa_without_the_third_dissatisfied_contact() {
    let gaps = gaps_after(SQA, |p| remove_evidence(p, "dissatisfied-3"));
    assert_eq!(
        gaps,
        ["OUTCOME 4 needs 1 more contact with a dissatisfied customer"]
    );
}

#[test]
fn sqa_without_the_supporting_record() {
    let gaps = gaps_after(SQA, |p| {
        remove_evidence(p, "complaint-file");
        evidence(p, "dissatisfied-1").links.clear();
    });
    assert_eq!(
        gaps,
        [
            "OUTCOME 4 needs observation checklist supported by electronic data record; electronic data record is missing"
        ]
    );
}

#[test]
fn sqa_each_instance_reading_of_channels_asks_every_contact_for_both() {
    let standard = standard(SQA);
    let portfolio = complete(SQA);
    let mut choices = Interpretations::new();
    choices.choose("S8", "each_instance");
    let report = evaluate(&standard, &portfolio, View::Confirmed, &choices);
    assert_eq!(
        gaps(&report),
        [
            "The call of 16 September used phone; each piece of evidence for OUTCOME 3 must use phone and at least one of email, webchat, video or social media",
            "The webchat of 17 September used webchat; each piece of evidence for OUTCOME 3 must use phone and at least one of email, webchat, video or social media",
            "The call of 18 September used phone; each piece of evidence for OUTCOME 3 must use phone and at least one of email, webchat, video or social media",
        ]
    );
}

// SVQ H12H 04.

const SVQ: &str = "svq-h12h-04";

#[test]
fn svq_simulation_never_counts_and_the_gap_says_why() {
    let gaps = gaps_after(SVQ, |p| {
        evidence(p, "team-meeting").setting = Setting::Simulation
    });
    let why = "(the team meeting of 10 February was in a simulation, and the unit needs evidence from the workplace)";
    assert_eq!(
        gaps,
        [
            format!(
                "No evidence that counts yet for 4: Consult agents about audit or spot check results to agree areas for change and improvement. {why}"
            ),
            format!(
                "No evidence that counts yet for 5: Implement agreed changes and improvements to customer contact activities. {why}"
            ),
        ]
    );
}

#[test]
fn svq_evidence_without_the_type_of_organisation() {
    let gaps = gaps_after(SVQ, |p| {
        evidence(p, "audit-plan").attributes.clear();
    });
    assert_eq!(
        gaps,
        [
            "The audit plan of 3 February does not record type of organisation, which every piece of evidence for the unit needs"
        ]
    );
}

#[test]
fn svq_undeclared_type_of_organisation_does_not_count() {
    let gaps = gaps_after(SVQ, |p| {
        evidence(p, "team-meeting").attributes.insert(
            "organisation_type".into(),
            AttributeValue::One("charity".into()),
        );
    });
    let why = "(the team meeting of 10 February does not count: `charity` is not a value of `organisation_type` (the standard declares: private_sector, not_for_profit, public_services))";
    assert_eq!(
        gaps,
        [
            format!(
                "No evidence that counts yet for 4: Consult agents about audit or spot check results to agree areas for change and improvement. {why}"
            ),
            format!(
                "No evidence that counts yet for 5: Implement agreed changes and improvements to customer contact activities. {why}"
            ),
        ]
    );
}

#[test]
fn svq_without_one_knowledge_item() {
    let gaps = gaps_after(SVQ, |p| {
        evidence(p, "discussion")
            .knowledge
            .retain(|k| k.item != "Km");
    });
    assert_eq!(
        gaps,
        [
            "No evidence yet for knowledge item Km: Buddying and learning support activities to work with colleagues and encourage development."
        ]
    );
}

#[test]
fn svq_without_one_aspect_of_service_delivery() {
    let gaps = gaps_after(SVQ, |p| {
        mapping(p, "complaint-referral", "9").range.insert(
            "delivery_takes_account_of".into(),
            vec!["organisational_policies".into()],
        );
    });
    assert_eq!(
        gaps,
        ["The unit needs evidence showing “regulatory and/or legislative requirements”"]
    );
}

#[test]
fn svq_confirmation_rejected() {
    let gaps = gaps_after(SVQ, |p| {
        for confirmation in p.confirmations.iter_mut().filter(|c| c.rule == "V8") {
            confirmation.judgement = Judgement::Rejected;
        }
    });
    assert_eq!(
        gaps,
        [
            "The assessor has not yet confirmed (rule V8): The work with team members covers all key organisational and regulatory requirements."
        ]
    );
}

// NOS INSCC003 and INSCC007.

const INSCC003: &str = "nos-inscc003";
const INSCC007: &str = "nos-inscc007";

#[test]
fn nos_without_a_criterion_recorded_not_applicable() {
    let gaps = gaps_after(INSCC003, |p| p.not_applicable.clear());
    assert_eq!(
        gaps,
        [
            "No evidence yet for 13: deal with complex customer contacts referred from colleagues where their levels of competence or authority have been exceeded (if it did not arise, the assessor can record it as not applicable: “where their levels of competence or authority have been exceeded”)"
        ]
    );
}

#[test]
fn nos_not_applicable_only_for_conditional_criteria() {
    let standard = standard(INSCC003);
    let mut portfolio = complete(INSCC003);
    let mut record = portfolio.not_applicable[0].clone();
    record.criterion = "1".into();
    portfolio.not_applicable.push(record);
    let report = confirmed(&standard, &portfolio);
    assert!(report.complete, "criterion 1 still has its evidence");
    assert_eq!(report.not_counted.len(), 1);
    assert_eq!(report.not_counted[0].code, ReasonCode::UnknownReference);
}

#[test]
fn nos_without_one_knowledge_item() {
    let gaps = gaps_after(INSCC003, |p| {
        evidence(p, "knowledge-questions")
            .knowledge
            .retain(|k| k.item != "K26");
    });
    assert_eq!(gaps.len(), 1);
    assert!(gaps[0].starts_with("No evidence yet for knowledge item K26: "));
}

#[test]
fn nos_confirmation_of_a_count_inside_one_message() {
    let gaps = gaps_after(INSCC007, |p| p.confirmations.retain(|c| c.rule != "I2"));
    assert_eq!(
        gaps,
        [
            "The assessor has not yet confirmed (rule I2): The written explanation gives the relative merits of at least two alternative points of view."
        ]
    );
}

#[test]
fn nos_rejected_evidence_with_feedback() {
    let gaps = gaps_after(INSCC007, |p| {
        let m = mapping(p, "g1-observation", "5");
        m.judgement = Judgement::Rejected;
        m.feedback = Some("Only one point of view was set out.".into());
    });
    assert_eq!(
        gaps,
        [
            "No evidence that counts yet for 5: communicate a message to a customer that clearly sets out at least two alternative points of view (the assessor did not accept the call of 3 May for it)",
            "The assessor did not accept the call of 3 May for 5: Only one point of view was set out.",
        ]
    );
}

// Properties of every report.

#[test]
fn reports_are_byte_identical_for_the_same_input() {
    for stem in SEEDS {
        let standard: Standard = self::standard(stem);
        let portfolio = portfolio(&portfolio_path(stem, "incomplete"));
        let first = serde_json::to_string(&confirmed(&standard, &portfolio)).expect("serializes");
        let again = serde_json::to_string(&confirmed(&standard, &portfolio)).expect("serializes");
        assert_eq!(first, again, "{stem}");
        let text = render_text(&confirmed(&standard, &portfolio));
        assert_eq!(
            text,
            render_text(&confirmed(&standard, &portfolio)),
            "{stem}"
        );
    }
}

#[test]
fn progress_counts_met_requirements_per_outcome() {
    let standard = standard(NZQA);
    let mut portfolio = complete(NZQA);
    remove_evidence(&mut portfolio, "call-stressed");
    let report = confirmed(&standard, &portfolio);
    let outcome = &report.outcomes[1];
    // Outcome 2: four criteria and four rule checks (N15 counts once, N16, N17); 2.3, 2.4, N16 and
    // N17 are not met.
    assert_eq!((outcome.progress.met, outcome.progress.total), (3, 7));
    assert_eq!(outcome.status, Status::PartlyMet);
    assert_eq!(report.outcomes[0].status, Status::Met);
}

#[test]
fn an_empty_portfolio_has_not_started() {
    let standard = standard(SQA);
    let mut portfolio = complete(SQA);
    portfolio.evidence.clear();
    let report = confirmed(&standard, &portfolio);
    assert_eq!(report.status, Status::NotStarted);
    assert!(
        report
            .outcomes
            .iter()
            .all(|o| o.status == Status::NotStarted)
    );
    assert!(
        report
            .gaps
            .iter()
            .any(|g| g.message == "OUTCOME 1 needs 3 contacts")
    );
}

#[test]
fn bad_references_do_not_count_and_say_why() {
    let standard = standard(NZQA);
    let text = r#"
standard: { code: "28268", version: 2 }
evidence:
  - id: e1
    method: observation_checklist
    setting: workplace
    date: 2024-05-06
    attributes: { mood: cheerful }
    criteria: [{ criterion: "1.1", judgement: accepted }]
  - id: e2
    method: observation_checklist
    setting: workplace
    date: 2024-05-07
    attributes: { enquiry_type: urgent }
  - id: e3
    method: observation_checklist
    setting: workplace
    date: 2024-05-08
    criteria:
      - { criterion: "9.9", judgement: accepted }
      - criterion: "1.1"
        range: { no_such_list: [x], greeting_requirements: [courtesy, smiling] }
        judgement: accepted
    links: [{ to: e3, kind: supports }, { to: e9, kind: supports }]
  - id: e3
    method: observation_checklist
    setting: workplace
    date: 2024-05-09
confirmations: [{ rule: Z1, judgement: accepted }]
"#;
    let portfolio: Portfolio = serde_yaml::from_str(text).expect("parses");
    let report = confirmed(&standard, &portfolio);
    assert!(!report.complete);
    let codes = |i: usize| -> Vec<ReasonCode> {
        report.evidence[i]
            .not_counted
            .iter()
            .map(|r| r.code)
            .collect()
    };
    assert_eq!(codes(0), [ReasonCode::UndeclaredAttributeValue]);
    assert_eq!(codes(1), [ReasonCode::UndeclaredAttributeValue]);
    let unknown = codes(2)
        .iter()
        .filter(|c| **c == ReasonCode::UnknownReference)
        .count();
    // criterion 9.9, list no_such_list, item smiling, the link to itself and the link to e9.
    assert_eq!(unknown, 5, "{:#?}", report.evidence[2].not_counted);
    // What remains of its 1.1 mapping shows one greeting requirement, so it does not count either.
    assert!(codes(2).contains(&ReasonCode::TooFewRangeItems));
    assert_eq!(codes(3), [ReasonCode::UnknownReference], "a duplicate id");
    assert!(!report.evidence[0].counts && !report.evidence[3].counts);
    assert_eq!(report.not_counted.len(), 1, "the confirmation of a rule Z1");
}

#[test]
fn reports_and_engines_cross_threads() {
    // The service builds reports on a blocking thread and may share a compiled engine.
    fn send_and_sync<T: Send + Sync>() {}
    send_and_sync::<attest::rules::Report<'static>>();
    send_and_sync::<attest::rules::Engine<'static>>();
    let standard = standard(NZQA);
    let portfolio = complete(NZQA);
    let engine = attest::rules::Engine::new(&standard, &Interpretations::new());
    let complete = std::thread::scope(|scope| {
        let worker = scope.spawn(|| engine.evaluate(&portfolio, View::Confirmed).complete);
        worker.join().expect("the worker finishes")
    });
    assert!(complete);
}

/// Every single instance, not-applicable mark and confirmation of each complete example, taken out
/// alone: either the unit stays complete (the piece was spare) or every gap concerns what that piece
/// counted for — an outcome it was mapped to, one of its criteria or knowledge items, or the unit
/// as a whole. A mark or confirmation taken out is always named by its gap.
#[test]
fn removing_any_single_piece_gives_gaps_only_where_it_counted() {
    for stem in SEEDS {
        let standard = standard(stem);
        let full = complete(stem);
        let outcome_of: std::collections::HashMap<&str, &str> = standard
            .outcomes
            .iter()
            .flat_map(|o| {
                o.criteria
                    .iter()
                    .map(move |c| (c.id.as_str(), o.id.as_str()))
            })
            .collect();
        let mut leaving_gaps = 0;
        for i in 0..full.evidence.len() {
            let mut portfolio = full.clone();
            let removed = portfolio.evidence.remove(i);
            // Evidence linked to the removed piece (a supporting record) counts where it counted.
            let touched: Vec<&attest::rules::portfolio::Evidence> = std::iter::once(&removed)
                .chain(
                    full.evidence
                        .iter()
                        .filter(|e| e.links.iter().any(|l| l.to == removed.id)),
                )
                .collect();
            let items: Vec<&str> = touched
                .iter()
                .flat_map(|e| {
                    e.criteria
                        .iter()
                        .map(|m| m.criterion.as_str())
                        .chain(e.knowledge.iter().map(|k| k.item.as_str()))
                })
                .collect();
            let outcomes: Vec<&str> = items
                .iter()
                .filter_map(|c| outcome_of.get(c).copied())
                .collect();
            let report = confirmed(&standard, &portfolio);
            if report.complete {
                continue;
            }
            leaving_gaps += 1;
            assert!(!report.gaps.is_empty(), "{stem}: incomplete without a gap");
            for gap in &report.gaps {
                let concerned = match (gap.outcome, gap.item) {
                    (_, Some(item)) if items.contains(&item) => true,
                    (Some(outcome), _) => outcomes.contains(&outcome),
                    (None, _) => true,
                };
                assert!(
                    concerned,
                    "{stem}: without {} the gap `{}` is about something it did not count for",
                    removed.id, gap.message
                );
            }
        }
        assert!(
            leaving_gaps > 0,
            "{stem}: no single instance of the complete example is needed"
        );
        for i in 0..full.not_applicable.len() {
            let mut portfolio = full.clone();
            let removed = portfolio.not_applicable.remove(i);
            let report = confirmed(&standard, &portfolio);
            assert!(
                report
                    .gaps
                    .iter()
                    .any(|g| g.item == Some(removed.criterion.as_str())),
                "{stem}: without the not-applicable mark on {} no gap names it: {:?}",
                removed.criterion,
                gaps(&report)
            );
        }
        for i in 0..full.confirmations.len() {
            let mut portfolio = full.clone();
            let removed = portfolio.confirmations.remove(i);
            let report = confirmed(&standard, &portfolio);
            assert!(
                report
                    .gaps
                    .iter()
                    .any(|g| g.rule == Some(removed.rule.as_str())),
                "{stem}: without the confirmation of {} no gap names it: {:?}",
                removed.rule,
                gaps(&report)
            );
        }
    }
}
