//! The report's measures: which mappings count ([`View`]), how far a requirement is met
//! ([`Status`]) and a fraction of requirements met ([`Progress`]).

use std::fmt;
use std::str::FromStr;

use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

/// Which mappings count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum View {
    /// Everything the candidate or assessor mapped, unless the assessor rejected it.
    Claimed,
    /// Only mappings the assessor accepted; the only view that can make a unit complete.
    Confirmed,
}

impl View {
    /// The view's name as written on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            View::Claimed => "claimed",
            View::Confirmed => "confirmed",
        }
    }
}

impl fmt::Display for View {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for View {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "claimed" => Ok(View::Claimed),
            "confirmed" => Ok(View::Confirmed),
            other => Err(format!(
                "unknown view `{other}`: expected `claimed` or `confirmed`"
            )),
        }
    }
}

/// How far a requirement is met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Fully met.
    Met,
    /// Some evidence, not yet enough.
    PartlyMet,
    /// No evidence yet.
    NotStarted,
}

impl Status {
    /// Plain words for people.
    pub fn as_words(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::PartlyMet => "partly met",
            Status::NotStarted => "not started",
        }
    }

    /// The status of a requirement needing `needed` of something when `have` are present.
    pub fn from_counts(have: u32, needed: u32) -> Status {
        if have >= needed {
            Status::Met
        } else if have == 0 {
            Status::NotStarted
        } else {
            Status::PartlyMet
        }
    }
}

/// A fraction of requirements met, e.g. for a progress bar. Read back from a report, its
/// `percent` is ignored: it is worked out from the other two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub struct Progress {
    /// Requirements met.
    pub met: u32,
    /// Requirements in total.
    pub total: u32,
}

impl Progress {
    /// `met / total` between 0 and 1 (1 when there is nothing to meet).
    pub fn fraction(self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            f64::from(self.met) / f64::from(self.total)
        }
    }

    /// Whole percent, rounded down so that 99.6% never shows as complete.
    pub fn percent(self) -> u32 {
        self.met
            .saturating_mul(100)
            .checked_div(self.total)
            .unwrap_or(100)
    }

    /// Counts one more requirement, met or not.
    pub fn add(&mut self, met: bool) {
        self.total += 1;
        self.met += u32::from(met);
    }
}

impl Serialize for Progress {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Progress", 3)?;
        s.serialize_field("met", &self.met)?;
        s.serialize_field("total", &self.total)?;
        s.serialize_field("percent", &self.percent())?;
        s.end()
    }
}
