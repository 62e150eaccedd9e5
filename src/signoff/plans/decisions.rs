//! The IV's sample decisions (with their VACS check) and the lists of samples.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::action::{ActionError, Problems};
use crate::audit::{self, Change};
use crate::auth::policy::EnrolmentStatus;
use crate::db::DbConnection;
use crate::db::ids::{EnrolmentId, OrgId, PlanId, SampleId, UserId};
use crate::db::json::Json;
use crate::db::schema::{enrolments, samples};
use crate::portfolio::Enrolment;
use crate::signoff::chain::{current_snapshot_hash, record_sign_off};
use crate::signoff::sampling::SamplingKind;
use crate::standards::Role;

use super::load_plan;

/// The IV's decision on a sample.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SampleDecision {
    /// agree or disagree.
    pub decision: String,
    /// Feedback for the assessor (required when disagreeing).
    #[serde(default)]
    pub feedback: String,
    /// Action points for the assessor (required when disagreeing).
    #[serde(default)]
    pub action_points: String,
    /// The plan this sample belongs to.
    #[serde(default)]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub plan_id: Option<PlanId>,
    /// The VACS checklist (optional: clients that do not send it record a sample without it).
    #[serde(default)]
    pub vacs: Option<Vacs>,
}

/// The VACS checklist of a sample: is the evidence valid, authentic, current and sufficient?
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Vacs {
    /// Valid: it shows what the criteria ask for.
    pub valid: VacsCheck,
    /// Authentic: the candidate's own work.
    pub authentic: VacsCheck,
    /// Current: recent enough to show competence now.
    pub current: VacsCheck,
    /// Sufficient: enough of it, across the range.
    pub sufficient: VacsCheck,
}

/// One question of the VACS checklist.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VacsCheck {
    /// Yes (true) or no (false).
    pub met: bool,
    /// The IV's note; required when the answer is no.
    #[serde(default)]
    pub note: String,
}

