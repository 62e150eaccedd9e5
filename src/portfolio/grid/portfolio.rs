//! The criterion × evidence grid of one portfolio: which evidence shows which criterion and how
//! it was judged.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::action::ActionError;
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::EnrolmentId;
use crate::portfolio::enrolment::Enrolment;
use crate::portfolio::evidence::EvidenceRecord;
use crate::portfolio::progress::Evaluation;
use crate::rules::portfolio::Judgement;
use crate::rules::report::{InstanceReport, ItemReport, Report, Status};

/// How one piece of evidence stands for one criterion or knowledge item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    /// Accepted by the assessor and counted by the engine.
    Accepted,
    /// Accepted, but the engine does not count it (see the reason).
    NotCounted,
    /// Mapped, waiting for the assessor's judgement.
    Waiting,
    /// Witness testimony the witness has not confirmed yet.
    AwaitingWitness,
    /// Rejected by the assessor (see the feedback).
    Rejected,
}

/// One evidence record, a column of the portfolio grid.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GridEvidence {
    /// The evidence record's id.
    pub id: String,
    /// How reports name it, e.g. "enquiry of 12 May".
    pub label: String,
    /// The assessment method.
    pub method: String,
    /// The day the evidence was produced.
    pub date: NaiveDate,
}

/// One cell of the portfolio grid: the evidence at `column` is mapped to the row's item.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GridCell {
    /// Index into the grid's `evidence`.
    pub column: usize,
    /// How the mapping stands.
    pub mark: Mark,
    /// Why it does not count, or the assessor's feedback on a rejection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A criterion or knowledge item, a row of the portfolio grid.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GridRow {
    /// The item id, e.g. `1.3` or `k2`.
    pub id: String,
    /// The item's text.
    pub text: String,
    /// How far it is met counting only what the assessor accepted: `met`, `partly_met` or
    /// `not_started`.
    #[schema(value_type = String)]
    pub confirmed: Status,
    /// How far it is met counting everything mapped and not rejected.
    #[schema(value_type = String)]
    pub claimed: Status,
    /// Recorded as not applicable (its condition did not arise).
    pub not_applicable: bool,
    /// The evidence mapped to it, in column order.
    pub cells: Vec<GridCell>,
}

/// An outcome's criteria, or the knowledge items.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GridSection {
    /// The outcome id, or `knowledge`.
    pub id: String,
    /// The outcome's title, or "Knowledge and understanding".
    pub title: String,
    /// Its rows, in the standard's order.
    pub rows: Vec<GridRow>,
}

/// The criterion × evidence grid of one portfolio.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PortfolioGrid {
    /// The enrolment.
    pub enrolment_id: String,
    /// The evidence records, oldest first: the grid's columns.
    pub evidence: Vec<GridEvidence>,
    /// Outcomes' criteria, then the knowledge items.
    pub sections: Vec<GridSection>,
}

/// The criterion × evidence grid of the evaluated portfolio.
fn portfolio_grid(enrolment_id: EnrolmentId, evaluation: &Evaluation<'_>) -> PortfolioGrid {
    let reports = evaluation.progress();
    let records = &evaluation.records;
    let labels: HashMap<&str, &str> = reports
        .confirmed
        .evidence
        .iter()
        .map(|i| (i.id, i.label.as_str()))
        .collect();
    let evidence = records
        .iter()
        .map(|r| GridEvidence {
            id: r.id.to_string(),
            label: labels
                .get(r.instance.id.as_str())
                .map_or_else(|| r.method.clone(), |l| (*l).to_owned()),
            method: r.method.clone(),
            date: r.instance.date,
        })
        .collect();
    let claimed = items_by_id(&reports.claimed);
    let instances: HashMap<&str, &InstanceReport<'_>> = reports
        .confirmed
        .evidence
        .iter()
        .map(|i| (i.id, i))
        .collect();
    let row = |item: &ItemReport<'_>, knowledge: bool| GridRow {
        id: item.id.to_owned(),
        text: item.text.to_owned(),
        confirmed: item.status,
        claimed: claimed.get(item.id).map_or(item.status, |c| c.status),
        not_applicable: item.not_applicable,
        cells: records
            .iter()
            .enumerate()
            .filter_map(|(column, record)| {
                cell(&instances, record, item.id, knowledge).map(|(mark, note)| GridCell {
                    column,
                    mark,
                    note,
                })
            })
            .collect(),
    };
    let mut sections: Vec<GridSection> = reports
        .confirmed
        .outcomes
        .iter()
        .map(|o| GridSection {
            id: o.id.to_owned(),
            title: o.title.to_owned(),
            rows: o.criteria.iter().map(|c| row(c, false)).collect(),
        })
        .collect();
    if !reports.confirmed.knowledge.is_empty() {
        sections.push(GridSection {
            id: "knowledge".into(),
            title: "Knowledge and understanding".into(),
            rows: reports
                .confirmed
                .knowledge
                .iter()
                .map(|k| row(k, true))
                .collect(),
        });
    }
    PortfolioGrid {
        enrolment_id: enrolment_id.to_string(),
        evidence,
        sections,
    }
}

fn items_by_id<'r, 'a>(report: &'r Report<'a>) -> HashMap<&'a str, &'r ItemReport<'a>> {
    report
        .outcomes
        .iter()
        .flat_map(|o| o.criteria.iter())
        .chain(report.knowledge.iter())
        .map(|i| (i.id, i))
        .collect()
}

/// How `record` stands for `item`, when it is mapped to it.
fn cell(
    instances: &HashMap<&str, &InstanceReport<'_>>,
    record: &EvidenceRecord,
    item: &str,
    knowledge: bool,
) -> Option<(Mark, Option<String>)> {
    let (judgement, feedback) = if knowledge {
        let k = record.instance.knowledge.iter().find(|k| k.item == item)?;
        (k.judgement, k.feedback.clone())
    } else {
        let c = record
            .instance
            .criteria
            .iter()
            .find(|c| c.criterion == item)?;
        (c.judgement, c.feedback.clone())
    };
    if record.awaiting_witness() {
        return Some((Mark::AwaitingWitness, None));
    }
    match judgement {
        Judgement::Pending => Some((Mark::Waiting, None)),
        Judgement::Rejected => Some((Mark::Rejected, feedback)),
        Judgement::Accepted => {
            let instance = instances.get(record.instance.id.as_str());
            let counts = instance.is_some_and(|i| {
                if knowledge {
                    i.knowledge.contains(&item)
                } else {
                    i.criteria.iter().any(|m| m.criterion == item && m.counts)
                }
            });
            if counts {
                return Some((Mark::Accepted, None));
            }
            let reason = instance.and_then(|i| {
                i.not_counted
                    .iter()
                    .find(|r| r.criterion.is_none_or(|c| c == item))
                    .map(|r| r.message.clone())
            });
            Some((Mark::NotCounted, reason))
        }
    }
}

/// The criterion × evidence grid of `enrolment`'s portfolio as it is in this transaction.
pub fn enrolment_grid(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    enrolment: &Enrolment,
) -> Result<PortfolioGrid, ActionError> {
    let evaluation = Evaluation::load(conn, catalogue, enrolment, None)?;
    Ok(portfolio_grid(enrolment.id, &evaluation))
}
