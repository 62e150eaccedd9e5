//! Portfolios: enrolments, their evidence, files, the assessor's judgements, locking, and progress
//! from the rules engine. Actions here run inside one database transaction each and write the audit
//! trail as they change things.

pub mod access;
pub mod acknowledgements;
pub mod actions;
pub mod cohorts;
mod enrolment;
pub mod evidence;
pub mod expiry;
pub mod grid;
pub mod moves;
mod progress;
pub mod question_sets;
mod refresher;
pub mod report_body;
mod report_cache;
pub mod shown;
pub mod stored;
pub mod time_points;
pub mod witness;

pub use enrolment::{
    Enrolment, EnrolmentFilter, EnrolmentPage, NewEnrolment, Staff, assign_staff, create_enrolment,
    list_enrolments, load_enrolment, reopen, submit, withdraw,
};
pub use evidence::{
    EvidenceDetails, EvidenceRecord, JudgementInput, Judgements, MappingInput, NewEvidence,
    StoredFile, Witness, add_evidence, evidence_problems, is_relative, judge_evidence,
    list_evidence, load_evidence,
};
pub use progress::{AssessorMarks, Evaluation, ProgressReport, build_portfolio, set_marks};
pub use refresher::Refresher;
pub use report_cache::ReportCache;
pub use stored::refresh as refresh_evaluation;
