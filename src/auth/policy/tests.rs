//! The cases the matrix's three relationships do not reach: enrolment status, independence of
//! internal verification, mixed roles, expiry boundaries, deactivation, mismatched resources,
//! and the list scope.

use super::matrix::{ASSESSOR, AWAY, CANDIDATE, HOME, ME, VERIFIER, now, unrelated_enrolment};
use super::*;
use chrono::TimeDelta;

fn grant(org_id: Uuid, role: Role) -> Grant {
    Grant {
        org_id,
        role,
        expires_at: None,
    }
}

fn me_with(grants: Vec<Grant>) -> Actor {
    Actor {
        user_id: ME,
        active: true,
        grants,
        verifies: Vec::new(),
    }
}

fn enrolment(change: impl FnOnce(&mut EnrolmentFacts)) -> EnrolmentFacts {
    let mut facts = unrelated_enrolment();
    change(&mut facts);
    facts
}

fn decide(actor: &Actor, action: Action, resource: &Resource) -> Decision {
    can(actor, action, resource, now())
}

#[test]
fn the_candidate_may_change_the_portfolio_only_while_it_is_active() {
    let candidate = me_with(vec![grant(HOME, Role::Candidate)]);
    for &status in EnrolmentStatus::ALL {
        let facts = enrolment(|e| {
            e.candidate_id = ME;
            e.status = status;
        });
        let want = if status == EnrolmentStatus::Active {
            Decision::Allow
        } else {
            Decision::Forbidden
        };
        let own = Resource::Enrolment(facts.clone());
        let evidence = Resource::Evidence {
            enrolment: facts.clone(),
            recorded_by: ME,
        };
        assert_eq!(
            decide(&candidate, Action::AddEvidence, &own),
            want,
            "{status:?}"
        );
        assert_eq!(
            decide(&candidate, Action::SubmitEnrolment, &own),
            want,
            "{status:?}"
        );
        assert_eq!(
            decide(&candidate, Action::ChangeEvidence, &evidence),
            want,
            "{status:?}"
        );
        assert_eq!(
            decide(&candidate, Action::ReadEnrolment, &own),
            Decision::Allow,
            "{status:?}"
        );
    }
}

#[test]
fn the_assessor_is_not_limited_by_status_because_locks_answer_409_elsewhere() {
    let assessor = me_with(vec![grant(HOME, Role::Assessor)]);
    let assessed = Resource::Enrolment(enrolment(|e| {
        e.assessor_id = Some(ME);
        e.status = EnrolmentStatus::Assessed;
    }));
    assert_eq!(
        decide(&assessor, Action::ReopenEnrolment, &assessed),
        Decision::Allow
    );
    assert_eq!(
        decide(&assessor, Action::AddEvidence, &assessed),
        Decision::Allow
    );
}

#[test]
fn evidence_may_be_changed_only_by_whoever_recorded_it() {
    let candidate = me_with(vec![grant(HOME, Role::Candidate)]);
    let assessor = me_with(vec![grant(HOME, Role::Assessor)]);
    let mine_as_candidate = enrolment(|e| e.candidate_id = ME);
    let mine_as_assessor = enrolment(|e| e.assessor_id = Some(ME));
    let observation = Resource::Evidence {
        enrolment: mine_as_candidate,
        recorded_by: ASSESSOR,
    };
    let upload = Resource::Evidence {
        enrolment: mine_as_assessor,
        recorded_by: CANDIDATE,
    };
    assert_eq!(
        decide(&candidate, Action::ChangeEvidence, &observation),
        Decision::Forbidden
    );
    assert_eq!(
        decide(&assessor, Action::ChangeEvidence, &upload),
        Decision::Forbidden
    );
}

