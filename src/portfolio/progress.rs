//! Progress: the portfolio as the engine reads it, evaluated in both views.

use std::io::Write;

use serde::Serialize;

use super::enrolment::Enrolment;
use super::evidence::{EvidenceRecord, list_evidence};
use super::report_body::{GZIP_FROM, ReportBody, Sink};
use crate::action::ActionError;
use crate::catalogue::{Catalogue, EngineRef};
use crate::db::DbConnection;
use crate::rules::portfolio::{Confirmation, Evidence, NotApplicable, Portfolio, StandardRef};
use crate::rules::{Report, View};
use crate::standards::Standard;

/// The enrolment's evidence as one engine portfolio.
pub fn build_portfolio(
    enrolment: &Enrolment,
    candidate_name: Option<String>,
    records: &[EvidenceRecord],
) -> Result<Portfolio, crate::db::DbError> {
    portfolio_of(
        enrolment,
        candidate_name,
        records
            .iter()
            .filter(|r| !r.awaiting_witness())
            .map(|r| r.instance.clone()),
    )
}

/// [`build_portfolio`] taking the records: their instances move into the portfolio instead of
/// being copied.
fn into_portfolio(
    enrolment: &Enrolment,
    candidate_name: Option<String>,
    records: Vec<EvidenceRecord>,
) -> Result<Portfolio, crate::db::DbError> {
    portfolio_of(
        enrolment,
        candidate_name,
        records
            .into_iter()
            .filter(|r| !r.awaiting_witness())
            .map(|r| r.instance),
    )
}

/// The portfolio of `evidence` (testimony still awaiting its witness already left out: it does
/// not count) with the enrolment's marks.
fn portfolio_of(
    enrolment: &Enrolment,
    candidate_name: Option<String>,
    evidence: impl Iterator<Item = Evidence>,
) -> Result<Portfolio, crate::db::DbError> {
    let marks = AssessorMarks::recorded(enrolment)?;
    Ok(Portfolio {
        standard: StandardRef {
            code: enrolment.standard_code.clone(),
            version: u32::try_from(enrolment.standard_version).unwrap_or(0),
        },
        candidate: candidate_name,
        evidence: evidence.collect(),
        not_applicable: marks.not_applicable,
        confirmations: marks.confirmations,
    })
}

/// What the engine says of a portfolio in both views. The reports borrow from the standard and
/// the portfolio they were made from; serialise them to keep them longer.
#[derive(Debug, Clone, Serialize)]
pub struct ProgressReport<'a> {
    /// Everything mapped, judged or not.
    pub claimed: Report<'a>,
    /// Only what the assessor accepted: the view that can complete the unit.
    pub confirmed: Report<'a>,
}

/// An enrolment read for the engine: its standard, evidence, portfolio, and the engine compiled
/// with its provider's interpretations. Every place that evaluates an enrolment (progress, pages,
/// the unit decision) starts here, so they all read it the same way.
pub struct Evaluation<'c> {
    /// The standard the enrolment is pinned to.
    pub standard: &'c Standard,
    /// Its evidence records, oldest first.
    pub records: Vec<EvidenceRecord>,
    /// The records as the engine reads them.
    pub portfolio: Portfolio,
    engine: EngineRef<'c>,
    timer: &'c crate::metrics::EvaluationTimer,
}

impl<'c> Evaluation<'c> {
    /// Reads `enrolment`'s evidence and its provider's interpretations; `candidate_name` labels
    /// the report.
    pub fn load(
        conn: &mut DbConnection,
        catalogue: &'c Catalogue,
        enrolment: &Enrolment,
        candidate_name: Option<String>,
    ) -> Result<Self, ActionError> {
        let records = list_evidence(conn, enrolment.id)?;
        let portfolio = build_portfolio(enrolment, candidate_name, &records)?;
        Self::with(conn, catalogue, enrolment, records, portfolio)
    }

    /// [`Evaluation::load`] for the reports alone: `inspect` reads the records first, then their
    /// instances move into the portfolio and `records` is left empty. A copy of every instance
    /// would double what the evaluation of a large portfolio holds at its peak (mostly the
    /// instances' small maps: 43 MB of 135 MB for 12,500 observations, measured with heaptrack).
    pub fn load_for_reports<R>(
        conn: &mut DbConnection,
        catalogue: &'c Catalogue,
        enrolment: &Enrolment,
        candidate_name: Option<String>,
        inspect: impl FnOnce(&[EvidenceRecord]) -> R,
    ) -> Result<(Self, R), ActionError> {
        let records = list_evidence(conn, enrolment.id)?;
        let seen = inspect(&records);
        let portfolio = into_portfolio(enrolment, candidate_name, records)?;
        let evaluation = Self::with(conn, catalogue, enrolment, Vec::new(), portfolio)?;
        Ok((evaluation, seen))
    }

    fn with(
        conn: &mut DbConnection,
        catalogue: &'c Catalogue,
        enrolment: &Enrolment,
        records: Vec<EvidenceRecord>,
        portfolio: Portfolio,
    ) -> Result<Self, ActionError> {
        let loaded = catalogue.pinned(enrolment)?;
        let chosen = crate::settings::interpretations(conn, enrolment.org_id, &loaded.standard)?;
        Ok(Self {
            standard: &loaded.standard,
            records,
            portfolio,
            engine: catalogue.engine(loaded, &chosen),
            timer: catalogue.evaluation_timer(),
        })
    }

