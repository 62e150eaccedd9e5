//! Assessing after a standard version's last date for assessment: refused unless an administrator
//! has granted the enrolment an explicit extension, which is audited. The latest extension of an
//! enrolment is the one in force.

use crate::db::FirstRow;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Enrolment;
use crate::action::ActionError;
use crate::audit::{self, Change};
use crate::auth::policy::EnrolmentStatus;
use crate::catalogue::{Catalogue, last_assessment_day};
use crate::db::DbConnection;
use crate::db::ids::EnrolmentId;
use crate::db::schema::assessment_extensions;
use crate::standards::Standard;

/// An extension as asked for.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionRequest {
    /// The last day the enrolment may be assessed (after the standard's last date for assessment).
    pub until: NaiveDate,
    /// Why (kept in the audit trail), e.g. the awarding body's written agreement.
    pub reason: String,
}

/// An extension in force.
#[derive(Debug, Serialize, utoipa::ToSchema, PartialEq, Eq)]
pub struct Extension {
    /// The enrolment.
    pub enrolment_id: String,
    /// The standard's own last date for assessment.
    pub last_date_for_assessment: NaiveDate,
    /// The last day the enrolment may now be assessed.
    pub until: NaiveDate,
    /// Why.
    pub reason: String,
    /// Who granted it.
    pub granted_by: String,
}

/// The extension in force for an enrolment, as the pages show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ExtensionInForce {
    /// The last day the enrolment may be assessed.
    pub until: NaiveDate,
    /// Why it was granted.
    pub reason: String,
    /// The day it was granted.
    pub granted_on: NaiveDate,
}

/// The latest extension of an enrolment (the one in force), if it has one.
pub fn extension_in_force(
    conn: &mut DbConnection,
    enrolment_id: EnrolmentId,
) -> QueryResult<Option<ExtensionInForce>> {
    let row: Option<(NaiveDate, String, chrono::NaiveDateTime)> = assessment_extensions::table
        .filter(assessment_extensions::enrolment_id.eq(enrolment_id))
        .order((
            assessment_extensions::granted_at.desc(),
            assessment_extensions::id.desc(),
        ))
        .select((
            assessment_extensions::until,
            assessment_extensions::reason,
            assessment_extensions::granted_at,
        ))
        .first_row(conn)
        .optional()?;
    Ok(row.map(|(until, reason, granted_at)| ExtensionInForce {
        until,
        reason,
        granted_on: granted_at.date(),
    }))
}

/// The day the latest extension of an enrolment runs to, if it has one.
pub fn extension_until(
    conn: &mut DbConnection,
    enrolment_id: EnrolmentId,
) -> QueryResult<Option<NaiveDate>> {
    assessment_extensions::table
        .filter(assessment_extensions::enrolment_id.eq(enrolment_id))
        .order((
            assessment_extensions::granted_at.desc(),
            assessment_extensions::id.desc(),
        ))
        .select(assessment_extensions::until)
        .first_row(conn)
        .optional()
}

/// Refuses assessing `enrolment` on `today` when its standard version's last date for assessment
/// has passed and no extension covers today.
pub fn check_assessable(
    conn: &mut DbConnection,
    standard: &Standard,
    enrolment: &Enrolment,
    today: NaiveDate,
) -> Result<(), ActionError> {
    let Some(last) = last_assessment_day(standard) else {
        return Ok(());
    };
    if today <= last {
        return Ok(());
    }
    match extension_until(conn, enrolment.id)? {
        Some(until) if today <= until => Ok(()),
        Some(until) => Err(ActionError::Conflict(format!(
            "{} version {} could be assessed until {last}, and this enrolment's extension ended on \
             {until}: an administrator must extend it again before the unit decision",
            standard.code, standard.version
        ))),
        None => Err(ActionError::Conflict(format!(
            "{} version {} could be assessed until {last}: an administrator must grant this \
             enrolment an extension before the unit decision",
            standard.code, standard.version
        ))),
    }
}

/// Grants an extension (audited). `until` must fall after the standard's last date for
/// assessment and not before today; the reason is required.
pub fn grant_extension(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    enrolment: &Enrolment,
    actor: crate::db::ids::UserId,
    request: ExtensionRequest,
    now: DateTime<Utc>,
) -> Result<Extension, ActionError> {
    if matches!(
        enrolment.status,
        EnrolmentStatus::Withdrawn | EnrolmentStatus::Certified
    ) {
        return Err(ActionError::Conflict(format!(
            "the enrolment is {}: it is closed",
            enrolment.status
        )));
    }
    let standard = &catalogue.pinned(enrolment)?.standard;
    let reason = request.reason.trim();
    if reason.is_empty() {
        return Err(ActionError::invalid(
            "reason",
            "is required: say why the enrolment may be assessed late",
        ));
    }
    let Some(last) = last_assessment_day(standard) else {
        return Err(ActionError::invalid(
            "until",
            format!(
                "{} version {} has no last date for assessment: no extension is needed",
                standard.code, standard.version
            ),
        ));
    };
    if request.until <= last {
        return Err(ActionError::invalid(
            "until",
            format!("must be after the standard's last date for assessment ({last})"),
        ));
    }
    if request.until < now.date_naive() {
        return Err(ActionError::invalid("until", "must not be in the past"));
    }
    let before = extension_until(conn, enrolment.id)?;
    diesel::insert_into(assessment_extensions::table)
        .values((
            assessment_extensions::id.eq(Uuid::new_v4().to_string()),
            assessment_extensions::enrolment_id.eq(&enrolment.id),
            assessment_extensions::until.eq(request.until),
            assessment_extensions::reason.eq(reason),
            assessment_extensions::granted_by.eq(actor),
            assessment_extensions::granted_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(&actor.to_string()),
            action: "enrolment.extend_assessment",
            entity: "enrolment",
            entity_id: &enrolment.id.to_string(),
            before: Some(serde_json::json!({
                "last_date_for_assessment": last.to_string(),
                "extended_until": before.map(|d| d.to_string()),
            })),
            after: Some(serde_json::json!({
                "extended_until": request.until.to_string(), "reason": reason,
            })),
        },
    )?;
    Ok(Extension {
        enrolment_id: enrolment.id.to_string(),
        last_date_for_assessment: last,
        until: request.until,
        reason: reason.to_owned(),
        granted_by: actor.to_string(),
    })
}
