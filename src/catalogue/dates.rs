//! The dates a standard version stops taking enrolments and assessments, and the warnings shown
//! as they come near.

use chrono::NaiveDate;

use crate::standards::Standard;

/// The last day a version takes new enrolments: its `last_date_for_enrolment`, else its
/// `last_date_for_assessment` (a version nobody may be assessed on takes no one new).
pub fn last_enrolment_day(standard: &Standard) -> Option<NaiveDate> {
    let dates = &standard.dates;
    dates
        .last_date_for_enrolment
        .as_ref()
        .or(dates.last_date_for_assessment.as_ref())
        .and_then(|d| d.latest())
}

/// The last day candidates may be assessed against a version (without an extension).
pub fn last_assessment_day(standard: &Standard) -> Option<NaiveDate> {
    standard
        .dates
        .last_date_for_assessment
        .as_ref()
        .and_then(|d| d.latest())
}

/// Whether a standard still takes new enrolments on `today` (not past its last date for
/// enrolment, or for assessment where it gives no enrolment date).
pub fn open_for_enrolment(standard: &Standard, today: NaiveDate) -> bool {
    last_enrolment_day(standard).is_none_or(|last| today <= last)
}

/// How many days ahead a coming last date is announced.
pub const WARN_DAYS: i64 = 90;

/// A last date of a standard version that is near or has passed.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct DateWarning {
    /// `last_date_for_enrolment` or `last_date_for_assessment`.
    pub field: String,
    /// The date (the last day it can mean, for a year or a month).
    pub date: NaiveDate,
    /// Days from today to the date; negative once it has passed.
    pub days_left: i64,
    /// The warning in plain words.
    pub message: String,
}

/// The warnings for `standard` on `today`: each last date within [`WARN_DAYS`] or passed.
pub fn date_warnings(standard: &Standard, today: NaiveDate) -> Vec<DateWarning> {
    let mut warnings = Vec::new();
    let enrol = standard
        .dates
        .last_date_for_enrolment
        .as_ref()
        .and_then(|d| d.latest());
    for (field, words, date) in [
        ("last_date_for_enrolment", "enrolment", enrol),
        (
            "last_date_for_assessment",
            "assessment",
            last_assessment_day(standard),
        ),
    ] {
        let Some(date) = date else { continue };
        let days_left = (date - today).num_days();
        if days_left > WARN_DAYS {
            continue;
        }
        let when = match days_left {
            d if d < 0 => format!("passed on {date}"),
            0 => format!("is today ({date})"),
            1 => format!("is tomorrow ({date})"),
            d => format!("is {date}, in {d} days"),
        };
        warnings.push(DateWarning {
            field: field.to_owned(),
            date,
            days_left,
            message: format!(
                "{} version {}: the last date for {words} {when}",
                standard.code, standard.version
            ),
        });
    }
    warnings
}