#[test]
fn an_internal_verifier_never_samples_their_own_assessment() {
    let both = me_with(vec![
        grant(HOME, Role::Assessor),
        grant(HOME, Role::InternalVerifier),
    ]);
    let assessed_by_me = Resource::Enrolment(enrolment(|e| {
        e.assessor_id = Some(ME);
        e.iv_id = Some(ME);
    }));
    assert_eq!(
        decide(&both, Action::SampleEnrolment, &assessed_by_me),
        Decision::Forbidden
    );
    assert_eq!(
        decide(&both, Action::DecideUnit, &assessed_by_me),
        Decision::Allow
    );
    assert_eq!(
        decide(&both, Action::ReadEnrolment, &assessed_by_me),
        Decision::Allow
    );

    // Reassigned to another assessor after I signed the decision: still mine to keep away from.
    let decided_by_me = Resource::Enrolment(enrolment(|e| {
        e.iv_id = Some(ME);
        e.decided_by = Some(ME);
    }));
    assert_eq!(
        decide(&both, Action::SampleEnrolment, &decided_by_me),
        Decision::Forbidden
    );

    // The same person verifying another assessor's enrolment is fine.
    let someone_elses = Resource::Enrolment(enrolment(|e| e.iv_id = Some(ME)));
    assert_eq!(
        decide(&both, Action::SampleEnrolment, &someone_elses),
        Decision::Allow
    );
}

#[test]
fn an_internal_verifier_reaches_an_enrolment_through_either_assignment() {
    let assigned_to_assessor = Actor {
        verifies: vec![VerifierAssignment {
            org_id: HOME,
            assessor_id: ASSESSOR,
        }],
        ..me_with(vec![grant(HOME, Role::InternalVerifier)])
    };
    let by_assessor = Resource::Enrolment(unrelated_enrolment());
    assert_eq!(
        decide(&assigned_to_assessor, Action::SampleEnrolment, &by_assessor),
        Decision::Allow
    );
    assert_eq!(
        decide(&assigned_to_assessor, Action::ReadEnrolment, &by_assessor),
        Decision::Allow
    );

    let named_on_enrolment = me_with(vec![grant(HOME, Role::InternalVerifier)]);
    let by_iv_id = Resource::Enrolment(enrolment(|e| e.iv_id = Some(ME)));
    assert_eq!(
        decide(&named_on_enrolment, Action::SampleEnrolment, &by_iv_id),
        Decision::Allow
    );

    // No assessor yet: the assessor assignment reaches nothing.
    let unassigned = Resource::Enrolment(enrolment(|e| e.assessor_id = None));
    assert_eq!(
        decide(&assigned_to_assessor, Action::ReadEnrolment, &unassigned),
        Decision::Forbidden
    );
}

#[test]
fn a_verifier_assignment_counts_only_in_its_organisation_and_with_the_role() {
    let elsewhere = Actor {
        verifies: vec![VerifierAssignment {
            org_id: AWAY,
            assessor_id: ASSESSOR,
        }],
        ..me_with(vec![grant(HOME, Role::InternalVerifier)])
    };
    let target = Resource::Enrolment(unrelated_enrolment());
    assert_eq!(
        decide(&elsewhere, Action::ReadEnrolment, &target),
        Decision::Forbidden
    );

    let role_revoked = Actor {
        verifies: vec![VerifierAssignment {
            org_id: HOME,
            assessor_id: ASSESSOR,
        }],
        ..me_with(vec![grant(HOME, Role::Assessor)])
    };
    assert_eq!(
        decide(&role_revoked, Action::SampleEnrolment, &target),
        Decision::Forbidden
    );
    assert_eq!(
        decide(&role_revoked, Action::ReadEnrolment, &target),
        Decision::Forbidden
    );
}

#[test]
fn roles_do_not_carry_over_between_organisations() {
    let admin_away_candidate_home = me_with(vec![
        grant(AWAY, Role::ProviderAdmin),
        grant(HOME, Role::Candidate),
    ]);
    let home = Resource::Organisation { org_id: HOME };
    let away = Resource::Organisation { org_id: AWAY };
    assert_eq!(
        decide(&admin_away_candidate_home, Action::CreateUser, &home),
        Decision::Forbidden
    );
    assert_eq!(
        decide(&admin_away_candidate_home, Action::CreateUser, &away),
        Decision::Allow
    );
    let others = Resource::Enrolment(unrelated_enrolment());
    assert_eq!(
        decide(&admin_away_candidate_home, Action::ReadEnrolment, &others),
        Decision::Forbidden
    );
}

