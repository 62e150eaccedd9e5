//! Session tokens: JWT signed with HS256, issued at login and checked on every request.
//!
//! A token is valid when its signature, algorithm, issuer, audience and expiry check out here
//! *and* its `gen` equals the user's current token generation in the database (the caller's
//! check, see [`Claims::is_current`]): logging out or deactivating a user bumps the generation,
//! which invalidates every token issued before.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, TimeDelta, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The `iss` claim of every token Attest issues and accepts.
pub const ISSUER: &str = "attest";

/// The `aud` claim of every token Attest issues and accepts.
pub const AUDIENCE: &str = "attest";

/// How long a token lives unless the configuration says otherwise.
pub const DEFAULT_TTL: TimeDelta = TimeDelta::hours(8);

/// The longest lifetime (`exp - iat`) issued or accepted: a token that leaked, or one minted with
/// a stolen secret for year 9999, stops working within a day whatever its `exp` says.
pub const MAX_TTL: TimeDelta = TimeDelta::hours(24);

/// How far in the future an `iat` may lie: clocks of several instances differ by this much at most.
pub const CLOCK_SKEW: TimeDelta = TimeDelta::seconds(60);

/// The only algorithm issued and accepted; any other `alg` in a header is refused.
const ALGORITHM: Algorithm = Algorithm::HS256;

/// What a token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user's id.
    pub sub: Uuid,
    /// The user's token generation when the token was issued (the `gen` claim; `gen` is a
    /// reserved word in Rust 2024).
    #[serde(rename = "gen")]
    pub generation: i64,
    /// Issued at, in seconds since the Unix epoch.
    pub iat: i64,
    /// Expires at, in seconds since the Unix epoch; the token is refused from this second on.
    pub exp: i64,
    /// Always [`ISSUER`].
    pub iss: String,
    /// Always [`AUDIENCE`].
    pub aud: String,
}

impl Claims {
    /// Whether the token is still current for a user whose generation is now `generation`.
    pub fn is_current(&self, generation: i64) -> bool {
        self.generation == generation
    }

    /// When the token expires.
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        DateTime::from_timestamp(self.exp, 0)
    }
}

/// Why a token was not issued or not accepted. Every refusal is a 401 to the client; the
/// variants exist for logs and tests.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// The signing secret is too short to resist guessing.
    #[error("the token secret must be at least {min} bytes long")]
    WeakSecret {
        /// [`TokenKeys::MIN_SECRET_LEN`].
        min: usize,
    },
    /// The lifetime is not positive or the expiry is out of range.
    #[error("the token lifetime must be positive and within range")]
    BadLifetime,
    /// Signing failed.
    #[error("the token could not be signed: {0}")]
    Signing(String),
    /// The token's `exp` has passed.
    #[error("the token has expired")]
    Expired,
    /// The token claims a lifetime longer than [`MAX_TTL`].
    #[error("the token's lifetime is longer than allowed")]
    TooLong,
    /// The token says it was issued later than now (beyond [`CLOCK_SKEW`]).
    #[error("the token was issued in the future")]
    IssuedInFuture,
    /// The signature does not match the content.
    #[error("the token's signature is invalid")]
    BadSignature,
    /// The header names another algorithm than HS256.
    #[error("the token uses an algorithm that is not accepted")]
    WrongAlgorithm,
    /// The `iss` claim is not [`ISSUER`].
    #[error("the token has the wrong issuer")]
    WrongIssuer,
    /// The `aud` claim is not [`AUDIENCE`].
    #[error("the token has the wrong audience")]
    WrongAudience,
    /// Not a JWT, unreadable parts, or missing or mistyped claims.
    #[error("the token is malformed")]
    Malformed,
}

/// How many checked tokens [`TokenKeys`] remembers (about 300 bytes each) before it starts over.
const REMEMBERED: usize = 1024;

