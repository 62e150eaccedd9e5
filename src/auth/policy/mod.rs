//! The one place that decides who may do what: [`can`].
//!
//! Every handler asks `can(actor, action, resource, now)` after loading the resource's facts,
//! and lists go through [`enrolment_scope`]; no handler checks roles itself.
//!
//! The answer follows three steps:
//! 1. The actor must hold a live grant in the resource's organisation; otherwise the resource
//!    is [`Decision::NotFound`], so another organisation's data does not even show it exists.
//!    (The catalogue of standards belongs to no organisation.)
//! 2. The action must apply to that kind of resource; otherwise [`Decision::Forbidden`].
//! 3. The rule for the action, over the actor's live roles *in that organisation* and their
//!    relationship to the resource, gives [`Decision::Allow`] or [`Decision::Forbidden`].
//!
//! State rules that hold for everyone (an assessed enrolment is locked until reopened, a unit
//! decision needs every requirement met) belong to the portfolio and sign-off actions, which
//! answer 409 or 422; the policy only adds the candidate's "until submitted", because that
//! limit is about who is asking.

/// Declares an enum together with `ALL`, every variant in declaration order, so a variant
/// cannot be added without being listed.
macro_rules! listed_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident, )+
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $( $(#[$variant_meta])* $variant, )+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )+ ];
        }
    };
}

mod action;
mod actor;
mod resource;

#[cfg(test)]
mod matrix;
#[cfg(test)]
mod tests;

pub use action::Action;
pub use actor::{Actor, Grant, Role, UnknownRole, VerifierAssignment};
pub use resource::{EnrolmentFacts, EnrolmentStatus, Resource, ResourceKind};

use actor::RoleSet;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The policy's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead.
    Allow,
    /// 403: the actor belongs to the resource's organisation but may not do this.
    Forbidden,
    /// 404: the actor has no live grant in the resource's organisation.
    NotFound,
}

/// A refusal, for `?` in handlers; the HTTP layer maps it to 403 or 404.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// 403 Forbidden.
    #[error("you are not allowed to do this")]
    Forbidden,
    /// 404 Not Found.
    #[error("not found")]
    NotFound,
}

impl Decision {
    /// Whether the action may go ahead.
    pub fn is_allowed(self) -> bool {
        self == Decision::Allow
    }

    /// `Ok` to go ahead, or the refusal.
    pub fn require(self) -> Result<(), Denied> {
        match self {
            Decision::Allow => Ok(()),
            Decision::Forbidden => Err(Denied::Forbidden),
            Decision::NotFound => Err(Denied::NotFound),
        }
    }
}

/// Decides whether `actor` may apply `action` to `resource` at `now`.
pub fn can(actor: &Actor, action: Action, resource: &Resource, now: DateTime<Utc>) -> Decision {
    let roles = match resource.org_id() {
        Some(org_id) => {
            let roles = actor.roles_in(org_id, now);
            if roles.is_empty() {
                return Decision::NotFound;
            }
            roles
        }
        None => RoleSet::default(),
    };
    if action.resource_kind() != resource.kind() {
        return Decision::Forbidden;
    }
    let who = Subject { actor, roles };
    if permits(&who, action, resource) {
        Decision::Allow
    } else {
        Decision::Forbidden
    }
}

/// Which enrolments of an organisation an actor may read, for the list query:
/// `org_id = ? AND (whole_org OR candidate_id = ? OR assessor_id = ? OR iv_id = ?
/// OR assessor_id IN (verified_assessors))`, leaving out the `None` terms. `None` when the
/// actor is not a member (answer 404). Agrees with `can(.., ReadEnrolment, ..)`.
pub fn enrolment_scope(actor: &Actor, org_id: Uuid, now: DateTime<Utc>) -> Option<EnrolmentScope> {
    let roles = actor.roles_in(org_id, now);
    if roles.is_empty() {
        return None;
    }
    Some(Subject { actor, roles }.scope(org_id))
}

/// The enrolments one actor may read in one organisation; see [`enrolment_scope`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolmentScope {
    /// The organisation.
    pub org_id: Uuid,
    /// Every enrolment of the organisation (provider admins, external verifiers).
    pub whole_org: bool,
    /// Enrolments with this candidate.
    pub candidate_id: Option<Uuid>,
    /// Enrolments with this assessor.
    pub assessor_id: Option<Uuid>,
    /// Enrolments with this internal verifier.
    pub iv_id: Option<Uuid>,
    /// Enrolments whose assessor is one of these (the internal verifier's assessors).
    pub verified_assessors: Vec<Uuid>,
}

impl EnrolmentScope {
    /// Whether the enrolment is in scope.
    pub fn includes(&self, enrolment: &EnrolmentFacts) -> bool {
        enrolment.org_id == self.org_id
            && (self.whole_org
                || self.candidate_id == Some(enrolment.candidate_id)
                || (self.assessor_id.is_some() && self.assessor_id == enrolment.assessor_id)
                || (self.iv_id.is_some() && self.iv_id == enrolment.iv_id)
                || enrolment
                    .assessor_id
                    .is_some_and(|assessor| self.verified_assessors.contains(&assessor)))
    }
}

/// The actor with their live roles in the resource's organisation.
struct Subject<'a> {
    actor: &'a Actor,
    roles: RoleSet,
}

