//! Open Badges 3.0 `OpenBadgeCredential` for an achieved unit: a W3C Verifiable Credential 2.0
//! (JSON-LD) whose subject is the learner and whose achievement is the unit standard (framework,
//! code, version, level, credits), with the statement's verification URL as its evidence and the
//! portfolio hash the sign-off bound. Built unsigned; `credentials` signs it (VC-JOSE) and gives it
//! its place in the revocation status list (see `docs/credentials.md`).

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde_json::{Value, json};

use super::results::{UnitLevel, level_scheme_name};

/// The W3C Verifiable Credentials 2.0 context; first in `@context`.
pub const VC_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
/// The Open Badges 3.0 context; second in `@context`.
pub const OB_CONTEXT: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
/// The JSON Schema an `OpenBadgeCredential` declares in `credentialSchema`.
pub const OB_SCHEMA: &str =
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json";

/// Everything one badge says, as plain data.
#[derive(Clone, Debug)]
pub struct BadgeInput {
    /// The credential's own id: a URI, e.g. `urn:uuid:…` or a URL where it is served.
    pub credential_id: String,
    /// The organisation issuing it.
    pub issuer: BadgeIssuer,
    /// The learner it is about.
    pub learner: BadgeLearner,
    /// The unit achieved.
    pub unit: BadgeUnit,
    /// The day the learner met the unit's requirements.
    pub date_achieved: NaiveDate,
    /// When the badge is issued; the credential is valid from then.
    pub issued_at: DateTime<Utc>,
    /// The statement of achievement the badge rests on.
    pub statement: BadgeStatement,
    /// Where the badge's revocation bit is, when it has one.
    pub status: Option<BadgeStatus>,
}

/// A badge's entry in a W3C Bitstring Status List.
#[derive(Clone, Debug)]
pub struct BadgeStatus {
    /// The status list credential's URL.
    pub list_url: String,
    /// The badge's bit in it.
    pub index: u64,
}

/// The issuing organisation.
#[derive(Clone, Debug)]
pub struct BadgeIssuer {
    /// A URL (or other URI) identifying the organisation, e.g. its page on this Attest instance.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its home page, where known.
    pub url: Option<String>,
}

/// The learner.
#[derive(Clone, Debug)]
pub struct BadgeLearner {
    /// A URI for the learner: `mailto:…`, `urn:uuid:…` or a DID.
    pub id: String,
    /// Their name, carried as an unhashed `name` identity where given.
    pub name: Option<String>,
}

/// The unit standard version achieved.
#[derive(Clone, Debug)]
pub struct BadgeUnit {
    /// A URL (or other URI) for this standard version, e.g. its catalogue page.
    pub achievement_id: String,
    /// e.g. `NZQA`.
    pub framework: String,
    /// e.g. `28268`.
    pub code: String,
    /// The version achieved.
    pub version: u32,
    /// The title.
    pub title: String,
    /// The purpose or summary; a sentence is made from the title when absent.
    pub description: Option<String>,
    /// The level, where the standard has one.
    pub level: Option<UnitLevel>,
    /// The credit value, where the standard has one.
    pub credits: Option<f64>,
    /// The framework's official page for the standard; the alignment links to
    /// `achievement_id` when absent.
    pub official_url: Option<String>,
    /// What earning it takes, in Markdown; a sentence is made when absent.
    pub criteria_narrative: Option<String>,
}

/// The statement of achievement behind the badge.
#[derive(Clone, Debug)]
pub struct BadgeStatement {
    /// Where anyone can check the statement (http or https).
    pub verification_url: String,
    /// The statement's verification code.
    pub verification_code: String,
    /// SHA-256 of the portfolio snapshot the assessor's sign-off bound, when known.
    pub evidence_hash: Option<String>,
}

/// A badge input that would make an invalid credential.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("badge field {field}: {reason}")]
pub struct BadgeError {
    /// The input field, e.g. `issuer.id`.
    pub field: &'static str,
    /// What is wrong with it.
    pub reason: String,
}

