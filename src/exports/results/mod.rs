//! The results query: an organisation's unit results as [`ResultRow`]s, read from the database a
//! page at a time (keyset pagination on the enrolment id), so an export of any length holds one
//! page in memory.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::action::{ActionError, Problems};
use crate::auth::policy::EnrolmentStatus;
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::{CohortId, EnrolmentId, ExportBatchId, Id, OrgId};
use crate::db::schema::{enrolments, export_batches, reported_results, samples, statements, users};
use crate::output::formats::results::{
    LearnerNumber, LearnerNumberScheme, ResultRow, ResultsFormat, UnitLevel, UnitResult,
};
use crate::portfolio::Enrolment;
use crate::portfolio::cohorts::{find_cohort, split_standard};

/// Enrolments read per query.
pub const PAGE_SIZE: i64 = 500;

/// Statuses whose unit decision says the candidate achieved the unit.
const ACHIEVED: [EnrolmentStatus; 3] = [
    EnrolmentStatus::Assessed,
    EnrolmentStatus::Sampled,
    EnrolmentStatus::Certified,
];

/// What to export, as typed on the command line or sent in a query string or form: every field is
/// text so a bad value is reported against its name.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ResultsQuery {
    /// `csv` (default), `json` or `nzqa`.
    #[serde(default)]
    pub format: Option<String>,
    /// A cohort of the organisation, by id or name.
    #[serde(default)]
    pub cohort: Option<String>,
    /// `CODE` or `CODE@VERSION`.
    #[serde(default)]
    pub standard: Option<String>,
    /// Earliest date achieved, `YYYY-MM-DD`.
    #[serde(default)]
    pub from: Option<String>,
    /// Latest date achieved, `YYYY-MM-DD`.
    #[serde(default)]
    pub to: Option<String>,
    /// `true` to include results already reported in a batch that was not reversed.
    #[serde(default)]
    pub include_reported: Option<String>,
}

/// A checked [`ResultsQuery`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultsFilter {
    /// The organisation.
    pub org_id: OrgId,
    /// The file format.
    #[serde(with = "format_text")]
    pub format: ResultsFormat,
    /// Only this cohort (id).
    pub cohort_id: Option<CohortId>,
    /// Only this standard code.
    pub standard_code: Option<String>,
    /// Only this version of it.
    pub standard_version: Option<i32>,
    /// Achieved on or after.
    pub from: Option<NaiveDate>,
    /// Achieved on or before.
    pub to: Option<NaiveDate>,
    /// Include results already reported.
    pub include_reported: bool,
}

mod format_text {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::output::formats::results::ResultsFormat;