    /// The report in one view.
    pub fn report(&self, view: View) -> Report<'_> {
        let started = std::time::Instant::now();
        let report = self.engine.evaluate(&self.portfolio, view);
        self.timer.observe(started.elapsed());
        report
    }

    /// The reports in both views.
    pub fn progress(&self) -> ProgressReport<'_> {
        ProgressReport {
            claimed: self.report(View::Claimed),
            confirmed: self.report(View::Confirmed),
        }
    }

    /// The reports in both views as the progress API sends them (the JSON of
    /// [`ProgressReport`]; gzip of it from [`GZIP_FROM`] bytes, see [`super::report_body`]), with
    /// the figures a stored evaluation keeps. One view's report is written out and dropped before
    /// the other is made: a report lists every evidence instance, so for a large portfolio it holds
    /// about as much as the portfolio itself.
    pub fn progress_json(&self) -> serde_json::Result<ProgressJson> {
        let mut sink = Sink::new(GZIP_FROM);
        let io = serde_json::Error::io;
        sink.write_all(b"{\"claimed\":").map_err(io)?;
        let claimed = {
            let report = self.report(View::Claimed);
            serde_json::to_writer(&mut sink, &report)?;
            report.progress
        };
        sink.write_all(b",\"confirmed\":").map_err(io)?;
        let (confirmed, complete) = {
            let report = self.report(View::Confirmed);
            serde_json::to_writer(&mut sink, &report)?;
            (report.progress, report.complete)
        };
        sink.write_all(b"}").map_err(io)?;
        let json_len = sink.written();
        Ok(ProgressJson {
            body: sink.finish().map_err(io)?,
            json_len,
            claimed,
            confirmed,
            complete,
        })
    }
}

/// [`Evaluation::progress_json`]'s answer.
#[derive(Debug)]
pub struct ProgressJson {
    /// `{"claimed": Report, "confirmed": Report}`, exactly as serde writes a [`ProgressReport`]:
    /// as it is, or as gzip when large.
    pub body: ReportBody,
    /// Bytes of the JSON (before any compression).
    pub json_len: usize,
    /// Requirements met in the claimed view.
    pub claimed: crate::rules::Progress,
    /// Requirements met in the confirmed view.
    pub confirmed: crate::rules::Progress,
    /// Whether the unit is complete (confirmed view).
    pub complete: bool,
}

/// The assessor's marks: conditional criteria whose condition did not arise, and confirmations of
/// rules no evidence can show.
#[derive(Debug, Clone, Default, serde::Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessorMarks {
    /// Criteria marked not applicable, each with the reason.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub not_applicable: Vec<NotApplicable>,
    /// Rules confirmed (or not) by the assessor.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub confirmations: Vec<Confirmation>,
}

impl AssessorMarks {
    /// The marks kept on the enrolment (none when nothing was recorded); marks that do not read
    /// are a corrupt row, not an empty set of marks.
    pub fn recorded(enrolment: &Enrolment) -> Result<Self, crate::db::DbError> {
        crate::db::json::from_text(&enrolment.assessor_marks)
    }
}

/// Replaces the assessor's marks on an enrolment (audited). Every id must exist in the standard.
pub fn set_marks(
    conn: &mut crate::db::DbConnection,
    standard: &Standard,
    enrolment: &Enrolment,
    actor: crate::db::ids::UserId,
    marks: AssessorMarks,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<AssessorMarks, crate::action::ActionError> {
    use diesel::prelude::*;

    use crate::db::schema::enrolments;
    let mut problems = crate::action::Problems::default();
    for (i, mark) in marks.not_applicable.iter().enumerate() {
        let criterion = standard
            .outcomes
            .iter()
            .flat_map(|o| &o.criteria)
            .find(|c| c.id == mark.criterion);
        match criterion {
            None => problems.add(
                &format!("not_applicable[{i}].criterion"),
                format!("{} is not a criterion of this standard", mark.criterion),
            ),
            Some(c) if c.condition.is_none() => problems.add(
                &format!("not_applicable[{i}].criterion"),
                format!(
                    "{} is not conditional: it applies to every candidate",
                    mark.criterion
                ),
            ),
            Some(_) => {}
        }
        if mark.reason.trim().is_empty() {
            problems.add(
                &format!("not_applicable[{i}].reason"),
                "say why the condition did not arise",
            );
        }
    }
    for (i, confirmation) in marks.confirmations.iter().enumerate() {
        if !standard.rules.iter().any(|r| r.id == confirmation.rule) {
            problems.add(
                &format!("confirmations[{i}].rule"),
                format!("{} is not a rule of this standard", confirmation.rule),
            );
        }
    }
    problems.finish()?;
    if !matches!(
        enrolment.status(),
        crate::auth::policy::EnrolmentStatus::Active
            | crate::auth::policy::EnrolmentStatus::Submitted
    ) {
        return Err(crate::action::ActionError::Conflict(format!(
            "the portfolio is {}: it is locked until the assessor reopens it",
            enrolment.status
        )));
    }
    let json = serde_json::json!({ "not_applicable": marks.not_applicable, "confirmations": marks.confirmations });
    diesel::update(enrolments::table.find(&enrolment.id))
        .set((
            enrolments::assessor_marks.eq(json.to_string()),
            enrolments::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    crate::audit::append(
        conn,
        crate::audit::Change {
            actor_id: Some(&actor.to_string()),
            action: "enrolment.marks",
            entity: "enrolment",
            entity_id: &enrolment.id.to_string(),
            before: Some(crate::db::json::from_text(&enrolment.assessor_marks)?),
            after: Some(json),
        },
    )?;
    Ok(marks)
}
