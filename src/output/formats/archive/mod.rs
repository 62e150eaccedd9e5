//! The portfolio archive: a zip holding `index.html` (for people), `manifest.json` (for machines:
//! standard version, mapping, judgements, sign-offs, and the SHA-256 and size of every file) and
//! every evidence file under `files/<sha256>-<name>`. The candidate's own copy of their data and the
//! external verifier's pack. Files are streamed from their readers, never held whole in memory.

mod error;
mod hashing;
mod index;
mod input;
mod manifest;
mod names;
mod verify;
mod write;

pub use error::ArchiveError;
pub use input::{
    ArchiveCandidate, ArchiveCriterion, ArchiveDocument, ArchiveFile, ArchiveInput, ArchiveOutcome,
    ArchiveStandard,
};
pub use manifest::{FileEntry, Judgement, MANIFEST_FORMAT, MANIFEST_VERSION};
pub use names::{archive_path, sanitise};
pub use verify::{ArchiveProblem, ArchiveReport, verify_archive};
pub use write::write_archive;

use super::results::{UnitLevel, level_scheme_name};
use hashing::HashingWriter;

/// A level for people, e.g. `NZQF level 3`.
fn level_text(level: &UnitLevel) -> String {
    format!("{} level {}", level_scheme_name(level.scheme), level.value)
}
