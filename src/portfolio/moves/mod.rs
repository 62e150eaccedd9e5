//! Moving an enrolment to the next version of its standard (issue 22 item 4).
//!
//! A standards editor uploads a mapping file for one code, from one version to the next: which
//! criteria and knowledge items of the old version each becomes in the new one, with notes
//! (format in `docs/standards.md`). For an enrolment, [`preview`] runs the engine on the
//! portfolio as it is and on the mapped portfolio against the new version, so the admin sees what
//! still holds and what is newly missing before confirming. [`confirm`] pins the enrolment to the
//! new version's hash and gives every evidence record its mapped criteria; each record's original
//! mapping is kept in the move (`enrolment_moves.evidence_before`) for the archive and for
//! [`undo`], which is possible until the next unit decision or change of evidence.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::{AssessorMarks, Enrolment, EvidenceRecord, build_portfolio, list_evidence};
use crate::action::{ActionError, Problems};
use crate::audit::{self, Change};
use crate::auth::policy::EnrolmentStatus;
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::{EnrolmentId, EvidenceId, Id, MappingId, MoveId, OrgId, UserId};
use crate::db::schema::{enrolment_moves, enrolments, evidence, sign_offs, standard_mappings};
use crate::rules::portfolio::{CriterionMapping, Evidence, KnowledgeMapping};
use crate::rules::{Report, View};
use crate::standards::{LoadedStandard, Standard};

pub mod actions;
mod confirm;
mod mapping;
mod preview;
mod translate;
mod undo;

pub use confirm::*;
pub use mapping::*;
pub use preview::*;
use translate::*;
pub use undo::*;
