//! Sampling plans' draws in the database: each draw reads the population once, runs
//! [`super::sampling::select`] and keeps the whole record (inputs and result) with its SHA-256, so a
//! plan's selection is shown as it was drawn, never worked out again from today's data.

use std::collections::BTreeSet;

use crate::db::FirstRow;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::plans::{Plan, rates, risks};
use super::sampling::record::{self, DrawRecord, PlanHeader};
use super::sampling::{Candidate, PlanInput, SamplingKind, TakenSample};
use crate::action::ActionError;
use crate::audit::{self, Change};
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::{DrawId, PlanId};
use crate::db::schema::{enrolments, plan_draws, samples};
use crate::portfolio::{self, Enrolment};

/// The reason recorded with the draw made when a plan is created.
pub const FIRST_DRAW: &str = "the plan was created";

/// A kept draw.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = plan_draws)]
pub struct Draw {
    /// Its id.
    pub id: DrawId,
    /// The plan.
    pub plan_id: PlanId,
    /// When the population was read.
    pub drawn_at: NaiveDateTime,
    /// Who asked for it (none for the system).
    pub drawn_by: Option<String>,
    /// Why it was drawn.
    pub reason: String,
    /// The draw record, exactly the bytes an external verifier downloads.
    pub record: String,
    /// The SHA-256 of `record`.
    pub record_sha256: String,
}

/// A draw without its record, as lists show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DrawSummary {
    /// Its id.
    #[schema(value_type = String)]
    pub id: DrawId,
    /// The population as at this instant (UTC).
    pub drawn_at: NaiveDateTime,
    /// Who asked for it.
    pub drawn_by: Option<String>,
    /// Why it was drawn.
    pub reason: String,
    /// The SHA-256 of the draw record.
    pub record_sha256: String,
}

impl Draw {
    /// The record, read back.
    pub fn parsed(&self) -> Result<DrawRecord, ActionError> {
        // A stored record that does not read back was changed outside Attest: a conflict to
        // report, not input to blame on the caller.
        record::parse(&self.record).map_err(|e| {
            ActionError::Conflict(format!("the kept draw {} cannot be read: {e}", self.id))
        })
    }

    /// The draw without its record.
    pub fn summary(&self) -> DrawSummary {
        DrawSummary {
            id: self.id,
            drawn_at: self.drawn_at,
            drawn_by: self.drawn_by.clone(),
            reason: self.reason.clone(),
            record_sha256: self.record_sha256.clone(),
        }
    }
}

/// Draws the plan's sample from the data as it stands now and keeps the record (audited as
/// `sampling_plan.draw`). Call in the transaction that needs it, so a failed draw keeps nothing.
pub fn draw(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    plan: &Plan,
    actor_id: Option<&str>,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Draw, ActionError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ActionError::invalid(
            "reason",
            "say why the plan is drawn again: the earlier draw stays on record",
        ));
    }
    let (input, pool) = inputs(conn, catalogue, plan)?;
    // Microseconds, as both backends keep them: the record and the row say the same instant.
    let now = DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now);
    let header = PlanHeader {
        id: plan.id.to_string(),
        org_id: plan.org_id.to_string(),
        name: plan.name.clone(),
        period_start: plan.period_start,
        period_end: plan.period_end,
    };
    let made = DrawRecord::make(header, now, input, pool);
    let text = serde_json::to_string_pretty(&made)
        .map_err(|e| ActionError::Conflict(format!("the draw cannot be written: {e}")))?;
    let kept = Draw {
        id: DrawId::random(),
        plan_id: plan.id,
        drawn_at: now.naive_utc(),
        drawn_by: actor_id.map(str::to_owned),
        reason: reason.to_owned(),
        record_sha256: hex::encode(Sha256::digest(text.as_bytes())),
        record: text,
    };
    diesel::insert_into(plan_draws::table)
        .values(&kept)
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id,
            action: "sampling_plan.draw",
            entity: "sampling_plan",
            entity_id: &plan.id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "draw_id": kept.id,
                "reason": kept.reason,
                "population": made.pool.len(),
                "selected": made.selection.enrolment_ids(),
                "record_sha256": kept.record_sha256,
            })),
        },
    )?;
    Ok(kept)
}

