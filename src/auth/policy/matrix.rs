//! The policy as a table: every action × role × relationship with the exact decision.
//!
//! Relationships, for each role:
//! - **own**: the resource is the actor's own in that role: their enrolment as candidate, the
//!   enrolment assigned to them as assessor or internal verifier, their own user account,
//!   their own sampling plan, evidence they recorded; for organisation-wide roles (provider
//!   admin, external verifier) simply a resource of their organisation;
//! - **same**: a resource of the same organisation with no such relationship;
//! - **other**: the actor's grant is in another organisation (the resource is otherwise the
//!   "own" one, so no id coincidence can open it);
//! - and one column for an external verifier whose grant has expired.
//!
//! Anonymous requests have no `Actor` at all, so the policy cannot be asked: the HTTP layer
//! answers 401 (its own route matrix tests that).
//!
//! `expected` is an exhaustive match: a new `Action` does not compile without its row, and a
//! new `Role` does not compile without its column in `Row::for_role`.

use super::*;
use chrono::{TimeDelta, TimeZone};

use Decision::{Allow as A, Forbidden as F, NotFound as N};

pub(super) const ME: Uuid = Uuid::from_u128(0x01);
pub(super) const CANDIDATE: Uuid = Uuid::from_u128(0x02);
pub(super) const ASSESSOR: Uuid = Uuid::from_u128(0x03);
pub(super) const VERIFIER: Uuid = Uuid::from_u128(0x04);
pub(super) const SOMEONE: Uuid = Uuid::from_u128(0x05);
pub(super) const HOME: Uuid = Uuid::from_u128(0x100);
pub(super) const AWAY: Uuid = Uuid::from_u128(0x200);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relationship {
    Own,
    Same,
    Other,
}

const RELATIONSHIPS: [Relationship; 3] =
    [Relationship::Own, Relationship::Same, Relationship::Other];

/// One action's expected decisions; each array is [own, same, other].
struct Row {
    candidate: [Decision; 3],
    assessor: [Decision; 3],
    internal_verifier: [Decision; 3],
    provider_admin: [Decision; 3],
    external_verifier: [Decision; 3],
    standards_editor: [Decision; 3],
    expired_external_verifier: Decision,
}

impl Row {
    fn for_role(&self, role: Role) -> [Decision; 3] {
        match role {
            Role::Candidate => self.candidate,
            Role::Assessor => self.assessor,
            Role::InternalVerifier => self.internal_verifier,
            Role::ProviderAdmin => self.provider_admin,
            Role::ExternalVerifier => self.external_verifier,
            Role::StandardsEditor => self.standards_editor,
        }
    }
}

fn row(
    candidate: [Decision; 3],
    assessor: [Decision; 3],
    internal_verifier: [Decision; 3],
    provider_admin: [Decision; 3],
    external_verifier: [Decision; 3],
    standards_editor: [Decision; 3],
    expired_external_verifier: Decision,
) -> Row {
    Row {
        candidate,
        assessor,
        internal_verifier,
        provider_admin,
        external_verifier,
        standards_editor,
        expired_external_verifier,
    }
}

