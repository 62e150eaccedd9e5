//! The sign-off chain: what a standard requires before a statement of competence is issued, what
//! has been recorded, and what is still missing, in plain words.
//!
//! A standard with a `sign_off` section requires its signatures (each dated where the form says so)
//! and its dated fields, e.g. CFACC33: candidate, internal verifier and assessor signatures with
//! dates, and "Date sampled (by IV)". A standard without one gets the default chain: the candidate's
//! declaration, the assessor's decision and the internal verifier's sampling decision (agree).
//!
//! Two further rules hold whatever the chain: the internal verifier's items must be dated on or
//! after the assessor's decision (a sample of an earlier decision, such as an interim one, does not
//! verify the final decision), and a standing disagreement by the IV blocks the statement until
//! the assessor decides again and the IV samples that decision.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::standards::{Role, Standard};

/// A signature recorded on the enrolment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedSignOff {
    /// The role the person signed in.
    pub role: Role,
    /// Their name, as printed on the statement.
    pub user_name: String,
    /// When they signed.
    pub date: NaiveDate,
    /// The snapshot hash of the portfolio they signed.
    pub snapshot_hash: String,
}

/// The internal verifier's decision on a sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IvDecision {
    /// The IV agrees with the assessor's decision.
    Agree,
    /// The IV disagrees; the enrolment goes back to the assessor with feedback.
    Disagree,
}

/// The internal verifier's latest sample of the enrolment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IvSampling {
    /// The IV's name.
    pub user_name: String,
    /// The date sampled.
    pub date_sampled: NaiveDate,
    /// Agree or disagree.
    pub decision: IvDecision,
    /// The snapshot hash of what was sampled.
    pub snapshot_hash: String,
}

/// A date entered in one of the form's dated fields, by the field's id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedDate {
    /// The dated field's id in the standard (e.g. `date_sampled_by_iv`).
    pub field_id: String,
    /// Who entered it.
    pub user_name: String,
    /// The date.
    pub date: NaiveDate,
}

/// Everything recorded on an enrolment so far.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOffRecord {
    /// The signatures; where a role signed more than once, the latest counts.
    pub sign_offs: Vec<RecordedSignOff>,
    /// The IV's latest sample, if any. Its date fills the IV's dated fields (the date sampled).
    pub sampling: Option<IvSampling>,
    /// Dates entered in dated fields directly; these take precedence over the date sampled.
    pub dates: Vec<RecordedDate>,
    /// The portfolio's snapshot hash now, to show which sign-offs predate a change.
    pub current_snapshot: Option<String>,
}

/// What a requirement asks for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RequirementKind {
    /// A signature, dated where `dated`.
    Signature {
        /// Whether a date goes with it.
        dated: bool,
    },
    /// A dated field of the form, such as "Date sampled (by IV)".
    DatedField {
        /// The field's id in the standard.
        id: String,
    },
    /// The IV's sampling decision, which must be "agree" (the default chain).
    SamplingDecision,
}

/// One item of the sign-off chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Requirement {
    /// Who provides it.
    pub role: Role,
    /// The label as the form prints it (or the default chain's wording).
    pub label: String,
    /// What it asks for.
    #[serde(flatten)]
    pub kind: RequirementKind,
}

impl Requirement {
    /// The item in plain words, as listed when it is missing, e.g. "Candidate's signature and date".
    pub fn describe(&self) -> String {
        match &self.kind {
            RequirementKind::Signature { dated: true } => format!("{} and date", self.label),
            RequirementKind::Signature { dated: false } | RequirementKind::DatedField { .. } => {
                self.label.clone()
            }
            RequirementKind::SamplingDecision => format!("{} and date sampled", self.label),
        }
    }
}

/// Who met a requirement, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MetBy {
    /// Their name.
    pub user_name: String,
    /// The date.
    pub date: NaiveDate,
    /// The snapshot they signed, where the item is a signature or a sample.
    pub snapshot_hash: Option<String>,
    /// Whether the portfolio has changed since, where both hashes are known.
    pub changed_since: Option<bool>,
}

/// One requirement and how far it is met.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ItemStatus {
    /// The requirement.
    pub requirement: Requirement,
    /// The record that meets it, if any.
    pub met_by: Option<MetBy>,
    /// Why the record does not count, where it does not.
    pub problem: Option<String>,
}

