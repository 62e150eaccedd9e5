//! Stored timestamps are naive UTC (one portable schema); on the wire they carry their offset, so
//! every `date-time` in the API is RFC 3339 as its OpenAPI format promises (`2024-05-06T09:30:00Z`).

use chrono::{NaiveDateTime, SecondsFormat};
use serde::Serializer;

/// Serialises a stored UTC timestamp with its `Z`.
pub fn serialize<S: Serializer>(at: &NaiveDateTime, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&at.and_utc().to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

/// [`serialize`] for an optional timestamp.
pub fn serialize_option<S: Serializer>(
    at: &Option<NaiveDateTime>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => serialize(at, serializer),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_carry_their_offset() {
        #[derive(serde::Serialize)]
        struct At {
            #[serde(serialize_with = "super::serialize")]
            at: chrono::NaiveDateTime,
            #[serde(serialize_with = "super::serialize_option")]
            none: Option<chrono::NaiveDateTime>,
        }
        let at = chrono::NaiveDate::from_ymd_opt(2024, 5, 6)
            .and_then(|d| d.and_hms_micro_opt(9, 30, 0, 250))
            .unwrap();
        let json = serde_json::to_value(At { at, none: None }).unwrap();
        assert_eq!(json["at"], "2024-05-06T09:30:00.000250Z");
        assert!(json["none"].is_null());
    }
}
