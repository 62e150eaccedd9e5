//! What is being acted on, with the facts the policy needs, loaded by the caller.

use uuid::Uuid;

crate::text_enum! {
    /// Where an enrolment is in its life (issue 6): active → submitted → assessed → sampled →
    /// certified, or withdrawn. The policy only asks whether it is still `Active`. Stored as its
    /// name in `enrolments.status`.
    pub enum EnrolmentStatus: "enrolment status" {
        /// The candidate is building the portfolio.
        Active = "active",
        /// The candidate has submitted; their edits are refused.
        Submitted = "submitted",
        /// The assessor has made the unit decision; locked until reopened.
        Assessed = "assessed",
        /// An internal verifier has sampled it.
        Sampled = "sampled",
        /// A statement of competence has been issued.
        Certified = "certified",
        /// Withdrawn by the provider.
        Withdrawn = "withdrawn",
    }
}

/// The facts about one enrolment that decide who may do what with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolmentFacts {
    /// The organisation the enrolment belongs to.
    pub org_id: Uuid,
    /// The candidate.
    pub candidate_id: Uuid,
    /// The assigned assessor, if any yet.
    pub assessor_id: Option<Uuid>,
    /// The enrolment's internal verifier, if any yet.
    pub iv_id: Option<Uuid>,
    /// Who signed the assessor's unit decision, if anyone has: an internal verifier may not
    /// sample it even after the enrolment moved to another assessor.
    pub decided_by: Option<Uuid>,
    /// Where the enrolment is in its life.
    pub status: EnrolmentStatus,
}

/// Something an action is applied to. Each variant carries what the policy needs; ids of the
/// thing itself are not needed and not carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// The catalogue of standards, shared by all organisations.
    Standard,
    /// An organisation as a whole (its settings, its lists, creating things in it).
    Organisation {
        /// The organisation.
        org_id: Uuid,
    },
    /// A user, seen from one organisation.
    User {
        /// The organisation the request is about.
        org_id: Uuid,
        /// The user.
        user_id: Uuid,
    },
    /// An enrolment (portfolio) and what hangs off it: evidence, files, progress, judgements.
    Enrolment(EnrolmentFacts),
    /// One evidence record of an enrolment, for changing it.
    Evidence {
        /// Its enrolment.
        enrolment: EnrolmentFacts,
        /// Who recorded it.
        recorded_by: Uuid,
    },
    /// An internal verifier's sampling plan.
    SamplingPlan {
        /// The organisation of the plan.
        org_id: Uuid,
        /// The internal verifier the plan belongs to.
        iv_id: Uuid,
    },
    /// A statement of competence, through the enrolment it certifies.
    Statement {
        /// The certified enrolment.
        enrolment: EnrolmentFacts,
    },
    /// An export of an organisation's data.
    Export {
        /// The organisation.
        org_id: Uuid,
    },
}

listed_enum! {
    /// The kind of a [`Resource`], so each [`super::Action`] can name the one it applies to.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum ResourceKind {
        /// [`Resource::Standard`].
        Standard,
        /// [`Resource::Organisation`].
        Organisation,
        /// [`Resource::User`].
        User,
        /// [`Resource::Enrolment`].
        Enrolment,
        /// [`Resource::Evidence`].
        Evidence,
        /// [`Resource::SamplingPlan`].
        SamplingPlan,
        /// [`Resource::Statement`].
        Statement,
        /// [`Resource::Export`].
        Export,
    }
}

impl Resource {
    /// The resource's kind.
    pub fn kind(&self) -> ResourceKind {
        match self {
            Resource::Standard => ResourceKind::Standard,
            Resource::Organisation { .. } => ResourceKind::Organisation,
            Resource::User { .. } => ResourceKind::User,
            Resource::Enrolment(_) => ResourceKind::Enrolment,
            Resource::Evidence { .. } => ResourceKind::Evidence,
            Resource::SamplingPlan { .. } => ResourceKind::SamplingPlan,
            Resource::Statement { .. } => ResourceKind::Statement,
            Resource::Export { .. } => ResourceKind::Export,
        }
    }

    /// The organisation the resource belongs to; `None` for the shared catalogue.
    pub fn org_id(&self) -> Option<Uuid> {
        match self {
            Resource::Standard => None,
            Resource::Organisation { org_id }
            | Resource::User { org_id, .. }
            | Resource::SamplingPlan { org_id, .. }
            | Resource::Export { org_id } => Some(*org_id),
            Resource::Enrolment(enrolment)
            | Resource::Evidence { enrolment, .. }
            | Resource::Statement { enrolment } => Some(enrolment.org_id),
        }
    }

    /// The enrolment a portfolio resource is about.
    pub fn enrolment(&self) -> Option<&EnrolmentFacts> {
        match self {
            Resource::Enrolment(enrolment)
            | Resource::Evidence { enrolment, .. }
            | Resource::Statement { enrolment } => Some(enrolment),
            Resource::Standard
            | Resource::Organisation { .. }
            | Resource::User { .. }
            | Resource::SamplingPlan { .. }
            | Resource::Export { .. } => None,
        }
    }
}
