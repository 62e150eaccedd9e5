//! Everything a user can ask to do. Each variant names its resource kind and who may do it;
//! [`super::can`] is where that is decided.

use super::resource::ResourceKind;

listed_enum! {
    /// An action on a resource. Adding a variant forces an answer in [`Action::resource_kind`],
    /// [`Action::writes`], the policy and its matrix test (all exhaustive matches), and lists
    /// it in [`Action::ALL`] by construction.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum Action {
        /// Read the catalogue of standards: any active signed-in user.
        ReadStandard,

        /// See an organisation's details: any member.
        ReadOrganisation,
        /// Change the organisation's details, sites, approved witnesses and sampling-rate
        /// defaults: provider admin.
        ManageOrganisation,
        /// List the organisation's users: provider admin.
        ListUsers,
        /// Create a user in the organisation: provider admin.
        CreateUser,
        /// See a user's account: the user themself, or a provider admin.
        ReadUser,
        /// Deactivate a user (which also ends their sessions): provider admin.
        DeactivateUser,
        /// Grant a role other than external verifier: provider admin.
        GrantRole,
        /// Revoke any role: provider admin.
        RevokeRole,
        /// Grant time-limited external verifier access to the organisation: provider admin.
        GrantExternalVerifier,
        /// Assign an internal verifier to this user as assessor, or remove one: provider admin.
        AssignVerifierToAssessor,
        /// Read the organisation's audit trail: provider admin, external verifier (read-only).
        ReadAudit,
        /// Export the organisation's data (results files, archives, badges) and read its export
        /// ledger, without recording anything: provider admin.
        ExportData,
        /// Record a results export in the report-once ledger, or reverse a recorded batch:
        /// provider admin.
        RecordExport,
        /// See the organisation's cohorts and their progress: provider admin or external verifier.
        ReadCohorts,
        /// Create cohorts and move enrolments in or out of them: provider admin.
        ManageCohorts,
        /// See, create and change the organisation's question sets (questions worded from a
        /// standard's knowledge items, sent to candidates to answer): assessor or provider admin.
        ManageQuestionSets,

        /// List enrolments: any member, filtered by [`super::enrolment_scope`].
        ListEnrolments,
        /// Enrol a candidate: provider admin.
        CreateEnrolment,
        /// Read an enrolment with its evidence, files, progress and judgements: its candidate,
        /// assessor or internal verifier, a provider admin, or an external verifier.
        ReadEnrolment,
        /// Set an enrolment's assessor or internal verifier: provider admin.
        AssignEnrolmentStaff,
        /// Withdraw an enrolment: provider admin.
        WithdrawEnrolment,
        /// Check and preview a standard being written (the loader's problems, outline,
        /// checklist, empty-portfolio gaps): standards editor.
        AuthorStandards,
        /// Publish a checked standard into the organisation's own catalogue as a new version
        /// (audited): standards editor.
        PublishStandards,
        /// Upload a mapping file from one version of a standard to the next (audited):
        /// standards editor.
        UploadStandardMapping,
        /// Extend the date by which an enrolment may be assessed, past its standard's last date
        /// for assessment (audited): provider admin.
        ExtendAssessment,
        /// Move an enrolment to the next version of its standard through a mapping file, or undo
        /// the move until the next decision (audited): provider admin.
        MoveEnrolment,
        /// Add product evidence, witness testimony or an electronic data record: the candidate
        /// while the enrolment is active, or the assigned assessor.
        AddEvidence,
        /// Record an observation, questioning record or professional discussion: the assigned
        /// assessor.
        RecordAssessorEvidence,
        /// Change or remove an evidence record: whoever recorded it, the candidate only while
        /// the enrolment is active, the assessor while assigned.
        ChangeEvidence,
        /// Accept or reject evidence mappings with feedback: the assigned assessor.
        JudgeEvidence,
        /// Submit the portfolio with the declaration of authenticity: the candidate, while
        /// active.
        SubmitEnrolment,
        /// Sign the unit decision: the assigned assessor.
        DecideUnit,
        /// Reopen an assessed enrolment, with a reason: the assigned assessor.
        ReopenEnrolment,

        /// See a sampling plan, its selection and coverage: its internal verifier, a provider
        /// admin, or an external verifier.
        ReadSamplingPlan,
        /// Create or change a sampling plan: its internal verifier or a provider admin.
        ManageSamplingPlan,
        /// Sample an enrolment and record the agree/disagree decision: an internal verifier of
        /// it who is neither its assessor nor the one who signed its unit decision.
        SampleEnrolment,

        /// Issue the statement of competence for an enrolment: provider admin.
        IssueStatement,
        /// Download a statement: whoever may read its enrolment.
        ReadStatement,
        /// Revoke a statement, with a reason: provider admin.
        RevokeStatement,
    }
}

