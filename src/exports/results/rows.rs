//! One page of enrolments made into result rows: the people, samples and statements they name.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::schema::{samples, statements, users};
use crate::output::formats::results::{
    LearnerNumber, LearnerNumberScheme, ResultRow, UnitLevel, UnitResult,
};
use crate::portfolio::Enrolment;

use super::ACHIEVED;

/// Names and learner numbers of the people a page mentions.
pub(super) fn people(
    conn: &mut DbConnection,
    page: &[Enrolment],
) -> QueryResult<HashMap<String, (String, Option<String>)>> {
    let mut ids: Vec<String> = page
        .iter()
        .flat_map(|e| {
            [
                Some(e.candidate_id.to_string()),
                e.decided_by.map(|id| id.to_string()),
                e.assessor_id.map(|id| id.to_string()),
            ]
        })
        .flatten()
        .collect();
    ids.sort();
    ids.dedup();
    let rows: Vec<(String, String, Option<String>)> = users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::name, users::national_learner_number))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, number)| (id, (name, number)))
        .collect())
}

/// The latest summative sample that agreed with each decision: who sampled it, and when.
pub(super) fn sampled(
    conn: &mut DbConnection,
    ids: &[String],
) -> QueryResult<HashMap<String, (String, NaiveDate)>> {
    let rows: Vec<(String, String, NaiveDate)> = samples::table
        .filter(samples::enrolment_id.eq_any(ids))
        .filter(samples::kind.eq("summative"))
        .filter(samples::decision.eq("agree"))
        .order((samples::date_sampled.asc(), samples::created_at.asc()))
        .select((samples::enrolment_id, samples::iv_id, samples::date_sampled))
        .load(conn)?;
    let mut latest = HashMap::new();
    for (enrolment, iv, date) in rows {
        latest.insert(enrolment, (iv, date));
    }
    Ok(latest)
}

/// The statements of a page of enrolments.
#[derive(Default)]
pub(super) struct Statements {
    /// The valid statement's verification code, per enrolment that has one.
    codes: HashMap<String, String>,
    /// Enrolments whose statement was revoked and not issued again: not achieved until it is.
    revoked: HashSet<String>,
}

pub(super) fn statements_of(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Statements> {
    let rows: Vec<(String, String, Option<NaiveDateTime>)> = statements::table
        .filter(statements::enrolment_id.eq_any(ids))
        .order(statements::issued_at.asc())
        .select((
            statements::enrolment_id,
            statements::code,
            statements::revoked_at,
        ))
        .load(conn)?;
    let mut found = Statements::default();
    for (enrolment, code, revoked_at) in rows {
        if revoked_at.is_some() {
            found.revoked.insert(enrolment);
        } else {
            found.codes.insert(enrolment, code);
        }
    }
    found
        .revoked
        .retain(|enrolment| !found.codes.contains_key(enrolment));
    Ok(found)
}

pub(super) fn iv_names(
    conn: &mut DbConnection,
    sampled: &HashMap<String, (String, NaiveDate)>,
) -> QueryResult<HashMap<String, String>> {
    let ids: Vec<&String> = sampled.values().map(|(iv, _)| iv).collect();
    let rows: Vec<(String, String)> = users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::name))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

pub(super) fn result_row(
    catalogue: &Catalogue,
    enrolment: &Enrolment,
    people: &HashMap<String, (String, Option<String>)>,
    sampled: &HashMap<String, (String, NaiveDate)>,
    ivs: &HashMap<String, String>,
    statements: &Statements,
) -> ResultRow {
    let version = u32::try_from(enrolment.standard_version).unwrap_or(0);
    let standard = catalogue
        .get(&enrolment.standard_code, version)
        .map(|l| &l.standard);
    let framework = standard.map(|s| s.framework.clone()).unwrap_or_default();
    // The maps below are keyed by the ids as the export's queries read them: text.
    let enrolment_id = enrolment.id.to_string();
    let (candidate_name, number) = people
        .get(&enrolment.candidate_id.to_string())
        .cloned()
        .unwrap_or_default();
    let scheme = if framework.eq_ignore_ascii_case("NZQA") {
        LearnerNumberScheme::Nsn
    } else {
        LearnerNumberScheme::Scn
    };
    let achieved =
        ACHIEVED.contains(&enrolment.status) && !statements.revoked.contains(&enrolment_id);
    let date_achieved = achieved.then(|| enrolment.date_achieved()).flatten();
    let assessor = enrolment
        .decided_by
        .or(enrolment.assessor_id)
        .map(|id| id.to_string());
    let sample = sampled.get(&enrolment_id);
    ResultRow {
        candidate_id: enrolment.candidate_id.to_string(),
        candidate_name,
        learner_number: number.map(|value| LearnerNumber { scheme, value }),
        framework,
        standard_code: enrolment.standard_code.clone(),
        standard_version: version,
        standard_title: standard.map(|s| s.title.clone()).unwrap_or_default(),
        level: standard.and_then(|s| s.level.as_ref()).map(|l| UnitLevel {
            scheme: l.scheme,
            value: l.value,
        }),
        credits: standard.and_then(|s| s.credits.as_ref()).map(|c| c.value),
        result: if achieved && date_achieved.is_some() {
            UnitResult::Achieved
        } else {
            UnitResult::NotYetAchieved
        },
        date_achieved: if achieved { date_achieved } else { None },
        assessor_name: assessor
            .and_then(|id| people.get(&id))
            .map(|(name, _)| name.clone())
            .unwrap_or_default(),
        iv_name: sample.and_then(|(iv, _)| ivs.get(iv).cloned()),
        date_sampled: sample.map(|(_, date)| *date),
        verification_code: statements.codes.get(&enrolment_id).cloned(),
        correction_of: None,
    }
}