/// The plan's latest draw, if it has one (plans made before draws were kept have none until
/// someone draws them).
pub fn latest(conn: &mut DbConnection, plan_id: PlanId) -> Result<Option<Draw>, ActionError> {
    Ok(plan_draws::table
        .filter(plan_draws::plan_id.eq(plan_id))
        .order((plan_draws::drawn_at.desc(), plan_draws::id.desc()))
        .select(Draw::as_select())
        .first_row(conn)
        .optional()?)
}

/// Every draw of the plan, newest first, without their records.
pub fn history(conn: &mut DbConnection, plan_id: PlanId) -> Result<Vec<DrawSummary>, ActionError> {
    let all: Vec<Draw> = plan_draws::table
        .filter(plan_draws::plan_id.eq(plan_id))
        .order((plan_draws::drawn_at.desc(), plan_draws::id.desc()))
        .select(Draw::as_select())
        .load(conn)?;
    Ok(all.iter().map(Draw::summary).collect())
}

/// Everything the draw depends on, read from the data as it stands: the plan's inputs and the
/// population.
fn inputs(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    plan: &Plan,
) -> Result<(PlanInput, Vec<Candidate>), ActionError> {
    let kind: SamplingKind = serde_json::from_value(serde_json::Value::String(plan.kind.clone()))
        .map_err(|_| {
        ActionError::Conflict(format!("plan has an unknown kind {}", plan.kind))
    })?;
    let in_org: Vec<Enrolment> = enrolments::table
        .filter(enrolments::org_id.eq(plan.org_id))
        .order(enrolments::id.asc())
        .select(Enrolment::as_select())
        .load(conn)?;
    let taken_ids: Vec<(String, String)> = samples::table
        .filter(samples::plan_id.eq(plan.id))
        .select((samples::enrolment_id, samples::kind))
        .load(conn)?;
    let mut pool = Vec::new();
    let mut taken = Vec::new();
    for enrolment in &in_org {
        let Some(entry) = pool_entry(conn, catalogue, enrolment)? else {
            continue;
        };
        if let Some((_, kind)) = taken_ids.iter().find(|(id, _)| enrolment.id == *id) {
            let kind = if kind == "summative" {
                SamplingKind::Summative
            } else {
                SamplingKind::Interim
            };
            taken.push(TakenSample {
                kind,
                enrolment: entry.clone(),
            });
        }
        pool.push(entry);
    }
    let input = PlanInput {
        iv_id: plan.iv_id.to_string(),
        seed: plan.seed as u64,
        kind,
        rates: rates(conn, plan.org_id)?,
        assessors: risks(conn, plan.org_id)?,
        taken,
    };
    Ok((input, pool))
}

/// An enrolment as the sampler sees it: who, which unit, which methods, sites and outcomes.
fn pool_entry(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    enrolment: &Enrolment,
) -> Result<Option<Candidate>, ActionError> {
    let Some(assessor_id) = enrolment.assessor_id.map(|id| id.to_string()) else {
        return Ok(None);
    };
    let records = portfolio::list_evidence(conn, enrolment.id)?;
    let mut methods = BTreeSet::new();
    let mut sites = BTreeSet::new();
    let mut outcomes = BTreeSet::new();
    let standard = catalogue.pinned(enrolment).ok();
    for record in &records {
        methods.insert(record.method.clone());
        if let Some(site) = &record.instance.site {
            sites.insert(site.clone());
        }
        if let Some(loaded) = standard {
            for mapping in &record.instance.criteria {
                if let Some(outcome) = loaded
                    .standard
                    .outcomes
                    .iter()
                    .find(|o| o.criteria.iter().any(|c| c.id == mapping.criterion))
                {
                    outcomes.insert(outcome.id.clone());
                }
            }
        }
    }
    Ok(Some(Candidate {
        enrolment_id: enrolment.id.to_string(),
        candidate_id: enrolment.candidate_id.to_string(),
        assessor_id,
        standard: format!("{}@{}", enrolment.standard_code, enrolment.standard_version),
        methods: methods.into_iter().collect(),
        sites: sites.into_iter().collect(),
        outcomes: outcomes.into_iter().collect(),
        status: enrolment.status.as_str().to_owned(),
        decided_by: enrolment.decided_by.map(|id| id.to_string()),
    }))
}

/// One draw of the plan (404 when the plan has no such draw).
pub fn find(
    conn: &mut DbConnection,
    plan_id: PlanId,
    draw_id: DrawId,
) -> Result<Draw, ActionError> {
    Ok(plan_draws::table
        .find(draw_id)
        .filter(plan_draws::plan_id.eq(plan_id))
        .select(Draw::as_select())
        .first_row(conn)?)
}
