//! Internal verification in the database: assessors' risk ratings, the organisation's sampling
//! rates, sampling plans with their reproducible selection, and the IV's sample decisions.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::chain::{current_snapshot_hash, record_sign_off};
use super::sampling::{AssessorRisk, RiskRating, SamplingKind, SamplingRates};
use crate::action::{ActionError, Problems};
use crate::audit::{self, Change};
use crate::auth::policy::{EnrolmentStatus, Role as AccessRole};
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::json::Json;
use crate::db::schema::{assessor_risk, enrolments, org_settings, samples, sampling_plans};
use crate::identity::holds;
use crate::portfolio::Enrolment;
use crate::standards::Role;

pub mod actions;

/// A sampling plan as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = sampling_plans)]
pub struct Plan {
    /// Its id.
    pub id: String,
    /// The organisation.
    pub org_id: String,
    /// The internal verifier it belongs to.
    pub iv_id: String,
    /// A name, e.g. "Contact centre units, 2026 term 1".
    pub name: String,
    /// interim or summative.
    pub kind: String,
    /// First day of the plan's period.
    pub period_start: NaiveDate,
    /// Last day of the plan's period.
    pub period_end: NaiveDate,
    /// The seed of the random draw: anyone with the same data and seed gets the same sample.
    pub seed: i64,
    /// Created.
    #[serde(serialize_with = "crate::db::utc::serialize")]
    pub created_at: NaiveDateTime,
}

/// What is needed to create a plan.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPlan {
    /// The internal verifier.
    pub iv_id: Uuid,
    /// A name.
    pub name: String,
    /// interim or summative.
    #[schema(value_type = String)]
    pub kind: SamplingKind,
    /// First day.
    pub period_start: NaiveDate,
    /// Last day.
    pub period_end: NaiveDate,
    /// The seed; random when absent.
    #[serde(default)]
    pub seed: Option<i64>,
}

/// Creates a sampling plan and makes its first draw (both audited).
pub fn create_plan(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    org_id: &str,
    actor_id: &str,
    new: NewPlan,
    now: DateTime<Utc>,
) -> Result<Plan, ActionError> {
    let mut problems = Problems::default();
    if new.name.trim().is_empty() {
        problems.add("name", "is required");
    }
    if new.period_end < new.period_start {
        problems.add("period_end", "is before period_start");
    }
    if !holds(
        conn,
        &new.iv_id.to_string(),
        org_id,
        AccessRole::InternalVerifier,
        now,
    )? {
        problems.add("iv_id", "is not an internal verifier in this organisation");
    }
    problems.finish()?;
    let plan = Plan {
        id: Uuid::new_v4().to_string(),
        org_id: org_id.to_owned(),
        iv_id: new.iv_id.to_string(),
        name: new.name.trim().to_owned(),
        kind: new.kind.as_str().to_owned(),
        period_start: new.period_start,
        period_end: new.period_end,
        seed: new.seed.unwrap_or_else(|| rand::random::<i64>() & i64::MAX),
        created_at: now.naive_utc(),
    };
    diesel::insert_into(sampling_plans::table)
        .values(&plan)
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(actor_id),
            action: "sampling_plan.create",
            entity: "sampling_plan",
            entity_id: &plan.id,
            before: None,
            after: Some(crate::db::json::to_value(&plan)?),
        },
    )?;
    super::draws::draw(
        conn,
        catalogue,
        &plan,
        Some(actor_id),
        super::draws::FIRST_DRAW,
        now,
    )?;
    Ok(plan)
}

/// One plan.
pub fn load_plan(conn: &mut DbConnection, id: &str) -> Result<Plan, ActionError> {
    Ok(sampling_plans::table
        .find(id)
        .select(Plan::as_select())
        .first(conn)?)
}

/// The plans of an organisation (optionally one IV's), newest first.
pub fn list_plans(
    conn: &mut DbConnection,
    org_id: &str,
    iv_id: Option<&str>,
) -> Result<Vec<Plan>, ActionError> {
    let mut query = sampling_plans::table
        .filter(sampling_plans::org_id.eq(org_id))
        .into_boxed();
    if let Some(iv) = iv_id {
        query = query.filter(sampling_plans::iv_id.eq(iv.to_owned()));
    }
    Ok(query
        .order(sampling_plans::created_at.desc())
        .select(Plan::as_select())
        .load(conn)?)
}

/// The organisation's sampling rates (the documented defaults unless changed).
pub fn rates(conn: &mut DbConnection, org_id: &str) -> Result<SamplingRates, ActionError> {
    let stored: Option<String> = org_settings::table
        .find(org_id)
        .select(org_settings::sampling_rates)
        .first(conn)
        .optional()?;
    // No row yet: the default rates; a row whose rates do not read is corrupt.
    Ok(stored
        .map(|json| crate::db::json::from_text(&json))
        .transpose()?
        .unwrap_or_default())
}