    pub fn serialize<S: Serializer>(format: &ResultsFormat, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ResultsFormat, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

fn non_empty(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

fn parse_date(problems: &mut Problems, field: &str, text: Option<&str>) -> Option<NaiveDate> {
    let text = text?;
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(date) => Some(date),
        Err(_) => {
            problems.add(field, "write the date as YYYY-MM-DD");
            None
        }
    }
}

impl ResultsQuery {
    /// Checks every field, naming each bad one; looks the cohort up in the organisation.
    pub fn check(
        &self,
        conn: &mut DbConnection,
        catalogue: &Catalogue,
        org_id: OrgId,
    ) -> Result<ResultsFilter, ActionError> {
        let mut problems = Problems::default();
        let format = match non_empty(&self.format) {
            None => ResultsFormat::Csv,
            Some(text) => text.parse().unwrap_or_else(|reason: String| {
                problems.add("format", reason);
                ResultsFormat::Csv
            }),
        };
        let cohort_id = match non_empty(&self.cohort) {
            None => None,
            Some(text) => match find_cohort(conn, org_id, text) {
                Ok(cohort) => Some(cohort.id),
                Err(ActionError::NotFound) => {
                    problems.add("cohort", "no such cohort in this organisation");
                    None
                }
                Err(other) => return Err(other),
            },
        };
        let (standard_code, standard_version) = match non_empty(&self.standard) {
            None => (None, None),
            Some(text) => match split_standard(text) {
                None => {
                    problems.add("standard", "write CODE or CODE@VERSION, e.g. 28268@2");
                    (None, None)
                }
                Some((code, version)) => match catalogue.find_in(org_id.uuid(), &code) {
                    // The catalogue's spelling of the code is the one enrolments store.
                    Some(loaded) => (
                        Some(loaded.standard.code.clone()),
                        version.map(|v| i32::try_from(v).unwrap_or(i32::MAX)),
                    ),
                    None => {
                        problems.add("standard", format!("no standard {code} in the catalogue"));
                        (None, None)
                    }
                },
            },
        };
        let from = parse_date(&mut problems, "from", non_empty(&self.from));
        let to = parse_date(&mut problems, "to", non_empty(&self.to));
        if let (Some(from), Some(to)) = (from, to) {
            if to < from {
                problems.add("to", "is before from");
            }
        }
        let include_reported = match non_empty(&self.include_reported) {
            None | Some("false") | Some("0") | Some("no") | Some("off") => false,
            Some("true") | Some("1") | Some("yes") | Some("on") => true,
            Some(_) => {
                problems.add("include_reported", "must be true or false");
                false
            }
        };
        problems.finish()?;
        Ok(ResultsFilter {
            org_id,
            format,
            cohort_id,
            standard_code,
            standard_version,
            from,
            to,
            include_reported,
        })
    }
}

/// Which enrolments to read.
#[derive(Debug, Clone)]
pub enum Selection<'a> {
    /// Those that match a filter.
    Filter(&'a ResultsFilter),
    /// Those recorded in one batch, as they stand now (to download a recorded batch again).
    Batch(ExportBatchId),
}

fn start_of(date: NaiveDate) -> NaiveDateTime {
    date.and_time(chrono::NaiveTime::MIN)
}

/// One page of enrolments after `after`, in id order.
fn page(
    conn: &mut DbConnection,
    selection: &Selection<'_>,
    after: Option<&str>,
) -> QueryResult<Vec<Enrolment>> {
    let mut query = enrolments::table.into_boxed();
    match selection {
        Selection::Batch(batch_id) => {
            query = query.filter(
                enrolments::id.eq_any(
                    reported_results::table
                        .filter(reported_results::batch_id.eq(*batch_id))
                        .select(reported_results::enrolment_id),
                ),
            );
        }
        Selection::Filter(filter) => {
            query = query.filter(enrolments::org_id.eq(filter.org_id));
            if filter.from.is_some() || filter.to.is_some() {
                // A date range is on the date achieved: only achieved results have one.
                query = query.filter(enrolments::status.eq_any(ACHIEVED));
            } else {
                query = query.filter(
                    enrolments::status
                        .eq_any(ACHIEVED)
                        .or(enrolments::status.eq(EnrolmentStatus::Withdrawn)),
                );
            }
            if let Some(from) = filter.from {
                query = query.filter(enrolments::submitted_at.ge(start_of(from)));
            }
            if let Some(to) = filter.to.and_then(|d| d.succ_opt()) {
                query = query.filter(enrolments::submitted_at.lt(start_of(to)));
            }
            if let Some(cohort) = filter.cohort_id {
                query = query.filter(enrolments::cohort_id.eq(cohort));
            }
            if let Some(code) = &filter.standard_code {
                query = query.filter(enrolments::standard_code.eq(code.clone()));
            }
            if let Some(version) = filter.standard_version {
                query = query.filter(enrolments::standard_version.eq(version));
            }
            if !filter.include_reported {
                // Results reported before the ledger kept what it reported cannot be compared
                // with their result now, so they stay out; the others are compared page by page
                // (`ledger::against_ledger`). Correlated, so each enrolment is one index lookup.
                query = query.filter(diesel::dsl::not(diesel::dsl::exists(
                    reported_results::table
                        .inner_join(export_batches::table)
                        .filter(reported_results::enrolment_id.eq(enrolments::id))
                        .filter(reported_results::result.is_null())
                        .filter(export_batches::reversed_at.is_null()),
                )));
            }
        }
    }
    if let Some(after) = after {
        query = query.filter(enrolments::id.gt(after.to_owned()));
    }
    query
        .order(enrolments::id.asc())
        .limit(PAGE_SIZE)
        .select(Enrolment::as_select())
        .load(conn)
}

/// Names and learner numbers of the people a page mentions.
fn people(
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
fn sampled(
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
struct Statements {
    /// The valid statement's verification code, per enrolment that has one.
    codes: HashMap<String, String>,
    /// Enrolments whose statement was revoked and not issued again: not achieved until it is.
    revoked: HashSet<String>,
}

fn statements_of(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Statements> {
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

fn iv_names(
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

/// Reads every result of `selection`, a page at a time, and hands each page to `on_page` with the
/// connection (to record the page in the ledger, or write it out). Rows come in enrolment id
/// order, each with its enrolment id.
pub fn for_each_page<E>(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    selection: &Selection<'_>,
    mut on_page: impl FnMut(&mut DbConnection, Vec<(EnrolmentId, ResultRow)>) -> Result<(), E>,
) -> Result<(), E>
where
    E: From<diesel::result::Error>,
{
    let mut after: Option<String> = None;
    loop {
        let enrolled = page(conn, selection, after.as_deref())?;
        let Some(last) = enrolled.last() else {
            return Ok(());
        };
        after = Some(last.id.to_string());
        let full = enrolled.len() as i64 == PAGE_SIZE;
        let ids: Vec<String> = enrolled.iter().map(|e| e.id.to_string()).collect();
        let people = people(conn, &enrolled)?;
        let sampled = sampled(conn, &ids)?;
        let ivs = iv_names(conn, &sampled)?;
        let statements = statements_of(conn, &ids)?;
        let rows = enrolled
            .into_iter()
            .map(|e| {
                let row = result_row(catalogue, &e, &people, &sampled, &ivs, &statements);
                (e.id, row)
            })
            .collect();
        on_page(conn, rows)?;
        if !full {
            return Ok(());
        }
    }
}

fn result_row(
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
