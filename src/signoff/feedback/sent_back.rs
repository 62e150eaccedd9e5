//! IV → assessor → IV: a decision the IV disagreed with, and the assessor's answer to each action point.

use std::collections::{HashMap, HashSet};

use crate::db::FirstRow;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::action::{ActionError, Problems};
use crate::audit::{self, Change};
use crate::db::DbConnection;
use crate::db::ids::{EnrolmentId, SampleId, UserId};
use crate::db::schema::{iv_responses, samples};
use crate::identity;
use crate::portfolio::Enrolment;
use crate::signoff::plans::{Sample, samples_of};

/// The action points of a sample, one per line (list markers such as `-`, `*`, `•` or `1.` taken
/// off). Text with no line breaks is one action point.
pub fn action_points(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| {
            let line = line.trim();
            let without_number = line
                .split_once(['.', ')'])
                .filter(|(n, rest)| {
                    !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) && rest.starts_with(' ')
                })
                .map_or(line, |(_, rest)| rest);
            without_number
                .trim_start_matches(['-', '*', '•'])
                .trim()
                .to_owned()
        })
        .filter(|line| !line.is_empty())
        .collect()
}

/// An IV's disagreement the assessor has not answered yet.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SentBack {
    /// The sample that sent the decision back.
    #[schema(value_type = String)]
    pub sample_id: SampleId,
    /// The internal verifier's name.
    pub verifier: String,
    /// The internal verifier's user id.
    #[schema(value_type = String)]
    pub verifier_id: UserId,
    /// The date sampled.
    pub date_sampled: NaiveDate,
    /// The IV's feedback.
    pub feedback: String,
    /// The action points, one answer each.
    pub action_points: Vec<String>,
}

/// One action point and what the assessor did about it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct PointResponse {
    /// The IV's action point.
    pub point: String,
    /// What the assessor did about it.
    pub response: String,
}

/// The assessor's answer to a sample that sent their decision back.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IvResponse {
    /// The sample answered.
    #[schema(value_type = String)]
    pub sample_id: SampleId,
    /// The enrolment.
    #[schema(value_type = String)]
    pub enrolment_id: EnrolmentId,
    /// The assessor.
    #[schema(value_type = String)]
    pub assessor_id: UserId,
    /// The assessor's name.
    pub assessor: String,
    /// Each action point with its answer.
    pub responses: Vec<PointResponse>,
    /// When.
    #[serde(serialize_with = "crate::db::utc::serialize")]
    pub responded_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = iv_responses)]
struct ResponseRow {
    sample_id: SampleId,
    enrolment_id: EnrolmentId,
    assessor_id: UserId,
    responses: String,
    responded_at: NaiveDateTime,
}

/// The disagreement waiting for the assessor's answer: the latest summative sample, when it
/// disagreed and has no answer.
pub fn pending(
    conn: &mut DbConnection,
    enrolment_id: EnrolmentId,
) -> Result<Option<SentBack>, ActionError> {
    let Some(sample) = samples_of(conn, enrolment_id)?
        .into_iter()
        .find(|s| s.kind == "summative")
    else {
        return Ok(None);
    };
    if sample.decision != "disagree" {
        return Ok(None);
    }
    let answered = iv_responses::table
        .find(sample.id)
        .select(iv_responses::sample_id)
        .first_row::<SampleId, _>(conn)
        .optional()?
        .is_some();
    if answered {
        return Ok(None);
    }
    Ok(Some(sent_back(conn, sample)?))
}

/// Which of `enrolment_ids` have a disagreement waiting for the assessor's answer — those for
/// which [`pending`] finds one — in two selects however many there are (a list shows the flag on
/// every row): the samples' few columns, then which of the disagreements have an answer.
pub fn pending_among(
    conn: &mut DbConnection,
    enrolment_ids: &[EnrolmentId],
) -> Result<HashSet<EnrolmentId>, ActionError> {
    // The latest summative sample of each, as `pending` takes it from `samples_of`.
    let mut latest: HashMap<EnrolmentId, (SampleId, String)> = HashMap::new();
    for chunk in enrolment_ids.chunks(500) {
        let found: Vec<(EnrolmentId, SampleId, String, String)> = samples::table
            .filter(samples::enrolment_id.eq_any(chunk))
            .order(samples::created_at.desc())
            .select((
                samples::enrolment_id,
                samples::id,
                samples::kind,
                samples::decision,
            ))
            .load(conn)?;
        for (enrolment, sample, kind, decision) in found {
            if kind == "summative" {
                latest.entry(enrolment).or_insert((sample, decision));
            }
        }
    }
    let disagreed: HashMap<SampleId, EnrolmentId> = latest
        .into_iter()
        .filter(|(_, (_, decision))| decision == "disagree")
        .map(|(enrolment, (sample, _))| (sample, enrolment))
        .collect();
    let mut waiting: HashSet<EnrolmentId> = disagreed.values().copied().collect();
    let samples: Vec<SampleId> = disagreed.keys().copied().collect();
    for chunk in samples.chunks(500) {
        let answered: Vec<SampleId> = iv_responses::table
            .filter(iv_responses::sample_id.eq_any(chunk))
            .select(iv_responses::sample_id)
            .load(conn)?;
        for sample in answered {
            if let Some(enrolment) = disagreed.get(&sample) {
                waiting.remove(enrolment);
            }
        }
    }
    Ok(waiting)
}