impl ItemStatus {
    /// Whether the requirement is met by a record that counts.
    pub fn is_done(&self) -> bool {
        self.met_by.is_some() && self.problem.is_none()
    }
}

/// The sign-off chain of one enrolment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SignOffStatus {
    /// Whether the chain is the standard's own (`sign_off`) or the default one.
    pub from_standard: bool,
    /// Every requirement, in the form's order.
    pub items: Vec<ItemStatus>,
    /// What is still missing or blocking, in plain words; empty when the statement can be issued.
    pub missing: Vec<String>,
    /// Whether a statement of competence can be issued.
    pub can_issue: bool,
}

/// The sign-off chain `standard` requires, in the form's order.
pub fn required(standard: &Standard) -> Vec<Requirement> {
    let Some(form) = &standard.sign_off else {
        return default_chain();
    };
    let signatures = form.signatures.iter().map(|signature| Requirement {
        role: signature.role,
        label: signature.label.clone(),
        kind: RequirementKind::Signature {
            dated: signature.dated,
        },
    });
    let dated_fields = form.dated_fields.iter().map(|field| Requirement {
        role: field.role,
        label: field.label.clone(),
        kind: RequirementKind::DatedField {
            id: field.id.clone(),
        },
    });
    signatures.chain(dated_fields).collect()
}

fn default_chain() -> Vec<Requirement> {
    let signature = |role, label: &str| Requirement {
        role,
        label: label.to_owned(),
        kind: RequirementKind::Signature { dated: true },
    };
    vec![
        signature(Role::Candidate, "Candidate's declaration"),
        signature(Role::Assessor, "Assessor's decision"),
        Requirement {
            role: Role::InternalVerifier,
            label: "Internal verifier's sampling decision (agree)".to_owned(),
            kind: RequirementKind::SamplingDecision,
        },
    ]
}

/// Checks what `record` holds against what `standard` requires.
pub fn check(standard: &Standard, record: &SignOffRecord) -> SignOffStatus {
    let requirements = required(standard);
    let assessor_date = latest_signature(record, Role::Assessor).map(|s| s.date);
    let items: Vec<ItemStatus> = requirements
        .into_iter()
        .map(|requirement| item_status(requirement, record, assessor_date))
        .collect();
    let mut missing: Vec<String> = items
        .iter()
        .filter(|item| !item.is_done())
        .map(|item| match &item.problem {
            Some(problem) => format!("{} ({problem})", item.requirement.describe()),
            None => item.requirement.describe(),
        })
        .collect();
    let decides_here = items
        .iter()
        .any(|item| item.requirement.kind == RequirementKind::SamplingDecision);
    if let Some(sampling) = &record.sampling
        && sampling.decision == IvDecision::Disagree
        && !decides_here
    {
        missing.push(disagreement(sampling));
    }
    SignOffStatus {
        from_standard: standard.sign_off.is_some(),
        can_issue: missing.is_empty(),
        items,
        missing,
    }
}

fn item_status(
    requirement: Requirement,
    record: &SignOffRecord,
    assessor_date: Option<NaiveDate>,
) -> ItemStatus {
    let met_by = met_by(&requirement, record);
    let disagreed = record
        .sampling
        .as_ref()
        .filter(|sampling| sampling.decision == IvDecision::Disagree);
    let mut problem = None;
    if requirement.kind == RequirementKind::SamplingDecision
        && let Some(sampling) = disagreed
    {
        problem = Some(disagreement(sampling));
    } else if requirement.role == Role::InternalVerifier
        && let (Some(met), Some(decided)) = (&met_by, assessor_date)
        && met.date < decided
    {
        problem = Some(format!(
            "dated {}, before the assessor's decision of {decided}: the internal verifier must \
             sample the decision as it now stands",
            met.date
        ));
    }
    ItemStatus {
        requirement,
        met_by,
        problem,
    }
}

