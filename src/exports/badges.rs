//! Open Badges for an organisation's achieved units: one `OpenBadgeCredential` per achieved result
//! that has a valid statement (the badge points to the statement's verification URL).

use chrono::{DateTime, Utc};

use super::ExportFailure;
use super::results::{ResultsFilter, Selection, for_each_page};
use crate::action::ActionError;
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::output::export::badges::{
    BadgeInput, BadgeIssuer, BadgeLearner, BadgeStatement, BadgeUnit, open_badge_credential,
};
use crate::output::export::results::UnitResult;

/// The organisation issuing badges, and the address verification links are built on.
#[derive(Debug, Clone)]
pub struct Issuer<'a> {
    /// The organisation's id.
    pub org_id: &'a str,
    /// Its name.
    pub name: &'a str,
    /// The public base URL of this Attest instance, without a trailing slash.
    pub public_url: &'a str,
}

/// Builds a credential for every achieved result `filter` selects that has a valid statement, and
/// hands each to `on_badge` with a file name (`<verification code>.json`). The ledger does not
/// apply: badges are the learner's, not a report. Returns how many were made.
pub fn for_each_badge(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    issuer: &Issuer<'_>,
    filter: &ResultsFilter,
    now: DateTime<Utc>,
    mut on_badge: impl FnMut(String, serde_json::Value) -> Result<(), ExportFailure>,
) -> Result<u64, ExportFailure> {
    let filter = ResultsFilter {
        include_reported: true,
        ..filter.clone()
    };
    let base = issuer.public_url.trim_end_matches('/');
    let mut made = 0;
    for_each_page(
        conn,
        catalogue,
        &Selection::Filter(&filter),
        |_, rows| -> Result<(), ExportFailure> {
            for (enrolment_id, row) in rows {
                let (UnitResult::Achieved, Some(date), Some(code)) =
                    (row.result, row.date_achieved, row.verification_code.clone())
                else {
                    continue;
                };
                let input = BadgeInput {
                    credential_id: format!("urn:uuid:{}", uuid::Uuid::new_v4()),
                    issuer: BadgeIssuer {
                        id: format!("{base}/orgs/{}", issuer.org_id),
                        name: issuer.name.to_owned(),
                        url: None,
                    },
                    learner: BadgeLearner {
                        id: format!("urn:uuid:{}", row.candidate_id),
                        name: Some(row.candidate_name.clone()),
                    },
                    unit: BadgeUnit {
                        achievement_id: format!(
                            "{base}/api/standards/{}/{}",
                            urlencode(&row.standard_code),
                            row.standard_version
                        ),
                        framework: row.framework.clone(),
                        code: row.standard_code.clone(),
                        version: row.standard_version,
                        title: row.standard_title.clone(),
                        description: None,
                        level: row.level,
                        credits: row.credits,
                        official_url: None,
                        criteria_narrative: None,
                    },
                    date_achieved: date,
                    issued_at: now,
                    statement: BadgeStatement {
                        verification_url: format!("{base}/verify/{code}"),
                        verification_code: code.clone(),
                    },
                };
                let credential = open_badge_credential(&input).map_err(|e| {
                    ActionError::Conflict(format!("badge for enrolment {enrolment_id}: {e}"))
                })?;
                on_badge(format!("{code}.json"), credential)?;
                made += 1;
            }
            Ok(())
        },
    )?;
    Ok(made)
}

/// Percent-encodes a path segment (standard codes may hold spaces, e.g. `H12H 04`).
fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}