/// The rule for each action. Exhaustive on purpose: a new action does not compile until it
/// has a rule here.
fn permits(who: &Subject<'_>, action: Action, resource: &Resource) -> bool {
    let enrolment = resource.enrolment();
    match action {
        Action::ReadStandard => who.actor.active,
        Action::ReadOrganisation | Action::ListEnrolments => true,
        Action::ReadUser => who.is(Role::ProviderAdmin) || who.is_user(resource),
        Action::AuthorStandards | Action::PublishStandards | Action::UploadStandardMapping => {
            who.is(Role::StandardsEditor)
        }
        Action::ManageOrganisation
        | Action::ListUsers
        | Action::CreateUser
        | Action::DeactivateUser
        | Action::GrantRole
        | Action::RevokeRole
        | Action::GrantExternalVerifier
        | Action::AssignVerifierToAssessor
        | Action::ExportData
        | Action::RecordExport
        | Action::ManageCohorts
        | Action::CreateEnrolment
        | Action::AssignEnrolmentStaff
        | Action::WithdrawEnrolment
        | Action::ExtendAssessment
        | Action::MoveEnrolment
        | Action::IssueStatement
        | Action::RevokeStatement => who.is(Role::ProviderAdmin),
        Action::ReadEnrolment | Action::ReadStatement => enrolment.is_some_and(|e| who.reads(e)),
        Action::AddEvidence => {
            enrolment.is_some_and(|e| who.is_candidate_while_active(e) || who.assesses(e))
        }
        Action::ChangeEvidence => {
            who.recorded(resource)
                && enrolment.is_some_and(|e| who.is_candidate_while_active(e) || who.assesses(e))
        }
        Action::SubmitEnrolment => enrolment.is_some_and(|e| who.is_candidate_while_active(e)),
        Action::RecordAssessorEvidence
        | Action::JudgeEvidence
        | Action::DecideUnit
        | Action::ReopenEnrolment => enrolment.is_some_and(|e| who.assesses(e)),
        Action::SampleEnrolment => {
            enrolment.is_some_and(|e| who.verifies(e) && !who.made_assessment_of(e))
        }
        Action::ManageQuestionSets => who.is(Role::Assessor) || who.is(Role::ProviderAdmin),
        Action::ReadCohorts | Action::ReadAudit => {
            who.is(Role::ProviderAdmin) || who.is(Role::ExternalVerifier)
        }
        Action::ReadSamplingPlan => {
            who.is(Role::ProviderAdmin) || who.is(Role::ExternalVerifier) || who.owns_plan(resource)
        }
        Action::ManageSamplingPlan => who.is(Role::ProviderAdmin) || who.owns_plan(resource),
    }
}

impl Subject<'_> {
    fn id(&self) -> Uuid {
        self.actor.user_id
    }

    fn is(&self, role: Role) -> bool {
        self.roles.has(role)
    }

    fn reads(&self, enrolment: &EnrolmentFacts) -> bool {
        self.scope(enrolment.org_id).includes(enrolment)
    }

    /// The reading rule, in the form the list query needs; [`Self::reads`] uses it too, so
    /// lists and single reads cannot disagree.
    fn scope(&self, org_id: Uuid) -> EnrolmentScope {
        let me = self.id();
        let verifier = self.is(Role::InternalVerifier);
        let verified_assessors = if verifier {
            self.actor
                .verifies
                .iter()
                .filter(|assignment| assignment.org_id == org_id)
                .map(|assignment| assignment.assessor_id)
                .collect()
        } else {
            Vec::new()
        };
        EnrolmentScope {
            org_id,
            whole_org: self.is(Role::ProviderAdmin) || self.is(Role::ExternalVerifier),
            candidate_id: self.is(Role::Candidate).then_some(me),
            assessor_id: self.is(Role::Assessor).then_some(me),
            iv_id: verifier.then_some(me),
            verified_assessors,
        }
    }

    fn is_candidate_of(&self, enrolment: &EnrolmentFacts) -> bool {
        self.is(Role::Candidate) && enrolment.candidate_id == self.id()
    }

    fn is_candidate_while_active(&self, enrolment: &EnrolmentFacts) -> bool {
        self.is_candidate_of(enrolment) && enrolment.status == EnrolmentStatus::Active
    }

    fn assesses(&self, enrolment: &EnrolmentFacts) -> bool {
        self.is(Role::Assessor) && enrolment.assessor_id == Some(self.id())
    }

    /// The enrolment's internal verifier, or the verifier of its assessor.
    fn verifies(&self, enrolment: &EnrolmentFacts) -> bool {
        self.is(Role::InternalVerifier)
            && (enrolment.iv_id == Some(self.id())
                || enrolment.assessor_id.is_some_and(|assessor| {
                    self.actor.verifies_assessor(enrolment.org_id, assessor)
                }))
    }

    /// Independence: whatever roles they hold now, the assessor of an enrolment or the signer
    /// of its unit decision may not verify it.
    fn made_assessment_of(&self, enrolment: &EnrolmentFacts) -> bool {
        let me = Some(self.id());
        enrolment.assessor_id == me || enrolment.decided_by == me
    }

    fn recorded(&self, resource: &Resource) -> bool {
        matches!(resource, Resource::Evidence { recorded_by, .. } if *recorded_by == self.id())
    }

    fn is_user(&self, resource: &Resource) -> bool {
        matches!(resource, Resource::User { user_id, .. } if *user_id == self.id())
    }

    fn owns_plan(&self, resource: &Resource) -> bool {
        self.is(Role::InternalVerifier)
            && matches!(resource, Resource::SamplingPlan { iv_id, .. } if *iv_id == self.id())
    }
}