#[rustfmt::skip]
fn expected(action: Action) -> Row {
    use Action::*;
    // Columns: candidate, assessor, internal verifier, provider admin, external verifier,
    // standards editor (each [own, same, other]), then an external verifier whose grant has expired.
    match action {
        ReadStandard =>             row([A, A, A], [A, A, A], [A, A, A], [A, A, A], [A, A, A], [A, A, A], A),

        ReadOrganisation =>         row([A, A, N], [A, A, N], [A, A, N], [A, A, N], [A, A, N], [A, A, N], N),
        ManageOrganisation =>       row([F, F, N], [F, F, N], [F, F, N], [A, A, N], [F, F, N], [F, F, N], N),
        ListUsers =>                row([F, F, N], [F, F, N], [F, F, N], [A, A, N], [F, F, N], [F, F, N], N),
        CreateUser =>               row([F, F, N], [F, F, N], [F, F, N], [A, A, N], [F, F, N], [F, F, N], N),
        ReadUser =>                 row([A, F, N], [A, F, N], [A, F, N], [A, A, N], [A, F, N], [A, F, N], N),
        DeactivateUser =>           row([F, F, N], [F, F, N], [F, F, N], [A, A, N], [F, F, N], [F, F, N], N),
        GrantRole =>                row([F, F, N], [F, F, N], [F, F, N], [A, A, N], [F, F, N], [F, F, N], N),
        RevokeRole =>               row([F, F, N], [F, F, N], [F, F, N], [A, A, N], [F, F, N], [F, F, N], N),
        GrantExternalVerifier =>    row([F, F, N], [F, F, N], [F, F, N], [A, A, N], [F, F, N], [F, F, N], N),
        AssignVerifierToAssessor => row([F, F, N], [F, F, N], [F, F, N], [A, A, N], [F, F, N], [F, F, N], N),
        ReadAudit =>                row([F, F, N], [F, F, N], [F, F, N], [A, A, N], [A, A, N], [F, F, N], N),
        ExportData =>               row([F, F, N], [F, F, N], [F, F, N], [A, A, N], [F, F, N], [F, F, N], N),
        RecordExport =>             row([F, F, N], [F, F, N], [F, F, N], [A, A, N], [F, F, N], [F, F, N], N),
        ReadCohorts =>              row([F, F, N], [F, F, N], [F, F, N], [A, A, N], [A, A, N], [F, F, N], N),
        ManageCohorts =>            row([F, F, N], [F, F, N], [F, F, N], [A, A, N], [F, F, N], [F, F, N], N),
        ManageQuestionSets =>       row([F, F, N], [A, A, N], [F, F, N], [A, A, N], [F, F, N], [F, F, N], N),

        ListEnrolments =>           row([A, A, N], [A, A, N], [A, A, N], [A, A, N], [A, A, N], [A, A, N], N),
        CreateEnrolment =>          row([F, F, N], [F, F, N], [F, F, N], [A, A, N], [F, F, N], [F, F, N], N),
        ReadEnrolment =>            row([A, F, N], [A, F, N], [A, F, N], [A, A, N], [A, A, N], [F, F, N], N),
        AssignEnrolmentStaff =>     row([F, F, N], [F, F, N], [F, F, N], [A, A, N], [F, F, N], [F, F, N], N),
        WithdrawEnrolment =>        row([F, F, N], [F, F, N], [F, F, N], [A, A, N], [F, F, N], [F, F, N], N),
        AuthorStandards =>          row([F, F, N], [F, F, N], [F, F, N], [F, F, N], [F, F, N], [A, A, N], N),
        PublishStandards =>         row([F, F, N], [F, F, N], [F, F, N], [F, F, N], [F, F, N], [A, A, N], N),
        UploadStandardMapping =>    row([F, F, N], [F, F, N], [F, F, N], [F, F, N], [F, F, N], [A, A, N], N),
        ExtendAssessment =>         row([F, F, N], [F, F, N], [F, F, N], [A, A, N], [F, F, N], [F, F, N], N),
        MoveEnrolment =>            row([F, F, N], [F, F, N], [F, F, N], [A, A, N], [F, F, N], [F, F, N], N),
        AddEvidence =>              row([A, F, N], [A, F, N], [F, F, N], [F, F, N], [F, F, N], [F, F, N], N),
        RecordAssessorEvidence =>   row([F, F, N], [A, F, N], [F, F, N], [F, F, N], [F, F, N], [F, F, N], N),
        ChangeEvidence =>           row([A, F, N], [A, F, N], [F, F, N], [F, F, N], [F, F, N], [F, F, N], N),
        JudgeEvidence =>            row([F, F, N], [A, F, N], [F, F, N], [F, F, N], [F, F, N], [F, F, N], N),
        SubmitEnrolment =>          row([A, F, N], [F, F, N], [F, F, N], [F, F, N], [F, F, N], [F, F, N], N),
        DecideUnit =>               row([F, F, N], [A, F, N], [F, F, N], [F, F, N], [F, F, N], [F, F, N], N),
        ReopenEnrolment =>          row([F, F, N], [A, F, N], [F, F, N], [F, F, N], [F, F, N], [F, F, N], N),

        ReadSamplingPlan =>         row([F, F, N], [F, F, N], [A, F, N], [A, A, N], [A, A, N], [F, F, N], N),
        ManageSamplingPlan =>       row([F, F, N], [F, F, N], [A, F, N], [A, A, N], [F, F, N], [F, F, N], N),
        SampleEnrolment =>          row([F, F, N], [F, F, N], [A, F, N], [F, F, N], [F, F, N], [F, F, N], N),

        IssueStatement =>           row([F, F, N], [F, F, N], [F, F, N], [A, A, N], [F, F, N], [F, F, N], N),
        ReadStatement =>            row([A, F, N], [A, F, N], [A, F, N], [A, A, N], [A, A, N], [F, F, N], N),
        RevokeStatement =>          row([F, F, N], [F, F, N], [F, F, N], [A, A, N], [F, F, N], [F, F, N], N),
    }
}

