//! Checking a credential offline: the same code behind `attest verify-statement` and the `/verify`
//! upload. A credential arrives as a statement PDF (it is attached), as the JSON a candidate
//! downloads (an `EnvelopedVerifiableCredential`), or as the compact JWS itself.

use serde::Serialize;
use serde_json::Value;

use super::{MEDIA_TYPE, status};
use crate::keys::PublicKey;
use crate::keys::jws::{self, JwsError};
use crate::output::pdf::attachments;

/// The name of the credential attached to a statement PDF ends with this.
pub const ATTACHMENT_SUFFIX: &str = ".vc.jwt";

/// What a check found, most reassuring first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Signed by a published key of its issuer, unaltered, and not revoked (as far as the status
    /// list, when one was given, says).
    Valid,
    /// Genuine, but its issuer has revoked it.
    Revoked,
    /// Altered after signing.
    Tampered,
    /// Signed with a key that is not among the keys given.
    UnknownKey,
}

impl Verdict {
    /// The process exit code: 0 valid, 1 any other finding (2 is for unreadable input).
    pub fn exit_code(self) -> u8 {
        u8::from(self != Self::Valid)
    }
}

/// The outcome of checking one credential.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The finding.
    pub verdict: Verdict,
    /// A sentence for people.
    pub detail: String,
    /// What the credential claims (shown even when the signature fails, marked so by `verdict`).
    pub credential: Value,
    /// Whether a status list was consulted.
    pub status_checked: bool,
}

/// Why the input holds no credential to check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unreadable {
    /// A PDF with no credential attached.
    #[error("the PDF carries no signed credential (no attachment named *{ATTACHMENT_SUFFIX})")]
    NoAttachment,
    /// Not a PDF, not a credential.
    #[error("{0}")]
    Format(String),
}

/// The compact JWS in `bytes`: from a PDF's attachment, an enveloped credential, or the JWS text.
pub fn extract(bytes: &[u8]) -> Result<String, Unreadable> {
    if bytes.starts_with(b"%PDF-") {
        let files = attachments(bytes).map_err(|e| Unreadable::Format(e.to_string()))?;
        let (_, content) = files
            .into_iter()
            .find(|(name, _)| name.ends_with(ATTACHMENT_SUFFIX))
            .ok_or(Unreadable::NoAttachment)?;
        return text_of(&content);
    }
    let text = text_of(bytes)?;
    if text.starts_with('{') {
        let json: Value = serde_json::from_str(&text)
            .map_err(|e| Unreadable::Format(format!("not JSON: {e}")))?;
        let prefix = format!("data:{MEDIA_TYPE},");
        return json["id"]
            .as_str()
            .and_then(|id| id.strip_prefix(&prefix))
            .map(str::to_owned)
            .ok_or_else(|| {
                Unreadable::Format(format!(
                    "JSON, but not an EnvelopedVerifiableCredential whose id starts {prefix}"
                ))
            });
    }
    Ok(text)
}

fn text_of(bytes: &[u8]) -> Result<String, Unreadable> {
    std::str::from_utf8(bytes)
        .map(|t| t.trim().to_owned())
        .map_err(|_| Unreadable::Format("neither a PDF nor a credential (not UTF-8 text)".into()))
}

/// A status list to consult: its signed credential (compact JWS) and the keys it must verify with.
pub struct StatusList<'a> {
    /// The list as served.
    pub jws: &'a str,
}

/// Checks the credential `token` against `keys` (the issuer's published keys), and its revocation
/// bit against `list` when given. Reading a credential that is not a JWS is `Unreadable`.
pub fn check(
    token: &str,
    keys: &[PublicKey],
    list: Option<StatusList<'_>>,
) -> Result<Report, Unreadable> {
    let (_, claimed) = jws::peek(token).map_err(|e| Unreadable::Format(e.to_string()))?;
    let report = |verdict, detail: String, status_checked| Report {
        verdict,
        detail,
        credential: claimed.clone(),
        status_checked,
    };
    let credential = match jws::verify(token, keys) {
        Ok((_, credential)) => credential,
        Err(JwsError::UnknownKey(kid)) => {
            return Ok(report(
                Verdict::UnknownKey,
                format!("signed with {kid}, which is not among the issuer keys given"),
                false,
            ));
        }
        Err(JwsError::Tampered) => {
            return Ok(report(
                Verdict::Tampered,
                "the signature does not match the content: the credential has been altered".into(),
                false,
            ));
        }
        Err(e @ JwsError::Malformed(_)) => return Err(Unreadable::Format(e.to_string())),
    };
    let Some(list) = list else {
        return Ok(report(
            Verdict::Valid,
            "signed by the issuer and unaltered (revocation not checked: no status list given)"
                .into(),
            false,
        ));
    };
    let Some((url, index)) = status::entry_of(&credential) else {
        return Ok(report(
            Verdict::Valid,
            "signed by the issuer and unaltered; it has no revocation entry".into(),
            false,
        ));
    };
    let listed = match jws::verify(list.jws, keys) {
        Ok((_, listed)) => listed,
        Err(e) => {
            return Err(Unreadable::Format(format!(
                "the status list cannot be trusted: {e}"
            )));
        }
    };
    if listed["id"].as_str() != Some(url.as_str()) {
        return Err(Unreadable::Format(format!(
            "the status list given is {}, but the credential points at {url}",
            listed["id"]
        )));
    }
    let encoded = listed["credentialSubject"]["encodedList"]
        .as_str()
        .unwrap_or_default();
    match status::bit(encoded, index) {
        Some(true) => Ok(report(
            Verdict::Revoked,
            "genuine, but the issuer has revoked it".into(),
            true,
        )),
        Some(false) => Ok(report(
            Verdict::Valid,
            "signed by the issuer, unaltered, and not revoked".into(),
            true,
        )),
        None => Err(Unreadable::Format(format!(
            "the status list has no bit {index}"
        ))),
    }
}
