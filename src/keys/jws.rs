//! Compact JWS (RFC 7515) signed with EdDSA: the VC-JOSE form of credentials and status lists, and
//! signed audit checkpoints. jsonwebtoken does the encoding; the claims are checked by the callers,
//! since a credential is not a session token (no `exp` is required).

use std::collections::HashSet;

use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::EncodePrivateKey;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::Value;

use super::{KeyError, PublicKey};

/// Signs `payload` as a compact JWS with header `typ` and `kid`.
pub fn sign(key: &SigningKey, kid: &str, typ: &str, payload: &Value) -> Result<String, KeyError> {
    let der = key
        .to_pkcs8_der()
        .map_err(|e| KeyError::Sign(e.to_string()))?;
    let mut header = Header::new(Algorithm::EdDSA);
    header.typ = Some(typ.to_owned());
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, payload, &EncodingKey::from_ed_der(der.as_bytes()))
        .map_err(|e| KeyError::Sign(e.to_string()))
}

/// Why a JWS did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwsError {
    /// Not a compact JWS at all.
    #[error("not a signed credential (compact JWS): {0}")]
    Malformed(String),
    /// Signed with a key not among those given.
    #[error("signed with a key that is not among the issuer's published keys ({0})")]
    UnknownKey(String),
    /// The signature does not match the content.
    #[error("the signature does not match the content: it has been altered")]
    Tampered,
}

/// The header's `kid` and the payload, unverified: to choose the key, and to show what was claimed.
pub fn peek(token: &str) -> Result<(String, Value), JwsError> {
    let header =
        jsonwebtoken::decode_header(token).map_err(|e| JwsError::Malformed(e.to_string()))?;
    let payload: Value = jsonwebtoken::dangerous::insecure_decode_claims(token)
        .map_err(|e| JwsError::Malformed(e.to_string()))?;
    Ok((header.kid.unwrap_or_default(), payload))
}

/// Verifies `token` against the key named by its `kid` (a key id, or a DID URL ending `#key id`)
/// among `keys`; returns that key's id and the payload.
pub fn verify(token: &str, keys: &[PublicKey]) -> Result<(String, Value), JwsError> {
    let (kid, _) = peek(token)?;
    let fragment = kid.rsplit('#').next().unwrap_or_default();
    let key = keys
        .iter()
        .find(|k| k.kid == fragment)
        .ok_or_else(|| JwsError::UnknownKey(kid.clone()))?;
    let decoding =
        DecodingKey::from_ed_components(&key.x).map_err(|e| JwsError::Malformed(e.to_string()))?;
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.required_spec_claims = HashSet::new();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    match jsonwebtoken::decode::<Value>(token, &decoding, &validation) {
        Ok(data) => Ok((key.kid.clone(), data.claims)),
        Err(e) => match e.kind() {
            jsonwebtoken::errors::ErrorKind::InvalidSignature => Err(JwsError::Tampered),
            // A changed byte in the payload may also break its JSON or base64.
            jsonwebtoken::errors::ErrorKind::Base64(_)
            | jsonwebtoken::errors::ErrorKind::Json(_)
            | jsonwebtoken::errors::ErrorKind::Utf8(_) => Err(JwsError::Tampered),
            _ => Err(JwsError::Malformed(e.to_string())),
        },
    }
}