pub(super) fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 4, 10, 0, 0).unwrap()
}

/// An active enrolment of HOME in which the actor (ME) plays no part.
pub(super) fn unrelated_enrolment() -> EnrolmentFacts {
    EnrolmentFacts {
        org_id: HOME,
        candidate_id: CANDIDATE,
        assessor_id: Some(ASSESSOR),
        iv_id: Some(VERIFIER),
        decided_by: None,
        status: EnrolmentStatus::Active,
    }
}

/// The enrolment that is the actor's own in `role`.
fn own_enrolment(role: Role) -> EnrolmentFacts {
    let base = unrelated_enrolment();
    match role {
        Role::Candidate => EnrolmentFacts {
            candidate_id: ME,
            ..base
        },
        Role::Assessor => EnrolmentFacts {
            assessor_id: Some(ME),
            ..base
        },
        Role::InternalVerifier => EnrolmentFacts {
            iv_id: Some(ME),
            ..base
        },
        Role::ProviderAdmin | Role::ExternalVerifier | Role::StandardsEditor => base,
    }
}

fn actor(role: Role, relationship: Relationship, expires_at: Option<DateTime<Utc>>) -> Actor {
    let org_id = match relationship {
        Relationship::Own | Relationship::Same => HOME,
        Relationship::Other => AWAY,
    };
    let verifies = if role == Role::InternalVerifier && relationship == Relationship::Own {
        vec![VerifierAssignment {
            org_id: HOME,
            assessor_id: ASSESSOR,
        }]
    } else {
        Vec::new()
    };
    Actor {
        user_id: ME,
        active: true,
        grants: vec![Grant {
            org_id,
            role,
            expires_at,
        }],
        verifies,
    }
}

/// A resource of `kind` in HOME, related to the actor as `relationship` says.
fn resource(kind: ResourceKind, role: Role, relationship: Relationship) -> Resource {
    let own = relationship != Relationship::Same;
    let enrolment = if own {
        own_enrolment(role)
    } else {
        unrelated_enrolment()
    };
    let mine_or = |other: Uuid| if own { ME } else { other };
    match kind {
        ResourceKind::Standard => Resource::Standard,
        ResourceKind::Organisation => Resource::Organisation { org_id: HOME },
        ResourceKind::User => Resource::User {
            org_id: HOME,
            user_id: mine_or(SOMEONE),
        },
        ResourceKind::Enrolment => Resource::Enrolment(enrolment),
        ResourceKind::Evidence => Resource::Evidence {
            enrolment,
            recorded_by: mine_or(CANDIDATE),
        },
        ResourceKind::SamplingPlan => Resource::SamplingPlan {
            org_id: HOME,
            iv_id: mine_or(VERIFIER),
        },
        ResourceKind::Statement => Resource::Statement { enrolment },
        ResourceKind::Export => Resource::Export { org_id: HOME },
    }
}

#[test]
fn every_action_role_and_relationship_gets_the_expected_decision() {
    let mut wrong = Vec::new();
    let mut checked = 0;
    for &action in Action::ALL {
        let row = expected(action);
        let kind = action.resource_kind();
        for &role in Role::ALL {
            for (relationship, want) in RELATIONSHIPS.into_iter().zip(row.for_role(role)) {
                let got = can(
                    &actor(role, relationship, None),
                    action,
                    &resource(kind, role, relationship),
                    now(),
                );
                checked += 1;
                if got != want {
                    wrong.push(format!(
                        "{action:?} by {role:?} ({relationship:?}): got {got:?}, want {want:?}"
                    ));
                }
            }
        }
        let expired = actor(
            Role::ExternalVerifier,
            Relationship::Own,
            Some(now() - TimeDelta::hours(1)),
        );
        let got = can(
            &expired,
            action,
            &resource(kind, Role::ExternalVerifier, Relationship::Own),
            now(),
        );
        checked += 1;
        if got != row.expired_external_verifier {
            wrong.push(format!(
                "{action:?} by an expired external verifier: got {got:?}, want {:?}",
                row.expired_external_verifier
            ));
        }
    }
    assert_eq!(checked, Action::ALL.len() * (Role::ALL.len() * 3 + 1));
    assert!(
        wrong.is_empty(),
        "{} decisions differ from the table:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn every_resource_kind_has_an_action() {
    for kind in ResourceKind::ALL {
        assert!(
            Action::ALL
                .iter()
                .any(|action| action.resource_kind() == *kind),
            "no action applies to {kind:?}"
        );
    }
}