impl Action {
    /// The kind of resource the action applies to; any other kind is refused.
    pub fn resource_kind(self) -> ResourceKind {
        match self {
            Action::ReadStandard => ResourceKind::Standard,
            Action::ReadOrganisation
            | Action::ManageOrganisation
            | Action::AuthorStandards
            | Action::PublishStandards
            | Action::UploadStandardMapping
            | Action::ListUsers
            | Action::CreateUser
            | Action::ReadAudit
            | Action::ListEnrolments
            | Action::CreateEnrolment
            | Action::ReadCohorts
            | Action::ManageCohorts
            | Action::ManageQuestionSets => ResourceKind::Organisation,
            Action::ReadUser
            | Action::DeactivateUser
            | Action::GrantRole
            | Action::RevokeRole
            | Action::GrantExternalVerifier
            | Action::AssignVerifierToAssessor => ResourceKind::User,
            Action::ExportData | Action::RecordExport => ResourceKind::Export,
            Action::ReadEnrolment
            | Action::AssignEnrolmentStaff
            | Action::WithdrawEnrolment
            | Action::ExtendAssessment
            | Action::MoveEnrolment
            | Action::AddEvidence
            | Action::RecordAssessorEvidence
            | Action::JudgeEvidence
            | Action::SubmitEnrolment
            | Action::DecideUnit
            | Action::ReopenEnrolment
            | Action::SampleEnrolment
            | Action::IssueStatement => ResourceKind::Enrolment,
            Action::ChangeEvidence => ResourceKind::Evidence,
            Action::ReadSamplingPlan | Action::ManageSamplingPlan => ResourceKind::SamplingPlan,
            Action::ReadStatement | Action::RevokeStatement => ResourceKind::Statement,
        }
    }

    /// Whether the action changes anything. External verifiers never get one that does.
    pub fn writes(self) -> bool {
        match self {
            Action::ReadStandard
            | Action::AuthorStandards
            | Action::ReadOrganisation
            | Action::ListUsers
            | Action::ReadUser
            | Action::ReadAudit
            | Action::ExportData
            | Action::ReadCohorts
            | Action::ListEnrolments
            | Action::ReadEnrolment
            | Action::ReadSamplingPlan
            | Action::ReadStatement => false,
            Action::ManageOrganisation
            | Action::RecordExport
            | Action::ManageCohorts
            | Action::ManageQuestionSets
            | Action::CreateUser
            | Action::DeactivateUser
            | Action::GrantRole
            | Action::RevokeRole
            | Action::GrantExternalVerifier
            | Action::AssignVerifierToAssessor
            | Action::CreateEnrolment
            | Action::AssignEnrolmentStaff
            | Action::WithdrawEnrolment
            | Action::ExtendAssessment
            | Action::MoveEnrolment
            | Action::PublishStandards
            | Action::UploadStandardMapping
            | Action::AddEvidence
            | Action::RecordAssessorEvidence
            | Action::ChangeEvidence
            | Action::JudgeEvidence
            | Action::SubmitEnrolment
            | Action::DecideUnit
            | Action::ReopenEnrolment
            | Action::ManageSamplingPlan
            | Action::SampleEnrolment
            | Action::IssueStatement
            | Action::RevokeStatement => true,
        }
    }
}
