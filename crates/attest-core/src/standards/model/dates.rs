//! Lifecycle dates, each a [`PartialDate`] known to a year, a month or a day.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Lifecycle dates. Sources often give only a year or a month, so each is a [`PartialDate`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Dates {
    /// When this version was registered (took effect) with its awarding body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered: Option<PartialDate>,
    /// When the standard (this version) was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<PartialDate>,
    /// When the standard was approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved: Option<PartialDate>,
    /// When the standard is planned to be reviewed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned_review: Option<PartialDate>,
    /// The last day on which candidates may be enrolled on this version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_date_for_enrolment: Option<PartialDate>,
    /// The last day on which candidates may be assessed against this version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_date_for_assessment: Option<PartialDate>,
}

impl Dates {
    /// Whether no date is known.
    pub fn is_empty(&self) -> bool {
        self.registered.is_none()
            && self.published.is_none()
            && self.approved.is_none()
            && self.last_date_for_enrolment.is_none()
            && self.planned_review.is_none()
            && self.last_date_for_assessment.is_none()
    }
}

/// A date known to a year (`2026`), a month (`2005-09`) or a day (`2027-12-31`).
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(transparent)]
pub struct PartialDate(
    #[schemars(regex(pattern = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"))] pub String,
);

impl PartialDate {
    /// The first day the date can mean (`2005-09` → 1 September 2005), if the text is a valid date.
    pub fn earliest(&self) -> Option<chrono::NaiveDate> {
        let (year, month, day) = self.parts()?;
        chrono::NaiveDate::from_ymd_opt(year, month.unwrap_or(1), day.unwrap_or(1))
    }

    /// The last day the date can mean (`2026` → 31 December 2026), if the text is a valid date.
    pub fn latest(&self) -> Option<chrono::NaiveDate> {
        let (year, month, day) = self.parts()?;
        match (month, day) {
            (Some(month), Some(day)) => chrono::NaiveDate::from_ymd_opt(year, month, day),
            (Some(month), None) => {
                let (next_year, next_month) = if month == 12 {
                    (year + 1, 1)
                } else {
                    (year, month + 1)
                };
                chrono::NaiveDate::from_ymd_opt(next_year, next_month, 1)?.pred_opt()
            }
            _ => chrono::NaiveDate::from_ymd_opt(year, 12, 31),
        }
    }

    fn parts(&self) -> Option<(i32, Option<u32>, Option<u32>)> {
        let mut parts = self.0.split('-');
        let year = parse_digits(parts.next()?, 4)?;
        let month = match parts.next() {
            Some(text) => Some(parse_digits(text, 2)?),
            None => None,
        };
        let day = match parts.next() {
            Some(text) => Some(parse_digits(text, 2)?),
            None => None,
        };
        if parts.next().is_some() {
            return None;
        }
        let year = i32::try_from(year).ok()?;
        // Check the calendar (month 13, 30 February) before reporting the parts as a date.
        chrono::NaiveDate::from_ymd_opt(year, month.unwrap_or(1), day.unwrap_or(1))?;
        Some((year, month, day))
    }
}

fn parse_digits(text: &str, len: usize) -> Option<u32> {
    if text.len() == len && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::PartialDate;
    use chrono::NaiveDate;

    fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn a_partial_date_spans_its_year_month_or_day() {
        let year = PartialDate("2026".into());
        assert_eq!(year.earliest(), date(2026, 1, 1));
        assert_eq!(year.latest(), date(2026, 12, 31));
        let month = PartialDate("2024-02".into());
        assert_eq!(month.earliest(), date(2024, 2, 1));
        assert_eq!(month.latest(), date(2024, 2, 29));
        let december = PartialDate("2005-12".into());
        assert_eq!(december.latest(), date(2005, 12, 31));
        let day = PartialDate("2027-12-31".into());
        assert_eq!(day.earliest(), day.latest());
    }

    #[test]
    fn text_that_is_not_a_date_has_no_span() {
        for text in [
            "",
            "26",
            "2026-13",
            "2023-02-29",
            "2026-1",
            "2026-01-01-01",
            "September 2005",
        ] {
            assert_eq!(PartialDate(text.into()).earliest(), None, "{text}");
        }
    }
}