/// Builds the unsigned `OpenBadgeCredential` for `input`.
pub fn open_badge_credential(input: &BadgeInput) -> Result<Value, BadgeError> {
    check(input)?;
    let unit = &input.unit;
    let label = format!("{} {} version {}", unit.framework, unit.code, unit.version);
    let description = unit.description.clone().unwrap_or_else(|| {
        let mut text = format!("{label}: {}.", unit.title);
        if let Some(level) = &unit.level {
            text.push_str(&format!(" {}.", level_words(level)));
        }
        if let Some(credits) = unit.credits {
            text.push_str(&format!(" {credits} credits."));
        }
        text
    });
    let narrative = unit.criteria_narrative.clone().unwrap_or_else(|| {
        format!(
            "Met every outcome and performance criterion of {label} ({}), as judged by an assessor \
             against the evidence requirements of the standard.",
            unit.title
        )
    });

    let mut alignment = json!({
        "type": ["Alignment"],
        "targetName": unit.title,
        "targetUrl": unit.official_url.as_deref().unwrap_or(&unit.achievement_id),
        "targetCode": unit.code,
        "targetFramework": unit.framework,
    });
    let mut tags = vec![unit.framework.clone(), "unit standard".to_owned()];
    if let Some(level) = &unit.level {
        alignment["targetDescription"] = json!(format!("{label}, {}", level_words(level)));
        tags.push(level_words(level));
    }

    let mut achievement = json!({
        "id": unit.achievement_id,
        "type": ["Achievement"],
        "achievementType": "Competency",
        "name": unit.title,
        "description": description,
        "criteria": { "narrative": narrative },
        "humanCode": unit.code,
        "version": unit.version.to_string(),
        "alignment": [alignment],
        "tag": tags,
    });
    if let Some(credits) = unit.credits {
        achievement["creditsAvailable"] = json!(credits);
    }
    let mut subject = json!({
        "id": input.learner.id,
        "type": ["AchievementSubject"],
        "activityEndDate": timestamp(input.date_achieved.and_time(chrono::NaiveTime::MIN).and_utc()),
        "achievement": achievement,
    });
    if let Some(credits) = unit.credits {
        subject["creditsEarned"] = json!(credits);
    }
    subject["result"] = json!([{ "type": ["Result"], "value": "Achieved", "status": "Completed" }]);
    if let Some(name) = &input.learner.name {
        subject["identifier"] = json!([{
            "type": "IdentityObject",
            "identityHash": name,
            "identityType": "name",
            "hashed": false,
        }]);
    }

    let mut issuer = json!({
        "id": input.issuer.id,
        "type": ["Profile"],
        "name": input.issuer.name,
    });
    if let Some(url) = &input.issuer.url {
        issuer["url"] = json!(url);
    }

    let issued = timestamp(input.issued_at);
    let code = &input.statement.verification_code;
    let mut evidence = json!({
        "id": input.statement.verification_url,
        "type": ["Evidence"],
        "name": format!("Statement of achievement {code}"),
        "description": format!(
            "The statement of achievement for {label}, verification code {code}. Open the link to check it."
        ),
        "genre": "Statement of achievement",
    });
    if let Some(hash) = &input.statement.evidence_hash {
        evidence["narrative"] = json!(format!(
            "The assessor signed off the portfolio whose SHA-256 snapshot hash is {hash}."
        ));
    }
    let mut credential = json!({
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": input.credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": format!("{}: {}", label, unit.title),
        "description": format!("{} achieved {label}.", input.learner.name.as_deref().unwrap_or("The learner")),
        "issuer": issuer,
        "validFrom": issued,
        "awardedDate": issued,
        "credentialSubject": subject,
        "evidence": [evidence],
        "credentialSchema": [{
            "id": OB_SCHEMA,
            "type": "1EdTechJsonSchemaValidator2019",
        }],
    });
    if let Some(status) = &input.status {
        credential["credentialStatus"] = json!({
            "id": format!("{}#{}", status.list_url, status.index),
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": status.index.to_string(),
            "statusListCredential": status.list_url,
        });
    }
    Ok(credential)
}

/// `2025-03-14T00:00:00Z`: the DateTimeZ form the spec requires.
fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// e.g. `NZQF level 3`.
fn level_words(level: &UnitLevel) -> String {
    format!("{} level {}", level_scheme_name(level.scheme), level.value)
}

fn check(input: &BadgeInput) -> Result<(), BadgeError> {
    let fail = |field: &'static str, reason: &str| {
        Err(BadgeError {
            field,
            reason: reason.to_owned(),
        })
    };
    let uris = [
        ("credential_id", input.credential_id.as_str()),
        ("issuer.id", input.issuer.id.as_str()),
        ("learner.id", input.learner.id.as_str()),
        ("unit.achievement_id", input.unit.achievement_id.as_str()),
    ];
    for (field, value) in uris {
        if !is_uri(value) {
            return fail(
                field,
                "must be a URI such as https://…, urn:uuid:… or mailto:…",
            );
        }
    }
    let urls = [
        (
            "statement.verification_url",
            Some(&input.statement.verification_url),
        ),
        ("issuer.url", input.issuer.url.as_ref()),
        ("unit.official_url", input.unit.official_url.as_ref()),
    ];
    for (field, value) in urls {
        if value.is_some_and(|url| !is_web_url(url)) {
            return fail(field, "must be an http:// or https:// URL");
        }
    }
    let texts = [
        ("issuer.name", input.issuer.name.as_str()),
        ("unit.framework", input.unit.framework.as_str()),
        ("unit.code", input.unit.code.as_str()),
        ("unit.title", input.unit.title.as_str()),
        (
            "statement.verification_code",
            input.statement.verification_code.as_str(),
        ),
    ];
    for (field, value) in texts {
        if value.trim().is_empty() {
            return fail(field, "is empty");
        }
    }
    if input
        .unit
        .credits
        .is_some_and(|c| !(c.is_finite() && c >= 0.0))
    {
        return fail("unit.credits", "must be a finite number, not negative");
    }
    Ok(())
}

/// A URI: a scheme (a letter, then letters, digits, `+ - .`), a colon, then something, no spaces.
fn is_uri(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn is_web_url(text: &str) -> bool {
    is_uri(text)
        && ["http://", "https://"].iter().any(|prefix| {
            text.get(..prefix.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
                && text.len() > prefix.len()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_need_a_scheme_and_no_spaces() {
        assert!(is_uri("urn:uuid:6f1f0c3e-8c1a-4c55-9d8e-1c1d2e3f4a5b"));
        assert!(is_uri("mailto:tane@example.org"));
        assert!(is_uri("did:example:123"));
        assert!(!is_uri("tane@example.org"));
        assert!(!is_uri("https://example.org/a b"));
        assert!(!is_uri("1http://x"));
        assert!(!is_uri("urn:"));
        assert!(is_web_url("https://attest.example/v/ABC"));
        assert!(!is_web_url("ftp://x"));
        assert!(!is_web_url("https://"));
    }
}