#[test]
fn an_external_verifier_grant_ends_exactly_at_its_expiry() {
    let expiry = now() + TimeDelta::days(14);
    let verifier = me_with(vec![Grant {
        org_id: HOME,
        role: Role::ExternalVerifier,
        expires_at: Some(expiry),
    }]);
    let target = Resource::Enrolment(unrelated_enrolment());
    let read_at = |at| can(&verifier, Action::ReadEnrolment, &target, at);
    assert_eq!(read_at(expiry - TimeDelta::seconds(1)), Decision::Allow);
    assert_eq!(read_at(expiry), Decision::NotFound);
}

#[test]
fn an_expired_grant_of_any_role_counts_for_nothing() {
    for &role in Role::ALL {
        let lapsed = me_with(vec![Grant {
            org_id: HOME,
            role,
            expires_at: Some(now()),
        }]);
        let org = Resource::Organisation { org_id: HOME };
        assert_eq!(
            decide(&lapsed, Action::ReadOrganisation, &org),
            Decision::NotFound,
            "{role:?}"
        );
    }
}

#[test]
fn an_external_verifier_never_changes_anything() {
    let verifier = Actor {
        verifies: vec![VerifierAssignment {
            org_id: HOME,
            assessor_id: ASSESSOR,
        }],
        ..me_with(vec![grant(HOME, Role::ExternalVerifier)])
    };
    let own = enrolment(|e| {
        e.candidate_id = ME;
        e.assessor_id = Some(ME);
        e.iv_id = Some(ME);
    });
    let resources = [
        Resource::Organisation { org_id: HOME },
        Resource::User {
            org_id: HOME,
            user_id: ME,
        },
        Resource::Enrolment(own.clone()),
        Resource::Evidence {
            enrolment: own.clone(),
            recorded_by: ME,
        },
        Resource::SamplingPlan {
            org_id: HOME,
            iv_id: ME,
        },
        Resource::Statement { enrolment: own },
        Resource::Export { org_id: HOME },
    ];
    for &action in Action::ALL.iter().filter(|action| action.writes()) {
        for resource in &resources {
            assert_ne!(
                decide(&verifier, action, resource),
                Decision::Allow,
                "{action:?} on {resource:?}"
            );
        }
    }
}

#[test]
fn a_deactivated_actor_may_do_nothing() {
    let deactivated = Actor {
        active: false,
        ..me_with(Role::ALL.iter().map(|role| grant(HOME, *role)).collect())
    };
    assert_eq!(
        decide(&deactivated, Action::ReadStandard, &Resource::Standard),
        Decision::Forbidden
    );
    let own = enrolment(|e| {
        e.candidate_id = ME;
        e.assessor_id = Some(ME);
    });
    for &action in Action::ALL {
        let resource = match action.resource_kind() {
            ResourceKind::Standard => continue,
            ResourceKind::Organisation => Resource::Organisation { org_id: HOME },
            ResourceKind::User => Resource::User {
                org_id: HOME,
                user_id: ME,
            },
            ResourceKind::Enrolment => Resource::Enrolment(own.clone()),
            ResourceKind::Evidence => Resource::Evidence {
                enrolment: own.clone(),
                recorded_by: ME,
            },
            ResourceKind::SamplingPlan => Resource::SamplingPlan {
                org_id: HOME,
                iv_id: ME,
            },
            ResourceKind::Statement => Resource::Statement {
                enrolment: own.clone(),
            },
            ResourceKind::Export => Resource::Export { org_id: HOME },
        };
        assert_eq!(
            decide(&deactivated, action, &resource),
            Decision::NotFound,
            "{action:?}"
        );
    }
    assert!(!deactivated.is_member(HOME, now()));
}

