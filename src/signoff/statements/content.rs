//! The statement's content: built once from the portfolio, the standard and the sign-off chain.

use chrono::NaiveDate;

use crate::action::ActionError;
use crate::db::DbConnection;
use crate::identity;
use crate::output::pdf::{
    CandidateView, CriterionView, DatedFieldView, EvidenceView, LabelledValue, OrganisationView,
    OutcomeView, SignOffView, StatementView, UnitView,
};
use crate::portfolio::{self, Enrolment};
use crate::rules::portfolio::Judgement;
use crate::signoff::chain::{chain_status, sign_offs_of};
use crate::standards::{LevelScheme, Standard};

fn level_text(standard: &Standard) -> Option<String> {
    let level = standard.level.as_ref()?;
    let scheme = match level.scheme {
        LevelScheme::Nzqf => "NZQF",
        LevelScheme::Scqf => "SCQF",
        LevelScheme::Rqf => "RQF",
        LevelScheme::Cqfw => "CQFW",
        LevelScheme::Eqf => "EQF",
        LevelScheme::Aqf => "AQF",
    };
    Some(format!("{scheme} level {}", level.value).trim().to_owned())
}

/// Builds the statement's content from the portfolio, the standard and the sign-off chain.
pub fn build_view(
    conn: &mut DbConnection,
    standard: &Standard,
    enrolment: &Enrolment,
    code: &str,
    public_url: &str,
    issued: NaiveDate,
) -> Result<StatementView, ActionError> {
    let org = identity::load_organisation(conn, enrolment.org_id)?;
    let candidate = identity::load_user(conn, enrolment.candidate_id)?;
    let records = portfolio::list_evidence(conn, enrolment.id)?;
    let reference = |i: usize| format!("E{}", i + 1);
    let evidence = records
        .iter()
        .enumerate()
        .map(|(i, r)| EvidenceView {
            reference: reference(i),
            date: r.instance.date,
            method: r.instance.method.label().to_owned(),
            setting: format!("{:?}", r.instance.setting).to_lowercase(),
            site: r.instance.site.clone().unwrap_or_default(),
        })
        .collect();
    let outcomes = standard
        .outcomes
        .iter()
        .map(|outcome| OutcomeView {
            reference: outcome.label.clone().unwrap_or_else(|| outcome.id.clone()),
            title: outcome.title.clone(),
            criteria: outcome
                .criteria
                .iter()
                .map(|criterion| CriterionView {
                    reference: criterion
                        .label
                        .clone()
                        .unwrap_or_else(|| criterion.id.clone()),
                    text: criterion.text.clone(),
                    evidence: records
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| {
                            r.instance.criteria.iter().any(|m| {
                                m.criterion == criterion.id && m.judgement == Judgement::Accepted
                            })
                        })
                        .map(|(i, _)| reference(i))
                        .collect(),
                })
                .collect(),
        })
        .collect();
    let status = chain_status(conn, standard, enrolment)?;
    let mut sign_offs = Vec::new();
    let mut dated_fields = Vec::new();
    for item in &status.items {
        let Some(met) = &item.met_by else { continue };
        match &item.requirement.kind {
            crate::signoff::requirements::RequirementKind::DatedField { .. } => {
                dated_fields.push(DatedFieldView {
                    label: item.requirement.label.clone(),
                    date: met.date,
                })
            }
            _ => sign_offs.push(SignOffView {
                role: item.requirement.label.clone(),
                name: met.user_name.clone(),
                date: met.date,
            }),
        }
    }
    // Only the assessor's comments on the decision in force are for the candidate's statement:
    // an IV's feedback is addressed to the assessor, and a superseded decision no longer stands.
    let comments = sign_offs_of(conn, enrolment.id)?
        .into_iter()
        .rev()
        .find(|s| s.role == "assessor")
        .filter(|s| !s.comments.is_empty())
        .map(|s| format!("{}: {}", s.user_name, s.comments))
        .unwrap_or_default();
    let mut ids = Vec::new();
    if let Some(number) = &org.nzqa_provider_number {
        ids.push(LabelledValue {
            label: "NZQA provider".into(),
            value: number.clone(),
        });
    }
    if let Some(number) = &org.sqa_centre_number {
        ids.push(LabelledValue {
            label: "SQA centre".into(),
            value: number.clone(),
        });
    }
    let learner_label = if standard.framework.eq_ignore_ascii_case("NZQA") {
        "NSN"
    } else {
        "Candidate number"
    };
    Ok(StatementView {
        organisation: OrganisationView { name: org.name, ids },
        candidate: CandidateView {
            name: candidate.name,
            national_learner_number: candidate
                .national_learner_number
                .map(|n| LabelledValue { label: learner_label.into(), value: n }),
        },
        unit: UnitView {
            framework: standard.framework.clone(),
            code: standard.code.clone(),
            title: standard.title.clone(),
            version: standard.version.to_string(),
            level: level_text(standard),
            credits: standard.credits.as_ref().map(|c| format!("{} {}", c.value, c.unit)),
        },
        outcomes,
        evidence,
        sign_offs,
        dated_fields,
        statement_wording: standard.sign_off.as_ref().map(|s| s.statement.clone()).unwrap_or_else(|| {
            "The candidate has met every requirement of this unit standard, as assessed and verified below.".to_owned()
        }),
        comments,
        verification_code: code.to_owned(),
        verification_url: format!("{public_url}/verify/{code}"),
        issued,
    })
}