/// Sets the organisation's sampling rates (audited).
pub fn set_rates(
    conn: &mut DbConnection,
    org_id: &str,
    actor_id: &str,
    rates: SamplingRates,
    now: DateTime<Utc>,
) -> Result<(), ActionError> {
    let json = crate::db::json::to_text(&rates)?;
    crate::settings::ensure_row(conn, org_id, now)?;
    diesel::update(org_settings::table.find(org_id))
        .set((
            org_settings::sampling_rates.eq(&json),
            org_settings::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(actor_id),
            action: "organisation.sampling_rates",
            entity: "organisation",
            entity_id: org_id,
            before: None,
            after: Some(crate::db::json::to_value(&rates)?),
        },
    )?;
    Ok(())
}

/// Sets an assessor's risk rating (audited).
pub fn set_risk(
    conn: &mut DbConnection,
    org_id: &str,
    assessor_id: &str,
    actor_id: &str,
    risk: RiskRating,
    now: DateTime<Utc>,
) -> Result<(), ActionError> {
    if !holds(conn, assessor_id, org_id, AccessRole::Assessor, now)? {
        return Err(ActionError::invalid(
            "assessor_id",
            "is not an assessor in this organisation",
        ));
    }
    diesel::delete(
        assessor_risk::table
            .filter(assessor_risk::org_id.eq(org_id))
            .filter(assessor_risk::assessor_id.eq(assessor_id)),
    )
    .execute(conn)?;
    diesel::insert_into(assessor_risk::table)
        .values((
            assessor_risk::org_id.eq(org_id),
            assessor_risk::assessor_id.eq(assessor_id),
            assessor_risk::risk.eq(risk.as_str()),
            assessor_risk::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(actor_id),
            action: "assessor.risk",
            entity: "user",
            entity_id: assessor_id,
            before: None,
            after: Some(serde_json::json!({ "org_id": org_id, "risk": risk.as_str() })),
        },
    )?;
    Ok(())
}

/// An assessor of the organisation with the rating that sets how much of their work is sampled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RatedAssessor {
    /// The assessor.
    pub assessor_id: String,
    /// Their name.
    pub name: String,
    /// Their email.
    pub email: String,
    /// new, low, medium or high.
    #[schema(value_type = String)]
    pub risk: RiskRating,
    /// False when nobody has rated them: they are sampled as `new` until someone does.
    pub rated: bool,
}

/// Every active assessor of the organisation now, by name, with their risk rating.
pub fn assessor_ratings(
    conn: &mut DbConnection,
    org_id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<RatedAssessor>, ActionError> {
    let rated = risks(conn, org_id)?;
    let users = crate::identity::list_users(conn, org_id)?;
    Ok(users
        .into_iter()
        .filter(|u| {
            u.active
                && u.grants.iter().any(|g| {
                    g.org_id == org_id
                        && g.role == AccessRole::Assessor.as_str()
                        && g.expires_at.is_none_or(|t| t > now)
                })
        })
        .map(|u| {
            let id = u.id.to_string();
            let found = rated.iter().find(|r| r.assessor_id == id);
            RatedAssessor {
                risk: found.map_or(RiskRating::New, |r| r.risk),
                rated: found.is_some(),
                assessor_id: id,
                name: u.name,
                email: u.email,
            }
        })
        .collect())
}

pub(super) fn risks(
    conn: &mut DbConnection,
    org_id: &str,
) -> Result<Vec<AssessorRisk>, ActionError> {
    let rows: Vec<(String, String)> = assessor_risk::table
        .filter(assessor_risk::org_id.eq(org_id))
        .select((assessor_risk::assessor_id, assessor_risk::risk))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(assessor_id, risk)| {
            let risk = serde_json::from_value(serde_json::Value::String(risk)).ok()?;
            Some(AssessorRisk { assessor_id, risk })
        })
        .collect())
}

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
    pub plan_id: Option<Uuid>,
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
    pub id: String,
    /// The plan.
    pub plan_id: Option<String>,
    /// The enrolment.
    pub enrolment_id: String,
    /// The internal verifier.
    pub iv_id: String,
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
    iv_id: &str,
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
        let plan = load_plan(conn, &plan_id.to_string())
            .map_err(|_| ActionError::invalid("plan_id", "no such plan"))?;
        if plan.org_id != enrolment.org_id {
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
        id: Uuid::new_v4().to_string(),
        plan_id: input.plan_id.map(|id| id.to_string()),
        enrolment_id: enrolment.id.clone(),
        iv_id: iv_id.to_owned(),
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
            actor_id: Some(iv_id),
            action: "iv.sample",
            entity: "enrolment",
            entity_id: &enrolment.id,
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
                iv_id,
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
            crate::reported::refuse_when_reported(conn, &enrolment.id, "send the decision back")?;
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
pub fn samples_of(conn: &mut DbConnection, enrolment_id: &str) -> Result<Vec<Sample>, ActionError> {
    Ok(samples::table
        .filter(samples::enrolment_id.eq(enrolment_id))
        .order(samples::created_at.desc())
        .select(Sample::as_select())
        .load(conn)?)
}

/// The samples an IV has recorded in an organisation, newest first.
pub fn samples_by(
    conn: &mut DbConnection,
    org_id: &str,
    iv_id: &str,
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
pub fn samples_in_org(conn: &mut DbConnection, org_id: &str) -> Result<Vec<Sample>, ActionError> {
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
