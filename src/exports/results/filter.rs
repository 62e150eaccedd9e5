//! What to export: the query as typed or sent, and the checked filter it becomes.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::action::{ActionError, Problems};
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::{CohortId, Id, OrgId};
use crate::output::formats::results::ResultsFormat;
use crate::portfolio::cohorts::{find_cohort, split_standard};

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