/// The signing and verification keys, made once at start from the configured secret.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// Tokens whose signature and claims were checked, by their text. A client sends the same
    /// token with every request, and checking its signature and parsing its claims twice over
    /// (the library reads them once to validate, once to decode) was a sixth of a progress
    /// read. What is remembered does not change with time; expiry and issue time are compared
    /// with `now` on every use, and the user's generation by the caller, so a remembered token
    /// is refused exactly when a fresh check would refuse it. Emptied when full.
    checked: Mutex<HashMap<Box<str>, Claims>>,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret.
        f.write_str("TokenKeys { .. }")
    }
}

impl TokenKeys {
    /// The shortest secret accepted: 32 bytes, the output size of SHA-256.
    pub const MIN_SECRET_LEN: usize = 32;

    /// Keys for the HS256 secret. Refuses secrets shorter than [`Self::MIN_SECRET_LEN`].
    pub fn new(secret: &[u8]) -> Result<Self, TokenError> {
        if secret.len() < Self::MIN_SECRET_LEN {
            return Err(TokenError::WeakSecret {
                min: Self::MIN_SECRET_LEN,
            });
        }
        Ok(Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation: validation(),
            checked: Mutex::new(HashMap::new()),
        })
    }

    /// Issues a token for the user at their current generation, valid from `now` for `ttl`.
    /// Returns the token and its expiry (whole seconds, as in the token).
    pub fn issue(
        &self,
        user_id: Uuid,
        generation: i64,
        now: DateTime<Utc>,
        ttl: TimeDelta,
    ) -> Result<(String, DateTime<Utc>), TokenError> {
        if ttl <= TimeDelta::zero() || ttl > MAX_TTL {
            return Err(TokenError::BadLifetime);
        }
        let iat = now.timestamp();
        let exp = iat
            .checked_add(ttl.num_seconds())
            .ok_or(TokenError::BadLifetime)?;
        let expires_at = DateTime::from_timestamp(exp, 0).ok_or(TokenError::BadLifetime)?;
        let claims = Claims {
            sub: user_id,
            generation,
            iat,
            exp,
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
        };
        let token = jsonwebtoken::encode(&Header::new(ALGORITHM), &claims, &self.encoding)
            .map_err(|error| TokenError::Signing(error.to_string()))?;
        Ok((token, expires_at))
    }

    /// Checks the token's algorithm, signature, issuer, audience, expiry, issue time (no later than
    /// `now` plus [`CLOCK_SKEW`]) and lifetime (at most [`MAX_TTL`]) at `now`, and
    /// returns its claims. The caller still compares `gen` with the user's generation.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, TokenError> {
        let claims = match self.remembered(token) {
            Some(claims) => claims,
            None => self.check(token)?,
        };
        if now.timestamp() >= claims.exp {
            return Err(TokenError::Expired);
        }
        if claims.iat > now.timestamp() + CLOCK_SKEW.num_seconds() {
            return Err(TokenError::IssuedInFuture);
        }
        if claims.exp.saturating_sub(claims.iat) > MAX_TTL.num_seconds() {
            return Err(TokenError::TooLong);
        }
        Ok(claims)
    }

    /// The claims of a token checked before.
    fn remembered(&self, token: &str) -> Option<Claims> {
        let checked = self.checked.lock().unwrap_or_else(PoisonError::into_inner);
        checked.get(token).cloned()
    }

    /// Checks what of a token does not depend on the time (algorithm, signature, issuer,
    /// audience, claims) and remembers it when it passes.
    fn check(&self, token: &str) -> Result<Claims, TokenError> {
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|error| classify(error.kind()))?
            .claims;
        let mut checked = self.checked.lock().unwrap_or_else(PoisonError::into_inner);
        if checked.len() >= REMEMBERED {
            checked.clear();
        }
        checked.insert(token.into(), claims.clone());
        Ok(claims)
    }
}

/// HS256 only; issuer, audience, subject and expiry required. The library's own expiry check
/// reads the system clock, so it is off and [`TokenKeys::verify`] compares `exp` with `now`.
fn validation() -> Validation {
    let mut validation = Validation::new(ALGORITHM);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    validation.validate_exp = false;
    validation.leeway = 0;
    validation
}

