//! Evidence records of every kind, their mapping to criteria and knowledge, and the assessor's
//! judgement of each mapping. The engine's view of a record (`rules::portfolio::Evidence`) is stored
//! as it is; what only one kind records (a witness's details, questions and answers) beside it.
//!
//! By step: [`input`] is what a person gives, [`check`] what is refused in it, [`store`] writing and
//! reading records, [`judge`] the assessor's judgements, and [`actions`] the use cases the API and
//! the pages share.

pub mod actions;
mod check;
mod input;
mod judge;
mod store;

pub use check::{evidence_problems, is_relative};
pub use input::{
    ChecklistLine, ChecklistResult, EvidenceDetails, MappingInput, NewEvidence, QuestionAnswer,
    StoredFile, Timestamp, Witness,
};
pub use judge::{JudgementInput, Judgements, judge_evidence};
pub(crate) use store::record_file;
pub use store::{EvidenceRecord, add_evidence, list_evidence, load_evidence};