fn sent_back(conn: &mut DbConnection, sample: Sample) -> Result<SentBack, ActionError> {
    Ok(SentBack {
        verifier: identity::load_user(conn, sample.iv_id)?.name,
        verifier_id: sample.iv_id,
        action_points: action_points(&sample.action_points),
        sample_id: sample.id,
        date_sampled: sample.date_sampled,
        feedback: sample.feedback,
    })
}

/// Records the assessor's answer to each action point of the pending disagreement (audited as
/// `iv.respond`). `responses` are in the order of the action points; each must say something.
pub fn respond(
    conn: &mut DbConnection,
    base: &str,
    enrolment: &Enrolment,
    assessor: UserId,
    responses: &[String],
    now: DateTime<Utc>,
) -> Result<IvResponse, ActionError> {
    let Some(open) = pending(conn, enrolment.id)? else {
        return Err(ActionError::Conflict(
            "no internal verifier's feedback is waiting for an answer".to_owned(),
        ));
    };
    let points = if open.action_points.is_empty() {
        vec![open.feedback.clone()]
    } else {
        open.action_points.clone()
    };
    let mut problems = Problems::default();
    let answers: Vec<PointResponse> = points
        .iter()
        .enumerate()
        .map(|(i, point)| {
            let response = responses.get(i).map_or("", |r| r.trim()).to_owned();
            if response.is_empty() {
                problems.add(
                    &format!("responses.{i}"),
                    format!("say what you did about \u{201c}{point}\u{201d}"),
                );
            }
            PointResponse {
                point: point.clone(),
                response,
            }
        })
        .collect();
    if responses.len() > points.len() {
        problems.add(
            "responses",
            format!(
                "give one answer for each of the {} action points",
                points.len()
            ),
        );
    }
    problems.finish()?;
    let row = ResponseRow {
        sample_id: open.sample_id,
        enrolment_id: enrolment.id,
        assessor_id: assessor,
        responses: crate::db::json::to_text(&answers)?,
        responded_at: now.naive_utc(),
    };
    diesel::insert_into(iv_responses::table)
        .values(&row)
        .execute(conn)?;
    let response = IvResponse {
        sample_id: row.sample_id,
        enrolment_id: row.enrolment_id,
        assessor: identity::load_user(conn, assessor)?.name,
        assessor_id: row.assessor_id,
        responses: answers,
        responded_at: row.responded_at,
    };
    audit::append(
        conn,
        Change {
            actor_id: Some(&assessor.to_string()),
            action: "iv.respond",
            entity: "enrolment",
            entity_id: &enrolment.id.to_string(),
            before: Some(serde_json::json!({
                "sample_id": open.sample_id,
                "feedback": open.feedback,
                "action_points": open.action_points,
            })),
            after: Some(crate::db::json::to_value(&response)?),
        },
    )?;
    crate::notify::events::iv_responded(conn, base, enrolment, open.verifier_id, now)?;
    Ok(response)
}

/// The assessor's answers on an enrolment, oldest first.
pub fn responses_of(
    conn: &mut DbConnection,
    enrolment_id: EnrolmentId,
) -> Result<Vec<IvResponse>, ActionError> {
    let rows: Vec<ResponseRow> = iv_responses::table
        .filter(iv_responses::enrolment_id.eq(enrolment_id))
        .order(iv_responses::responded_at.asc())
        .select(ResponseRow::as_select())
        .load(conn)?;
    rows.into_iter()
        .map(|row| {
            Ok(IvResponse {
                assessor: identity::load_user(conn, row.assessor_id)?.name,
                responses: crate::db::json::from_text(&row.responses)?,
                sample_id: row.sample_id,
                enrolment_id: row.enrolment_id,
                assessor_id: row.assessor_id,
                responded_at: row.responded_at,
            })
        })
        .collect()
}

/// The answer to one sample, if there is one.
pub fn response_to(
    conn: &mut DbConnection,
    sample_id: SampleId,
) -> Result<Option<IvResponse>, ActionError> {
    let enrolment_id: Option<EnrolmentId> = iv_responses::table
        .find(sample_id)
        .select(iv_responses::enrolment_id)
        .first_row(conn)
        .optional()?;
    Ok(match enrolment_id {
        Some(id) => responses_of(conn, id)?
            .into_iter()
            .find(|r| r.sample_id == sample_id),
        None => None,
    })
}

#[cfg(test)]
mod tests {
    use super::action_points;

    #[test]
    fn action_points_are_lines_without_their_markers() {
        assert_eq!(
            action_points(
                "1. Re-check the complaint call\n- Record the second enquiry\n\n• Sign the notes"
            ),
            vec![
                "Re-check the complaint call",
                "Record the second enquiry",
                "Sign the notes"
            ]
        );
        assert_eq!(action_points("One thing only"), vec!["One thing only"]);
        assert!(action_points("  \n ").is_empty());
        assert_eq!(action_points("3.5 hours logged"), vec!["3.5 hours logged"]);
    }
}