fn classify(kind: &ErrorKind) -> TokenError {
    match kind {
        ErrorKind::InvalidSignature => TokenError::BadSignature,
        ErrorKind::InvalidAlgorithm
        | ErrorKind::InvalidAlgorithmName
        | ErrorKind::MissingAlgorithm
        | ErrorKind::UnsupportedAlgorithm => TokenError::WrongAlgorithm,
        ErrorKind::InvalidIssuer => TokenError::WrongIssuer,
        ErrorKind::InvalidAudience => TokenError::WrongAudience,
        ErrorKind::ExpiredSignature => TokenError::Expired,
        // The library's kinds are non-exhaustive; anything else means an unreadable token.
        _ => TokenError::Malformed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
    const USER: Uuid = Uuid::from_u128(0x1234);

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 14, 9, 30, 0).unwrap()
    }

    fn keys() -> TokenKeys {
        TokenKeys::new(SECRET).unwrap()
    }

    fn claims() -> Claims {
        Claims {
            sub: USER,
            generation: 3,
            iat: now().timestamp(),
            exp: (now() + TimeDelta::hours(1)).timestamp(),
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
        }
    }

    /// Signs any serialisable claims with any header, to build the tokens an attacker could.
    fn sign(header: &Header, claims: &impl Serialize, secret: &[u8]) -> String {
        jsonwebtoken::encode(header, claims, &EncodingKey::from_secret(secret)).unwrap()
    }

    /// Unpadded base64url, to write headers the library would refuse to produce.
    fn base64url(bytes: &[u8]) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let word = chunk.iter().enumerate().fold(0u32, |acc, (i, byte)| {
                acc | u32::from(*byte) << (16 - 8 * i)
            });
            for i in 0..=chunk.len() {
                out.push(char::from(ALPHABET[(word >> (18 - 6 * i) & 63) as usize]));
            }
        }
        out
    }

    fn with_header(token: &str, header_json: &str) -> String {
        let (_, rest) = token.split_once('.').unwrap();
        format!("{}.{rest}", base64url(header_json.as_bytes()))
    }

    #[test]
    fn the_test_encoder_is_base64url() {
        assert_eq!(base64url(b"{\"alg\":\"none\"}"), "eyJhbGciOiJub25lIn0");
        assert_eq!(base64url(b"\xfb\xff"), "-_8");
    }

    #[test]
    fn a_token_issued_now_verifies_with_its_claims() {
        let (token, expires_at) = keys().issue(USER, 3, now(), TimeDelta::hours(8)).unwrap();
        assert_eq!(expires_at, now() + TimeDelta::hours(8));
        let claims = keys().verify(&token, now()).unwrap();
        assert_eq!(claims.sub, USER);
        assert_eq!(claims.generation, 3);
        assert_eq!(claims.iat, now().timestamp());
        assert_eq!(claims.expires_at(), Some(expires_at));
        assert_eq!(
            (claims.iss.as_str(), claims.aud.as_str()),
            ("attest", "attest")
        );
    }

    #[test]
    fn a_token_expires_at_its_exp_second() {
        let (token, expires_at) = keys().issue(USER, 3, now(), TimeDelta::hours(1)).unwrap();
        let just_before = expires_at - TimeDelta::seconds(1);
        assert!(keys().verify(&token, just_before).is_ok());
        assert_eq!(keys().verify(&token, expires_at), Err(TokenError::Expired));
        assert_eq!(
            keys().verify(&token, expires_at + TimeDelta::days(9)),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn a_remembered_token_is_refused_exactly_when_a_fresh_check_would_be() {
        let keys = keys();
        let (token, expires_at) = keys.issue(USER, 3, now(), TimeDelta::hours(1)).unwrap();
        let first = keys.verify(&token, now()).unwrap();
        // The second check of the same keys finds the token remembered.
        assert_eq!(keys.verify(&token, now()), Ok(first));
        assert_eq!(keys.verify(&token, expires_at), Err(TokenError::Expired));
        let before_issue = now() - CLOCK_SKEW - TimeDelta::seconds(1);
        assert_eq!(
            keys.verify(&token, before_issue),
            Err(TokenError::IssuedInFuture)
        );
        // A refused token is never remembered: it is refused again, for the same reason.
        let forged = sign(&Header::new(Algorithm::HS256), &claims(), &[7; 32]);
        for _ in 0..2 {
            assert_eq!(keys.verify(&forged, now()), Err(TokenError::BadSignature));
        }
    }

    #[test]
    fn remembering_is_bounded_and_starts_over_when_full() {
        let keys = keys();
        for generation in 0..=REMEMBERED as i64 {
            let (token, _) = keys
                .issue(USER, generation, now(), TimeDelta::hours(1))
                .unwrap();
            assert_eq!(keys.verify(&token, now()).unwrap().generation, generation);
        }
        let remembered = keys.checked.lock().unwrap().len();
        assert!((1..=REMEMBERED).contains(&remembered), "{remembered}");
    }

    #[test]
    fn a_token_signed_with_another_secret_is_refused() {
        let forged = sign(
            &Header::new(Algorithm::HS256),
            &claims(),
            b"another secret, also 32 bytes long",
        );
        assert_eq!(keys().verify(&forged, now()), Err(TokenError::BadSignature));
    }

    #[test]
    fn a_token_whose_payload_was_changed_is_refused() {
        let (token, _) = keys().issue(USER, 3, now(), TimeDelta::hours(1)).unwrap();
        let mut parts: Vec<&str> = token.split('.').collect();
        let mut raised = claims();
        raised.generation = 4;
        let payload = base64url(serde_json::to_string(&raised).unwrap().as_bytes());
        parts[1] = &payload;
        assert_eq!(
            keys().verify(&parts.join("."), now()),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn alg_none_is_refused_with_or_without_a_signature() {
        let (token, _) = keys().issue(USER, 3, now(), TimeDelta::hours(1)).unwrap();
        // The control: the same swap with the genuine header still verifies.
        let control = with_header(&token, r#"{"typ":"JWT","alg":"HS256"}"#);
        assert!(keys().verify(&control, now()).is_ok());

        for alg in ["none", "None", "NONE"] {
            let unsigned = with_header(&token, &format!(r#"{{"typ":"JWT","alg":"{alg}"}}"#));
            let (without_signature, _) = unsigned.rsplit_once('.').unwrap();
            for candidate in [unsigned.clone(), format!("{without_signature}.")] {
                assert_eq!(
                    keys().verify(&candidate, now()),
                    Err(TokenError::Malformed),
                    "{candidate}"
                );
            }
        }
    }

    #[test]
    fn other_algorithms_are_refused_even_with_the_right_secret() {
        for alg in [Algorithm::HS384, Algorithm::HS512] {
            let token = sign(&Header::new(alg), &claims(), SECRET);
            assert_eq!(
                keys().verify(&token, now()),
                Err(TokenError::WrongAlgorithm),
                "{alg:?}"
            );
        }
        let (token, _) = keys().issue(USER, 3, now(), TimeDelta::hours(1)).unwrap();
        let confused = with_header(&token, r#"{"typ":"JWT","alg":"RS256"}"#);
        assert_eq!(
            keys().verify(&confused, now()),
            Err(TokenError::WrongAlgorithm)
        );
    }

    #[test]
    fn the_wrong_audience_is_refused() {
        let mut wrong = claims();
        wrong.aud = "someone-else".to_owned();
        let token = sign(&Header::new(Algorithm::HS256), &wrong, SECRET);
        assert_eq!(keys().verify(&token, now()), Err(TokenError::WrongAudience));
    }

    #[test]
    fn the_wrong_issuer_is_refused() {
        let mut wrong = claims();
        wrong.iss = "someone-else".to_owned();
        let token = sign(&Header::new(Algorithm::HS256), &wrong, SECRET);
        assert_eq!(keys().verify(&token, now()), Err(TokenError::WrongIssuer));
    }

    #[test]
    fn a_token_missing_a_claim_is_refused() {
        let full = serde_json::to_value(claims()).unwrap();
        for missing in ["sub", "gen", "exp", "iss", "aud", "iat"] {
            let mut partial = full.clone();
            partial.as_object_mut().unwrap().remove(missing);
            let token = sign(&Header::new(Algorithm::HS256), &partial, SECRET);
            assert_eq!(
                keys().verify(&token, now()),
                Err(TokenError::Malformed),
                "without {missing}"
            );
        }
    }

    #[test]
    fn garbage_is_refused() {
        for garbage in [
            "",
            "abc",
            "a.b",
            "a.b.c",
            "...",
            "Bearer x.y.z",
            "\u{0}\u{1}",
        ] {
            assert_eq!(
                keys().verify(garbage, now()),
                Err(TokenError::Malformed),
                "{garbage:?}"
            );
        }
    }

    #[test]
    fn a_short_secret_is_refused() {
        assert_eq!(
            TokenKeys::new(&SECRET[..31]).unwrap_err(),
            TokenError::WeakSecret { min: 32 }
        );
        assert!(TokenKeys::new(b"").is_err());
    }

    #[test]
    fn a_lifetime_must_be_positive() {
        for ttl in [TimeDelta::zero(), TimeDelta::seconds(-1)] {
            assert_eq!(
                keys().issue(USER, 3, now(), ttl).unwrap_err(),
                TokenError::BadLifetime
            );
        }
        assert_eq!(
            keys().issue(USER, 3, now(), TimeDelta::MAX).unwrap_err(),
            TokenError::BadLifetime
        );
        assert_eq!(
            keys()
                .issue(USER, 3, now(), MAX_TTL + TimeDelta::seconds(1))
                .unwrap_err(),
            TokenError::BadLifetime
        );
        assert!(keys().issue(USER, 3, now(), MAX_TTL).is_ok());
    }

    #[test]
    fn a_lifetime_beyond_the_cap_is_refused_whatever_exp_says() {
        let mut forever = claims();
        forever.exp = 253_402_300_799; // 9999-12-31T23:59:59Z
        let token = sign(&Header::new(Algorithm::HS256), &forever, SECRET);
        assert_eq!(keys().verify(&token, now()), Err(TokenError::TooLong));
        let mut longest = claims();
        longest.exp = longest.iat + MAX_TTL.num_seconds();
        let token = sign(&Header::new(Algorithm::HS256), &longest, SECRET);
        assert!(keys().verify(&token, now()).is_ok());
    }

    #[test]
    fn an_issue_time_in_the_future_is_refused_beyond_the_skew() {
        let at = |ahead: i64| {
            let mut early = claims();
            early.iat = now().timestamp() + ahead;
            early.exp = early.iat + 3_600;
            sign(&Header::new(Algorithm::HS256), &early, SECRET)
        };
        assert!(keys().verify(&at(CLOCK_SKEW.num_seconds()), now()).is_ok());
        assert_eq!(
            keys().verify(&at(CLOCK_SKEW.num_seconds() + 1), now()),
            Err(TokenError::IssuedInFuture)
        );
        assert_eq!(
            keys().verify(&at(86_400 * 365), now()),
            Err(TokenError::IssuedInFuture)
        );
    }

    #[test]
    fn generation_decides_whether_a_token_is_current() {
        let (token, _) = keys().issue(USER, 3, now(), TimeDelta::hours(1)).unwrap();
        let claims = keys().verify(&token, now()).unwrap();
        assert!(claims.is_current(3));
        assert!(
            !claims.is_current(4),
            "after logout the generation is bumped"
        );
    }

    #[test]
    fn debug_output_hides_the_secret() {
        assert_eq!(format!("{:?}", keys()), "TokenKeys { .. }");
    }
}