impl Vacs {
    /// The four questions with their field names, in VACS order.
    pub fn checks(&self) -> [(&'static str, &VacsCheck); 4] {
        [
            ("valid", &self.valid),
            ("authentic", &self.authentic),
            ("current", &self.current),
            ("sufficient", &self.sufficient),
        ]
    }

    fn trimmed(mut self) -> Self {
        for check in [
            &mut self.valid,
            &mut self.authentic,
            &mut self.current,
            &mut self.sufficient,
        ] {
            check.note = check.note.trim().to_owned();
        }
        self
    }
}

/// A recorded sample.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = samples)]
pub struct Sample {
    /// Its id.
    #[schema(value_type = String)]
    pub id: SampleId,
    /// The plan.
    #[schema(value_type = Option<String>)]
    pub plan_id: Option<PlanId>,
    /// The enrolment.
    #[schema(value_type = String)]
    pub enrolment_id: EnrolmentId,
    /// The internal verifier.
    #[schema(value_type = String)]
    pub iv_id: UserId,
    /// interim (work in progress) or summative (after the assessor's decision).
    pub kind: String,
    /// agree or disagree.
    pub decision: String,
    /// Feedback.
    pub feedback: String,
    /// Action points.
    pub action_points: String,
    /// SHA-256 of the portfolio snapshot as sampled.
    pub snapshot_hash: String,
    /// The date sampled.
    pub date_sampled: NaiveDate,
    /// Recorded.
    #[serde(serialize_with = "crate::db::utc::serialize")]
    pub created_at: NaiveDateTime,
    /// The VACS checklist, when the IV filled it in (stored as JSON text).
    #[schema(value_type = Option<Vacs>)]
    pub vacs: Option<Json<Vacs>>,
}

impl Sample {
    /// The VACS checklist, read back.
    pub fn vacs(&self) -> Option<Vacs> {
        self.vacs.as_ref().map(|vacs| vacs.0.clone())
    }
}

/// Records an IV's sample. A summative "agree" signs the chain and marks the enrolment sampled; a
/// "disagree" sends a decided enrolment back to the assessor. (The policy has already refused an IV
/// sampling their own decisions.)
pub fn record_sample(
    conn: &mut DbConnection,
    enrolment: &Enrolment,
    iv: UserId,
    input: SampleDecision,
    now: DateTime<Utc>,
) -> Result<Sample, ActionError> {
    let mut problems = Problems::default();
    let agree = match input.decision.as_str() {
        "agree" => true,
        "disagree" => false,
        _ => {
            problems.add("decision", "must be agree or disagree");
            false
        }
    };
    if input.decision == "disagree" {
        if input.feedback.trim().is_empty() {
            problems.add("feedback", "say what the assessor should look at again");
        }
        if input.action_points.trim().is_empty() {
            problems.add("action_points", "list what the assessor must do");
        }
    }
    let vacs = input.vacs.clone().map(Vacs::trimmed);
    if let Some(vacs) = &vacs {
        for (name, check) in vacs.checks() {
            if !check.met && check.note.is_empty() {
                problems.add(
                    &format!("vacs.{name}.note"),
                    format!("say why the evidence is not {name}"),
                );
            }
        }
    }
    problems.finish()?;
    if let Some(plan_id) = input.plan_id {
        let plan = load_plan(conn, plan_id)
            .map_err(|_| ActionError::invalid("plan_id", "no such plan"))?;
        if enrolment.org_id != plan.org_id {
            return Err(ActionError::invalid("plan_id", "no such plan"));
        }
    }
    let kind = match enrolment.status() {
        EnrolmentStatus::Assessed => SamplingKind::Summative,
        EnrolmentStatus::Active | EnrolmentStatus::Submitted => SamplingKind::Interim,
        other => {
            return Err(ActionError::Conflict(format!(
                "the portfolio is {}: it is past sampling",
                other.as_str()
            )));
        }
    };
    let sample = Sample {
        id: SampleId::random(),
        plan_id: input.plan_id,
        enrolment_id: enrolment.id,
        iv_id: iv,
        kind: kind.as_str().to_owned(),
        decision: input.decision.clone(),
        feedback: input.feedback.trim().to_owned(),
        action_points: input.action_points.trim().to_owned(),
        snapshot_hash: current_snapshot_hash(conn, enrolment)?,
        date_sampled: now.date_naive(),
        created_at: now.naive_utc(),
        vacs: vacs.map(Json),
    };
    diesel::insert_into(samples::table)
        .values(&sample)
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(&iv.to_string()),
            action: "iv.sample",
            entity: "enrolment",
            entity_id: &enrolment.id.to_string(),
            before: Some(serde_json::json!({ "status": enrolment.status })),
            after: Some(crate::db::json::to_value(&sample)?),
        },
    )?;
    let timestamp = now.naive_utc();
    match (kind, agree) {
        (SamplingKind::Summative, true) => {
            record_sign_off(
                conn,
                enrolment,
                Role::InternalVerifier,
                iv,
                "agree",
                &sample.feedback,
                now,
            )?;
            diesel::update(enrolments::table.find(&enrolment.id))
                .set((
                    enrolments::status.eq(EnrolmentStatus::Sampled.as_str()),
                    enrolments::updated_at.eq(timestamp),
                ))
                .execute(conn)?;
        }
        (SamplingKind::Summative, false) => {
            crate::reported::refuse_when_reported(conn, enrolment.id, "send the decision back")?;
            diesel::update(enrolments::table.find(&enrolment.id))
                .set((
                    enrolments::status.eq(EnrolmentStatus::Submitted.as_str()),
                    enrolments::decided_by.eq(None::<String>),
                    enrolments::assessed_at.eq(None::<NaiveDateTime>),
                    enrolments::reopen_reason
                        .eq(Some(format!("IV disagreed: {}", sample.feedback))),
                    enrolments::updated_at.eq(timestamp),
                ))
                .execute(conn)?;
        }
        (SamplingKind::Interim, _) => {}
    }
    Ok(sample)
}

/// The samples of an enrolment, newest first.
pub fn samples_of(
    conn: &mut DbConnection,
    enrolment_id: EnrolmentId,
) -> Result<Vec<Sample>, ActionError> {
    Ok(samples::table
        .filter(samples::enrolment_id.eq(enrolment_id))
        .order(samples::created_at.desc())
        .select(Sample::as_select())
        .load(conn)?)
}

/// The samples an IV has recorded in an organisation, newest first.
pub fn samples_by(
    conn: &mut DbConnection,
    org_id: OrgId,
    iv_id: UserId,
) -> Result<Vec<Sample>, ActionError> {
    let ids = enrolments::table
        .filter(enrolments::org_id.eq(org_id))
        .select(enrolments::id);
    Ok(samples::table
        .filter(samples::iv_id.eq(iv_id))
        .filter(samples::enrolment_id.eq_any(ids))
        .order(samples::created_at.desc())
        .select(Sample::as_select())
        .load(conn)?)
}

/// Every sample recorded on an organisation's enrolments, by any IV, newest first.
pub fn samples_in_org(conn: &mut DbConnection, org_id: OrgId) -> Result<Vec<Sample>, ActionError> {
    // A subquery, not a list of ids: an organisation can hold more enrolments than SQLite takes
    // bound parameters.
    let ids = enrolments::table
        .filter(enrolments::org_id.eq(org_id))
        .select(enrolments::id);
    Ok(samples::table
        .filter(samples::enrolment_id.eq_any(ids))
        .order(samples::created_at.desc())
        .select(Sample::as_select())
        .load(conn)?)
}
