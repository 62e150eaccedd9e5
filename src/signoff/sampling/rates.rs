//! Assessor risk ratings and the sampling rate each one sets.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How much the internal verifier trusts an assessor's decisions; it sets the sampling rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskRating {
    /// New to assessing (or to this qualification): everything is sampled by default.
    New,
    /// Experienced, with a record of sound decisions.
    Low,
    /// Some concerns or limited record.
    Medium,
    /// Decisions disagreed with before, or a changed standard.
    High,
}

impl RiskRating {
    /// Every rating.
    pub const ALL: [RiskRating; 4] = [
        RiskRating::New,
        RiskRating::Low,
        RiskRating::Medium,
        RiskRating::High,
    ];

    /// The stored name (`new`, `low`, `medium`, `high`).
    pub fn as_str(self) -> &'static str {
        match self {
            RiskRating::New => "new",
            RiskRating::Low => "low",
            RiskRating::Medium => "medium",
            RiskRating::High => "high",
        }
    }
}

impl fmt::Display for RiskRating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refused sampling rate.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RatesError {
    /// A rate outside 0–100 percent.
    #[error("the sampling rate for {risk} risk must be between 0 and 100 percent, not {percent}")]
    OutOfRange {
        /// The rating whose rate was refused.
        risk: RiskRating,
        /// The refused percentage.
        percent: u32,
    },
}

/// The percentage of an assessor's enrolments sampled, by risk rating; an organisation may override
/// any of them. Always within 0–100: [`SamplingRates::new`] and deserialization refuse others.
///
/// In JSON an override names only the rates it changes (`{"high": 60}`); the others keep their
/// defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RatesOverride")]
pub struct SamplingRates {
    new: u32,
    low: u32,
    medium: u32,
    high: u32,
}

impl Default for SamplingRates {
    /// New 100%, high 50%, medium 25%, low 10%: within the range awarding bodies' guidance gives
    /// (every portfolio of a new assessor; 35–10% for high risk by cohort size; 6–25% medium;
    /// about 10–15% for low risk).
    fn default() -> Self {
        SamplingRates {
            new: 100,
            low: 10,
            medium: 25,
            high: 50,
        }
    }
}

impl SamplingRates {
    /// Rates in percent, each checked to lie within 0–100.
    pub fn new(new: u32, low: u32, medium: u32, high: u32) -> Result<Self, RatesError> {
        SamplingRates::default()
            .with(RiskRating::New, new)?
            .with(RiskRating::Low, low)?
            .with(RiskRating::Medium, medium)?
            .with(RiskRating::High, high)
    }

    /// These rates with the one for `risk` replaced.
    pub fn with(mut self, risk: RiskRating, percent: u32) -> Result<Self, RatesError> {
        if percent > 100 {
            return Err(RatesError::OutOfRange { risk, percent });
        }
        *self.slot(risk) = percent;
        Ok(self)
    }

    /// The rate for `risk`, in percent.
    pub fn percent(&self, risk: RiskRating) -> u32 {
        match risk {
            RiskRating::New => self.new,
            RiskRating::Low => self.low,
            RiskRating::Medium => self.medium,
            RiskRating::High => self.high,
        }
    }

    /// How many of `pool` enrolments the rate for `risk` requires: ⌈rate × pool⌉, so any
    /// non-zero rate samples at least one of a non-empty pool.
    pub fn required(&self, risk: RiskRating, pool: usize) -> usize {
        let percent = self.percent(risk) as usize;
        (pool * percent).div_ceil(100)
    }

    fn slot(&mut self, risk: RiskRating) -> &mut u32 {
        match risk {
            RiskRating::New => &mut self.new,
            RiskRating::Low => &mut self.low,
            RiskRating::Medium => &mut self.medium,
            RiskRating::High => &mut self.high,
        }
    }
}

/// The JSON form: any subset of the rates.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RatesOverride {
    new: Option<u32>,
    low: Option<u32>,
    medium: Option<u32>,
    high: Option<u32>,
}

impl TryFrom<RatesOverride> for SamplingRates {
    type Error = RatesError;

    fn try_from(raw: RatesOverride) -> Result<Self, Self::Error> {
        let mut rates = SamplingRates::default();
        for (risk, percent) in [
            (RiskRating::New, raw.new),
            (RiskRating::Low, raw.low),
            (RiskRating::Medium, raw.medium),
            (RiskRating::High, raw.high),
        ] {
            if let Some(percent) = percent {
                rates = rates.with(risk, percent)?;
            }
        }
        Ok(rates)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_documented_strategy() {
        let rates = SamplingRates::default();
        let table: Vec<(RiskRating, u32)> = RiskRating::ALL
            .iter()
            .map(|&risk| (risk, rates.percent(risk)))
            .collect();
        assert_eq!(
            table,
            [
                (RiskRating::New, 100),
                (RiskRating::Low, 10),
                (RiskRating::Medium, 25),
                (RiskRating::High, 50)
            ]
        );
    }

    #[test]
    fn required_rounds_up() {
        let rates = SamplingRates::default();
        assert_eq!(rates.required(RiskRating::Low, 0), 0);
        assert_eq!(rates.required(RiskRating::Low, 1), 1);
        assert_eq!(rates.required(RiskRating::Low, 10), 1);
        assert_eq!(rates.required(RiskRating::Low, 11), 2);
        assert_eq!(rates.required(RiskRating::Medium, 9), 3);
        assert_eq!(rates.required(RiskRating::High, 7), 4);
        assert_eq!(rates.required(RiskRating::New, 7), 7);
        let none = SamplingRates::new(0, 0, 0, 0).unwrap();
        assert_eq!(none.required(RiskRating::New, 50), 0);
    }

    #[test]
    fn rates_outside_0_to_100_are_refused() {
        assert_eq!(
            SamplingRates::new(100, 10, 101, 50),
            Err(RatesError::OutOfRange {
                risk: RiskRating::Medium,
                percent: 101
            })
        );
        let error = SamplingRates::default()
            .with(RiskRating::High, 250)
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "the sampling rate for high risk must be between 0 and 100 percent, not 250"
        );
        assert!(SamplingRates::new(0, 100, 0, 100).is_ok());
    }

    #[test]
    fn an_override_changes_only_what_it_names() {
        let rates: SamplingRates = serde_json::from_str(r#"{"high": 60, "low": 15}"#).unwrap();
        assert_eq!(rates, SamplingRates::new(100, 15, 25, 60).unwrap());
        let refused = serde_json::from_str::<SamplingRates>(r#"{"new": 120}"#).unwrap_err();
        assert!(refused.to_string().contains("not 120"), "{refused}");
        let misspelt = serde_json::from_str::<SamplingRates>(r#"{"hihg": 60}"#).unwrap_err();
        assert!(misspelt.to_string().contains("hihg"), "{misspelt}");
        let back: SamplingRates =
            serde_json::from_value(serde_json::to_value(rates).unwrap()).unwrap();
        assert_eq!(back, rates);
    }
}