#[test]
fn an_action_on_the_wrong_kind_of_resource_is_refused() {
    let admin = me_with(vec![grant(HOME, Role::ProviderAdmin)]);
    let org_home = Resource::Organisation { org_id: HOME };
    let org_away = Resource::Organisation { org_id: AWAY };
    assert_eq!(
        decide(&admin, Action::ReadEnrolment, &org_home),
        Decision::Forbidden
    );
    assert_eq!(
        decide(&admin, Action::IssueStatement, &Resource::Standard),
        Decision::Forbidden
    );
    assert_eq!(
        decide(&admin, Action::ReadEnrolment, &org_away),
        Decision::NotFound
    );
    for &action in Action::ALL {
        for &kind in ResourceKind::ALL
            .iter()
            .filter(|kind| **kind != action.resource_kind())
        {
            let resource = match kind {
                ResourceKind::Standard => Resource::Standard,
                ResourceKind::Organisation => org_home.clone(),
                ResourceKind::User => Resource::User {
                    org_id: HOME,
                    user_id: ME,
                },
                ResourceKind::Enrolment => Resource::Enrolment(unrelated_enrolment()),
                ResourceKind::Evidence => Resource::Evidence {
                    enrolment: unrelated_enrolment(),
                    recorded_by: ME,
                },
                ResourceKind::SamplingPlan => Resource::SamplingPlan {
                    org_id: HOME,
                    iv_id: ME,
                },
                ResourceKind::Statement => Resource::Statement {
                    enrolment: unrelated_enrolment(),
                },
                ResourceKind::Export => Resource::Export { org_id: HOME },
            };
            assert_eq!(
                decide(&admin, action, &resource),
                Decision::Forbidden,
                "{action:?} on {kind:?}"
            );
        }
    }
}

#[test]
fn the_list_scope_agrees_with_reading_one_enrolment() {
    let people = [ME, CANDIDATE];
    let staff = [Some(ME), Some(ASSESSOR), None];
    let verifier_staff = [Some(ME), Some(VERIFIER), None];
    let assignments = [
        vec![],
        vec![VerifierAssignment {
            org_id: HOME,
            assessor_id: ASSESSOR,
        }],
        vec![VerifierAssignment {
            org_id: AWAY,
            assessor_id: ASSESSOR,
        }],
        vec![VerifierAssignment {
            org_id: HOME,
            assessor_id: ME,
        }],
    ];
    let mut compared = 0;
    for role_bits in 0..(1u32 << Role::ALL.len()) {
        let grants: Vec<Grant> = Role::ALL
            .iter()
            .enumerate()
            .filter(|(bit, _)| role_bits & (1 << bit) != 0)
            .map(|(_, role)| grant(HOME, *role))
            .collect();
        for verifies in &assignments {
            let actor = Actor {
                verifies: verifies.clone(),
                ..me_with(grants.clone())
            };
            let scope = enrolment_scope(&actor, HOME, now());
            assert_eq!(scope.is_some(), role_bits != 0);
            for org_id in [HOME, AWAY] {
                for candidate_id in people {
                    for assessor_id in staff {
                        for iv_id in verifier_staff {
                            let facts = EnrolmentFacts {
                                org_id,
                                candidate_id,
                                assessor_id,
                                iv_id,
                                decided_by: None,
                                status: EnrolmentStatus::Active,
                            };
                            let in_scope = scope.as_ref().is_some_and(|s| s.includes(&facts));
                            let decision =
                                decide(&actor, Action::ReadEnrolment, &Resource::Enrolment(facts));
                            assert_eq!(in_scope, decision.is_allowed(), "{actor:?} {decision:?}");
                            compared += 1;
                        }
                    }
                }
            }
        }
    }
    assert_eq!(compared, (1 << Role::ALL.len()) * 4 * 2 * 2 * 3 * 3);
}

#[test]
fn the_list_scope_names_what_the_query_filters_on() {
    let verifier = Actor {
        verifies: vec![
            VerifierAssignment {
                org_id: HOME,
                assessor_id: ASSESSOR,
            },
            VerifierAssignment {
                org_id: AWAY,
                assessor_id: CANDIDATE,
            },
        ],
        ..me_with(vec![
            grant(HOME, Role::InternalVerifier),
            grant(HOME, Role::Candidate),
        ])
    };
    assert_eq!(
        enrolment_scope(&verifier, HOME, now()),
        Some(EnrolmentScope {
            org_id: HOME,
            whole_org: false,
            candidate_id: Some(ME),
            assessor_id: None,
            iv_id: Some(ME),
            verified_assessors: vec![ASSESSOR],
        })
    );
    assert_eq!(enrolment_scope(&verifier, AWAY, now()), None);
}

#[test]
fn a_decision_converts_to_a_result_for_handlers() {
    assert_eq!(Decision::Allow.require(), Ok(()));
    assert_eq!(Decision::Forbidden.require(), Err(Denied::Forbidden));
    assert_eq!(Decision::NotFound.require(), Err(Denied::NotFound));
    assert!(Decision::Allow.is_allowed());
    assert!(!Decision::Forbidden.is_allowed());
}
