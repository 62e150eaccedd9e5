//! Two-factor sign-in: time-based one-time codes (RFC 6238: HMAC-SHA1, 6 digits, 30 s steps, what
//! every authenticator app speaks) and single-use recovery codes.
//!
//! A code is accepted for the current step and one either side (clock drift), and only for a step
//! later than the last one used ([`check_code`] returns the step to store), so a code seen over a
//! shoulder cannot be replayed. Recovery codes are random (80 bits), shown once, and stored only
//! as SHA-256 hashes: their entropy, not the hash's cost, is what resists guessing.

use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Secret, TOTP};

/// The issuer an authenticator app shows beside the account.
pub const ISSUER: &str = "Attest";

/// Seconds per code.
pub const STEP: u64 = 30;

/// How many recovery codes an enrolment hands out.
pub const RECOVERY_CODES: usize = 10;

/// Bytes of a new shared secret (160 bits, RFC 4226's recommendation).
const SECRET_BYTES: usize = 20;

/// The secret could not be used (a stored one that is not what [`new_secret`] makes).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the two-factor secret is unusable: {0}")]
pub struct SecretError(String);

/// A fresh random shared secret, base32 (as authenticator apps take it when typed in).
pub fn new_secret() -> String {
    let bytes: [u8; SECRET_BYTES] = rand::random();
    base32_encode(&bytes)
}

fn totp(secret_base32: &str, account: &str) -> Result<TOTP, SecretError> {
    let bytes = base32_decode(secret_base32).ok_or_else(|| SecretError("not base32".into()))?;
    TOTP::new(
        Algorithm::SHA1,
        6,
        0,
        STEP,
        bytes,
        Some(ISSUER.to_owned()),
        account.to_owned(),
    )
    .map_err(|e| SecretError(e.to_string()))
}

/// The `otpauth://` URI an authenticator app scans (as a QR code) to add the account.
pub fn otpauth_uri(secret_base32: &str, account: &str) -> Result<String, SecretError> {
    Ok(totp(secret_base32, account)?.get_url())
}

/// The code for the step holding `unix_seconds` (for tests and the enrolment page's own check).
pub fn code_at(secret_base32: &str, unix_seconds: u64) -> Result<String, SecretError> {
    Ok(totp(secret_base32, "")?.generate(unix_seconds))
}

/// The step of a valid `code` at `unix_seconds` later than `last_step`, if any: the caller stores
/// it as the new last step.
pub fn check_code(
    secret_base32: &str,
    code: &str,
    unix_seconds: u64,
    last_step: u64,
) -> Result<Option<u64>, SecretError> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let generator = totp(secret_base32, "")?;
    let now = unix_seconds / STEP;
    for step in [now.saturating_sub(1), now, now + 1] {
        // `check` compares in constant time; with a skew of 0 it looks at exactly this step.
        if step > last_step && generator.check(&code, step * STEP) {
            return Ok(Some(step));
        }
    }
    Ok(None)
}

/// Fresh recovery codes, as shown to the person (`xxxx-xxxx-xxxx-xxxx`, base32 lowercase).
pub fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let bytes: [u8; 10] = rand::random();
            let text = base32_encode(&bytes).to_lowercase();
            text.as_bytes()
                .chunks(4)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect()
}

/// What is stored for a recovery code: the SHA-256 of its 16 characters, however it was typed
/// (case, dashes and spaces do not matter).
pub fn hash_recovery_code(code: &str) -> String {
    let folded: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    hex::encode(Sha256::digest(
        format!("attest-recovery\0{folded}").as_bytes(),
    ))
}

/// Whether the text looks like a recovery code rather than a six-digit code.
pub fn is_recovery_code(code: &str) -> bool {
    code.chars().filter(char::is_ascii_alphanumeric).count() == 16
}

/// RFC 4648 base32 without padding (the form otpauth URIs use).
fn base32_encode(bytes: &[u8]) -> String {
    Secret::Raw(bytes.to_vec()).to_encoded().to_string()
}

fn base32_decode(text: &str) -> Option<Vec<u8>> {
    Secret::Encoded(text.to_ascii_uppercase()).to_bytes().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 secret ("12345678901234567890"), base32.
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn codes_match_rfc_6238_test_vectors() {
        // Appendix B lists 8 digits; authenticator apps show the last 6.
        for (time, expected) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(code_at(RFC_SECRET, time).unwrap(), expected, "t={time}");
        }
    }

    #[test]
    fn a_code_is_good_for_its_step_and_one_either_side_and_never_twice() {
        let t = 1_234_567_890;
        let step = t / STEP;
        let code = code_at(RFC_SECRET, t).unwrap();
        assert_eq!(check_code(RFC_SECRET, &code, t, 0).unwrap(), Some(step));
        assert_eq!(
            check_code(RFC_SECRET, &code, t + STEP, 0).unwrap(),
            Some(step)
        );
        assert_eq!(
            check_code(RFC_SECRET, &code, t - STEP, 0).unwrap(),
            Some(step)
        );
        assert_eq!(
            check_code(RFC_SECRET, &code, t + 2 * STEP, 0).unwrap(),
            None
        );
        // Once its step is used, the same code (or an older one) is refused.
        assert_eq!(check_code(RFC_SECRET, &code, t, step).unwrap(), None);
        assert_eq!(
            check_code(RFC_SECRET, " 005 924 ", t, 0).unwrap(),
            Some(step)
        );
        for bad in ["", "00592", "0059245", "abcdef", "005925"] {
            assert_eq!(check_code(RFC_SECRET, bad, t, 0).unwrap(), None, "{bad:?}");
        }
    }

    #[test]
    fn new_secrets_are_random_160_bit_base32_and_make_an_otpauth_uri() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert_eq!(base32_decode(&a).unwrap().len(), SECRET_BYTES);
        let uri = otpauth_uri(&a, "mere@harbour.nz").unwrap();
        assert!(
            uri.starts_with("otpauth://totp/Attest:mere%40harbour.nz?"),
            "{uri}"
        );
        assert!(uri.contains(&format!("secret={a}")), "{uri}");
        assert!(uri.contains("issuer=Attest"), "{uri}");
    }

    #[test]
    fn base32_round_trips() {
        assert_eq!(base32_encode(b"12345678901234567890"), RFC_SECRET);
        assert_eq!(base32_encode(b"f"), "MY");
        assert_eq!(base32_decode("MY").unwrap(), b"f");
        assert_eq!(base32_decode("not base32!"), None);
    }

    #[test]
    fn recovery_codes_are_distinct_and_hash_the_same_however_typed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let unique: std::collections::BTreeSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), RECOVERY_CODES);
        let code = &codes[0];
        assert_eq!(code.len(), 19, "{code}");
        assert!(is_recovery_code(code) && !is_recovery_code("123456"));
        let typed = code.replace('-', " ").to_uppercase();
        assert_eq!(hash_recovery_code(code), hash_recovery_code(&typed));
        assert_ne!(hash_recovery_code(code), hash_recovery_code(&codes[1]));
        assert!(!hash_recovery_code(code).contains(&code.replace('-', "")));
    }
}
