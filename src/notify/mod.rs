//! Notifications (issue 15): every signed-in person's in-app inbox, and the mail outbox.
//!
//! An event writes one inbox item per person it concerns, in the same transaction as the change.
//! Candidates are mailed at once; staff (anyone with a role other than candidate) get one daily
//! digest instead of a mail per event. Mail is a row in `outbox` until the worker in [`mail`]
//! sends it; without SMTP it stays there, readable by the organisation's admins — never dropped.

pub mod actions;
mod digest;
pub mod events;
mod inbox;
pub mod mail;
mod outbox;

pub use digest::queue_digests;
pub use inbox::{Notification, inbox, mark_all_read, mark_read, notify, unread_count};
pub use outbox::{LEASE, OutboxMail, enqueue, outbox_of};

/// What happened, for the inbox and the mail's subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The assessor rejected evidence.
    EvidenceRejected,
    /// New evidence waits for the assessor's judgement.
    EvidenceWaiting,
    /// The internal verifier disagreed with a decision.
    IvFeedback,
    /// A witness was asked to attest.
    WitnessRequested,
    /// A witness confirmed their testimony.
    WitnessConfirmed,
    /// A statement of competence was issued.
    StatementIssued,
    /// The assessor answered the internal verifier's action points.
    IvResponded,
    /// The assessor decided "not yet competent": the candidate has things to do.
    NotYetCompetent,
    /// The candidate acknowledged an observation or questioning record.
    RecordAcknowledged,
    /// The assessor sent the candidate a set of questions to answer.
    QuestionsSent,
    /// The candidate answered a set of questions: it waits for marking.
    QuestionsAnswered,
    /// The assessor marked the candidate's answers.
    QuestionsMarked,
}

impl Event {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EvidenceRejected => "evidence_rejected",
            Self::EvidenceWaiting => "evidence_waiting",
            Self::IvFeedback => "iv_feedback",
            Self::WitnessRequested => "witness_requested",
            Self::WitnessConfirmed => "witness_confirmed",
            Self::StatementIssued => "statement_issued",
            Self::IvResponded => "iv_responded",
            Self::NotYetCompetent => "not_yet_competent",
            Self::RecordAcknowledged => "record_acknowledged",
            Self::QuestionsSent => "questions_sent",
            Self::QuestionsAnswered => "questions_answered",
            Self::QuestionsMarked => "questions_marked",
        }
    }

    fn subject(self) -> &'static str {
        match self {
            Self::EvidenceRejected => "Evidence not accepted",
            Self::EvidenceWaiting => "Evidence waiting for your judgement",
            Self::IvFeedback => "Feedback from the internal verifier",
            Self::WitnessRequested => "Witness testimony requested",
            Self::WitnessConfirmed => "A witness confirmed their testimony",
            Self::StatementIssued => "Your statement of competence",
            Self::IvResponded => "The assessor answered your action points",
            Self::NotYetCompetent => "Not yet competent: what to do next",
            Self::RecordAcknowledged => "A candidate acknowledged your record",
            Self::QuestionsSent => "Questions to answer",
            Self::QuestionsAnswered => "Answers waiting for your marking",
            Self::QuestionsMarked => "Your answers are marked",
        }
    }
}
