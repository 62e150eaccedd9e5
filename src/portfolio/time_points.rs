//! Time points in a recording: "04:12 — 1.3 establishing rapport". Contact-centre units are shown
//! mostly by call recordings, so the candidate and the assessor mark where in a recording each
//! mapped criterion or knowledge item is shown. Time points are kept with the evidence, shown beside
//! its player on the portfolio and the judge page, and written into the archive; they change
//! nothing the engine counts.

use crate::db::FirstRow;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::enrolment::Enrolment;
use super::evidence::{EvidenceRecord, load_evidence};
use crate::action::{ActionError, Problems};
use crate::audit::{self, Change};
use crate::db::DbConnection;
use crate::db::ids::{EnrolmentId, EvidenceId, TimePointId, UserId};
use crate::db::schema::evidence_time_points;

/// The longest recording a time point may point into (a working day).
const LONGEST_SECONDS: i32 = 12 * 60 * 60;
/// Enough for a long call marked line by line; a bound, so one record cannot grow without end.
const MOST_PER_RECORDING: i64 = 200;
/// Notes are a phrase, not an essay.
const LONGEST_NOTE: usize = 500;

/// A marked moment in a recording.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = evidence_time_points)]
pub struct TimePoint {
    /// Its id.
    #[schema(value_type = String)]
    pub id: TimePointId,
    /// The recording's evidence record.
    #[schema(value_type = String)]
    pub evidence_id: EvidenceId,
    /// The enrolment.
    #[schema(value_type = String)]
    pub enrolment_id: EnrolmentId,
    /// Seconds from the start of the recording.
    pub at_seconds: i32,
    /// The criterion or knowledge item shown there (one the evidence is mapped to).
    pub mapping: String,
    /// What happens there, in a few words (may be empty).
    pub note: String,
    /// Who marked it.
    #[schema(value_type = String)]
    pub created_by: UserId,
    /// When.
    #[serde(serialize_with = "crate::db::utc::serialize")]
    pub created_at: NaiveDateTime,
}

impl TimePoint {
    /// The time as people write it: `04:12`, or `1:02:03` past an hour.
    pub fn at(&self) -> String {
        clock(self.at_seconds)
    }
}

/// A time point to mark.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTimePoint {
    /// Where in the recording: `mm:ss`, `h:mm:ss`, or whole seconds.
    pub at: String,
    /// The criterion or knowledge item shown there, e.g. `1.3`.
    pub mapping: String,
    /// What happens there (optional).
    #[serde(default)]
    pub note: String,
}

/// `seconds` as `mm:ss`, or `h:mm:ss` past an hour.
pub fn clock(seconds: i32) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

/// Reads `04:12`, `1:02:03` or `252` as seconds; `None` for anything else.
pub fn parse_clock(text: &str) -> Option<i32> {
    let parts: Vec<&str> = text.trim().split(':').collect();
    if parts.is_empty()
        || parts.len() > 3
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let numbers: Vec<i32> = parts
        .iter()
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    // Minutes and seconds after the first part are clock digits, below 60.
    if numbers.iter().skip(1).any(|n| *n >= 60) {
        return None;
    }
    numbers
        .iter()
        .try_fold(0i32, |total, n| total.checked_mul(60)?.checked_add(*n))
}

/// Whether the record is a recording time points can point into.
pub fn is_recording(record: &EvidenceRecord) -> bool {
    record.file.as_ref().is_some_and(|f| {
        f.content_type.starts_with("audio/") || f.content_type.starts_with("video/")
    })
}

/// The criteria and knowledge items the record is mapped to: what a time point may name.
pub fn mapped(record: &EvidenceRecord) -> Vec<&str> {
    record
        .instance
        .criteria
        .iter()
        .map(|c| c.criterion.as_str())
        .chain(record.instance.knowledge.iter().map(|k| k.item.as_str()))
        .collect()
}