fn met_by(requirement: &Requirement, record: &SignOffRecord) -> Option<MetBy> {
    let changed = |hash: &str| {
        record
            .current_snapshot
            .as_deref()
            .map(|now| !now.trim().eq_ignore_ascii_case(hash.trim()))
    };
    let from_sampling = |sampling: &IvSampling| MetBy {
        user_name: sampling.user_name.clone(),
        date: sampling.date_sampled,
        snapshot_hash: Some(sampling.snapshot_hash.clone()),
        changed_since: changed(&sampling.snapshot_hash),
    };
    match &requirement.kind {
        RequirementKind::Signature { .. } => {
            latest_signature(record, requirement.role).map(|signed| MetBy {
                user_name: signed.user_name.clone(),
                date: signed.date,
                snapshot_hash: Some(signed.snapshot_hash.clone()),
                changed_since: changed(&signed.snapshot_hash),
            })
        }
        RequirementKind::DatedField { id } => {
            let entered = record
                .dates
                .iter()
                .filter(|date| &date.field_id == id)
                .max_by_key(|date| date.date)
                .map(|date| MetBy {
                    user_name: date.user_name.clone(),
                    date: date.date,
                    snapshot_hash: None,
                    changed_since: None,
                });
            let sampled = || {
                record
                    .sampling
                    .as_ref()
                    .filter(|_| requirement.role == Role::InternalVerifier)
                    .map(from_sampling)
            };
            entered.or_else(sampled)
        }
        RequirementKind::SamplingDecision => record.sampling.as_ref().map(from_sampling),
    }
}

/// The latest signature in `role`; of two on the same day, the one recorded last.
fn latest_signature(record: &SignOffRecord, role: Role) -> Option<&RecordedSignOff> {
    record
        .sign_offs
        .iter()
        .filter(|signed| signed.role == role)
        .max_by_key(|signed| signed.date)
}