/// Marks a time point in a recording (audited as `evidence.time_point.add`). The caller has
/// checked that `actor_id` may add evidence to, or judge, the enrolment.
pub fn add(
    conn: &mut DbConnection,
    enrolment: &Enrolment,
    evidence_id: EvidenceId,
    actor: UserId,
    input: NewTimePoint,
    now: DateTime<Utc>,
) -> Result<TimePoint, ActionError> {
    let record = load_evidence(conn, enrolment.id, evidence_id)?;
    if !is_recording(&record) {
        return Err(ActionError::Conflict(
            "time points are for audio and video recordings; this evidence has none".to_owned(),
        ));
    }
    let mut problems = Problems::default();
    let at = parse_clock(&input.at);
    match at {
        None => problems.add("at", "write the time as minutes:seconds, e.g. 04:12"),
        Some(s) if s > LONGEST_SECONDS => {
            problems.add("at", "a time point must be within the first 12 hours")
        }
        Some(_) => {}
    }
    let mapping = input.mapping.trim();
    let options = mapped(&record);
    if mapping.is_empty() {
        problems.add(
            "mapping",
            "choose the criterion or knowledge item shown there",
        );
    } else if !options.contains(&mapping) {
        problems.add(
            "mapping",
            format!(
                "{mapping} is not mapped to this evidence; choose one of {}",
                options.join(", ")
            ),
        );
    }
    let note = input.note.trim();
    if note.chars().count() > LONGEST_NOTE {
        problems.add("note", "keep the note under 500 characters");
    }
    problems.finish()?;
    let marked: i64 = evidence_time_points::table
        .filter(evidence_time_points::evidence_id.eq(record.id))
        .count()
        .get_result(conn)?;
    if marked >= MOST_PER_RECORDING {
        return Err(ActionError::Conflict(format!(
            "this recording already has {MOST_PER_RECORDING} time points; remove some first"
        )));
    }
    let point = TimePoint {
        id: TimePointId::random(),
        evidence_id: record.id,
        enrolment_id: enrolment.id,
        at_seconds: at.unwrap_or_default(),
        mapping: mapping.to_owned(),
        note: note.to_owned(),
        created_by: actor,
        created_at: now.naive_utc(),
    };
    diesel::insert_into(evidence_time_points::table)
        .values(&point)
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(&actor.to_string()),
            action: "evidence.time_point.add",
            entity: "enrolment",
            entity_id: &enrolment.id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "evidence_id": record.id, "id": point.id, "at": point.at(), "mapping": point.mapping, "note": point.note,
            })),
        },
    )?;
    Ok(point)
}

/// Removes a time point (audited as `evidence.time_point.remove`): the person who marked it, or
/// the enrolment's assessor, may.
pub fn remove(
    conn: &mut DbConnection,
    enrolment: &Enrolment,
    evidence_id: EvidenceId,
    point_id: TimePointId,
    actor: UserId,
) -> Result<TimePoint, ActionError> {
    let point: TimePoint = evidence_time_points::table
        .find(point_id)
        .filter(evidence_time_points::evidence_id.eq(evidence_id))
        .filter(evidence_time_points::enrolment_id.eq(&enrolment.id))
        .select(TimePoint::as_select())
        .first_row(conn)
        .optional()?
        .ok_or(ActionError::NotFound)?;
    let assessor = enrolment.assessor_id == Some(actor);
    if point.created_by != actor && !assessor {
        return Err(ActionError::Forbidden(
            "only the person who marked a time point, or the assessor, may remove it".to_owned(),
        ));
    }
    diesel::delete(evidence_time_points::table.find(point.id)).execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(&actor.to_string()),
            action: "evidence.time_point.remove",
            entity: "enrolment",
            entity_id: &enrolment.id.to_string(),
            before: Some(serde_json::json!({
                "evidence_id": evidence_id, "id": point.id, "at": point.at(), "mapping": point.mapping, "note": point.note,
            })),
            after: None,
        },
    )?;
    Ok(point)
}

/// The time points of one recording, in playing order.
pub fn of_evidence(
    conn: &mut DbConnection,
    enrolment_id: EnrolmentId,
    evidence_id: EvidenceId,
) -> Result<Vec<TimePoint>, ActionError> {
    Ok(evidence_time_points::table
        .filter(evidence_time_points::enrolment_id.eq(enrolment_id))
        .filter(evidence_time_points::evidence_id.eq(evidence_id))
        .order((
            evidence_time_points::at_seconds.asc(),
            evidence_time_points::created_at.asc(),
        ))
        .select(TimePoint::as_select())
        .load(conn)?)
}

/// Every time point of an enrolment, by recording and in playing order.
pub fn of_enrolment(
    conn: &mut DbConnection,
    enrolment_id: EnrolmentId,
) -> Result<Vec<TimePoint>, ActionError> {
    Ok(evidence_time_points::table
        .filter(evidence_time_points::enrolment_id.eq(enrolment_id))
        .order((
            evidence_time_points::evidence_id.asc(),
            evidence_time_points::at_seconds.asc(),
            evidence_time_points::created_at.asc(),
        ))
        .select(TimePoint::as_select())
        .load(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_times_read_and_write_alike() {
        assert_eq!(parse_clock("04:12"), Some(252));
        assert_eq!(parse_clock(" 4:12 "), Some(252));
        assert_eq!(parse_clock("252"), Some(252));
        assert_eq!(parse_clock("1:02:03"), Some(3723));
        assert_eq!(clock(252), "04:12");
        assert_eq!(clock(3723), "1:02:03");
        assert_eq!(clock(0), "00:00");
        for bad in [
            "", "4:", ":12", "4:60", "1:60:00", "a:12", "-1", "4.5", "1:2:3:4", "999999",
        ] {
            assert_eq!(parse_clock(bad), None, "{bad:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn every_clock_reads_back(seconds in 0i32..LONGEST_SECONDS) {
            proptest::prop_assert_eq!(parse_clock(&clock(seconds)), Some(seconds));
        }
    }
}