fn disagreement(sampling: &IvSampling) -> String {
    format!(
        "the internal verifier disagreed with the assessment decision on {}: the assessor must act \
         on the feedback and decide again",
        sampling.date_sampled
    )
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::standards::load_file;

    fn standard(file: &str) -> Standard {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("standards")
            .join(file);
        load_file(&path).unwrap().standard
    }

    fn cfacc33() -> Standard {
        standard("svq-h12h-04.yaml")
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn signed(role: Role, name: &str, d: u32) -> RecordedSignOff {
        RecordedSignOff {
            role,
            user_name: name.into(),
            date: day(d),
            snapshot_hash: format!("hash-{name}"),
        }
    }

    fn sampled(d: u32, decision: IvDecision) -> IvSampling {
        IvSampling {
            user_name: "Łukasz Nowak".into(),
            date_sampled: day(d),
            decision,
            snapshot_hash: "hash-sample".into(),
        }
    }

    fn complete() -> SignOffRecord {
        SignOffRecord {
            sign_offs: vec![
                signed(Role::Candidate, "Tāne Mahuta", 2),
                signed(Role::Assessor, "Zoë Smith", 5),
                signed(Role::InternalVerifier, "Łukasz Nowak", 9),
            ],
            sampling: Some(sampled(9, IvDecision::Agree)),
            ..SignOffRecord::default()
        }
    }

    #[test]
    fn cfacc33_requires_three_dated_signatures_and_the_date_sampled() {
        let status = check(&cfacc33(), &SignOffRecord::default());
        assert!(status.from_standard);
        assert!(!status.can_issue);
        assert_eq!(
            status.missing,
            [
                "Candidate's signature and date",
                "Internal Verifier's signature and date",
                "Assessor's signature and date",
                "Date sampled (by IV)",
            ]
        );
        let roles: Vec<Role> = required(&cfacc33()).iter().map(|r| r.role).collect();
        assert_eq!(
            roles,
            [
                Role::Candidate,
                Role::InternalVerifier,
                Role::Assessor,
                Role::InternalVerifier
            ]
        );
    }

    #[test]
    fn a_complete_chain_allows_the_statement() {
        let status = check(&cfacc33(), &complete());
        assert_eq!(status.missing, Vec::<String>::new());
        assert!(status.can_issue);
        let names: Vec<(String, NaiveDate)> = status
            .items
            .iter()
            .map(|item| {
                let met = item.met_by.as_ref().unwrap();
                (met.user_name.clone(), met.date)
            })
            .collect();
        assert_eq!(
            names,
            [
                ("Tāne Mahuta".to_owned(), day(2)),
                ("Łukasz Nowak".to_owned(), day(9)),
                ("Zoë Smith".to_owned(), day(5)),
                ("Łukasz Nowak".to_owned(), day(9)),
            ]
        );
    }

    #[test]
    fn the_date_sampled_is_missing_until_the_iv_samples() {
        let mut record = complete();
        record.sampling = None;
        let status = check(&cfacc33(), &record);
        assert_eq!(status.missing, ["Date sampled (by IV)"]);
        assert!(!status.can_issue);
        // Entered directly in the field, it counts too.
        record.dates.push(RecordedDate {
            field_id: "date_sampled_by_iv".into(),
            user_name: "Łukasz Nowak".into(),
            date: day(10),
        });
        assert!(check(&cfacc33(), &record).can_issue);
    }

    #[test]
    fn a_sample_before_the_assessors_decision_does_not_count() {
        let mut record = complete();
        record.sampling = Some(sampled(4, IvDecision::Agree));
        let status = check(&cfacc33(), &record);
        assert!(!status.can_issue);
        assert_eq!(
            status.missing,
            [
                "Date sampled (by IV) (dated 2026-03-04, before the assessor's decision of \
              2026-03-05: the internal verifier must sample the decision as it now stands)"
            ]
        );
    }

    #[test]
    fn a_disagreement_blocks_the_statement() {
        let mut record = complete();
        record.sampling = Some(sampled(9, IvDecision::Disagree));
        let status = check(&cfacc33(), &record);
        assert!(!status.can_issue);
        assert_eq!(
            status.missing,
            [
                "the internal verifier disagreed with the assessment decision on 2026-03-09: the \
              assessor must act on the feedback and decide again"
            ]
        );
    }

    #[test]
    fn the_latest_signature_of_a_role_counts() {
        let mut record = complete();
        // The assessor decided again after the IV's sample: the sample no longer covers it.
        record
            .sign_offs
            .push(signed(Role::Assessor, "Zoë Smith", 12));
        let status = check(&cfacc33(), &record);
        assert_eq!(status.missing.len(), 2, "{:?}", status.missing);
        assert!(
            status.missing[0]
                .starts_with("Internal Verifier's signature and date (dated 2026-03-09")
        );
        assert!(status.missing[1].starts_with("Date sampled (by IV) (dated 2026-03-09"));
    }

    #[test]
    fn without_a_sign_off_section_the_default_chain_applies() {
        let mut plain = cfacc33();
        plain.sign_off = None;
        let status = check(&plain, &SignOffRecord::default());
        assert!(!status.from_standard);
        assert_eq!(
            status.missing,
            [
                "Candidate's declaration and date",
                "Assessor's decision and date",
                "Internal verifier's sampling decision (agree) and date sampled",
            ]
        );
        let mut record = complete();
        record
            .sign_offs
            .retain(|s| s.role != Role::InternalVerifier);
        assert!(check(&plain, &record).can_issue);
        record.sampling = Some(sampled(9, IvDecision::Disagree));
        let status = check(&plain, &record);
        assert_eq!(status.missing.len(), 1);
        assert!(status.missing[0].starts_with("Internal verifier's sampling decision (agree) and date sampled (the internal verifier disagreed"));
    }

    #[test]
    fn the_nzqa_standard_without_a_form_uses_the_default_chain() {
        let nzqa = standard("nzqa-28268-v2.yaml");
        assert!(nzqa.sign_off.is_none());
        let kinds: Vec<RequirementKind> = required(&nzqa).into_iter().map(|r| r.kind).collect();
        assert_eq!(kinds.last(), Some(&RequirementKind::SamplingDecision));
        assert_eq!(kinds.len(), 3);
    }

    #[test]
    fn a_change_since_signing_is_shown_but_does_not_block() {
        let mut record = complete();
        record.current_snapshot = Some("HASH-SAMPLE".into());
        let status = check(&cfacc33(), &record);
        assert!(status.can_issue);
        let changed: Vec<Option<bool>> = status
            .items
            .iter()
            .map(|item| item.met_by.as_ref().unwrap().changed_since)
            .collect();
        assert_eq!(changed, [Some(true), Some(true), Some(true), Some(false)]);
    }
}
