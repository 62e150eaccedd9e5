//! Password hashing (argon2id), verification, and the rules a new password must pass.
//!
//! Hashes are PHC strings (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`): they carry their own
//! parameters, so raising [`PARAMS`] later still verifies old hashes, and [`needs_rehash`] tells
//! the login code when to store a fresh one.

use argon2::password_hash::{self, PasswordHasher, PasswordVerifier, phc::PasswordHash};
use argon2::{Algorithm, Argon2, Params, Version};

/// The fewest characters (Unicode scalar values, not bytes) a new password may have.
pub const MIN_LENGTH: usize = 10;

/// The most characters a new password may have; bounds the work a hostile request can cause.
pub const MAX_LENGTH: usize = 256;

/// The argon2id cost used for new hashes: the crate's defaults (19 MiB, 2 passes, 1 lane),
/// which are OWASP's minimum recommendation for argon2id.
pub const PARAMS: Params = Params::DEFAULT;

/// Common passwords of at least [`MIN_LENGTH`] characters, lowercased, sorted, one a line.
///
/// Generated from Django 5.2.19 (PyPI), `django/contrib/auth/common-passwords.txt.gz` (Royce
/// Williams' list of 20,000 common passwords), keeping the lines of at least 10 characters:
/// shorter ones are already refused by length. `docs/auth.md` has the command.
const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

/// A hash of a random password nobody knows, made with [`PARAMS`]; verified against when the
/// email is unknown so that the answer takes as long as for a known account.
pub(crate) const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$weSMaCXr4+oA8AHu1jmsxg$7pBHbFrUX7jtfugPLB4P3RncP0RjBJ6yRTqfJsG4Q+M";

/// Why a new password is refused; the messages are meant for the person choosing it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    /// Fewer than [`MIN_LENGTH`] characters.
    #[error("the password must have at least {min} characters")]
    TooShort {
        /// The minimum, [`MIN_LENGTH`].
        min: usize,
    },
    /// More than [`MAX_LENGTH`] characters.
    #[error("the password must have at most {max} characters")]
    TooLong {
        /// The maximum, [`MAX_LENGTH`].
        max: usize,
    },
    /// Nothing but spaces (or other whitespace), however many.
    #[error("the password must not be only spaces")]
    Blank,
    /// On the built-in list of common passwords (compared case-insensitively).
    #[error("the password is too common; choose one that is harder to guess")]
    Common,
    /// The same as the account's email address, the part before its `@`, or the person's name.
    #[error("the password must not be your email address or your name")]
    Personal,
}

/// Hashing or verification could not run (not a wrong password: that is `Ok(false)`).
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// The stored hash is not a PHC string this module can read.
    #[error("the stored password hash is malformed: {0}")]
    MalformedHash(String),
    /// argon2 failed (for example the system random generator for the salt).
    #[error("password hashing failed: {0}")]
    Hashing(password_hash::Error),
}

/// Checks a new password against the rules: length, the common-password list, and the
/// account's own email and name.
pub fn validate_new_password(
    password: &str,
    email: &str,
    name: &str,
) -> Result<(), PasswordProblem> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(PasswordProblem::TooShort { min: MIN_LENGTH });
    }
    if length > MAX_LENGTH {
        return Err(PasswordProblem::TooLong { max: MAX_LENGTH });
    }
    if password.trim().is_empty() {
        return Err(PasswordProblem::Blank);
    }
    let folded = fold(password);
    if is_common(&folded) {
        return Err(PasswordProblem::Common);
    }
    if personal_words(email, name).any(|word| word == folded) {
        return Err(PasswordProblem::Personal);
    }
    Ok(())
}

/// Hashes a password with argon2id and a fresh random salt; returns the PHC string to store.
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    hasher()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(PasswordError::Hashing)
}

/// Whether `password` matches the stored PHC string. `Ok(false)` for a wrong password.
pub fn verify_password(password: &str, stored: &str) -> Result<bool, PasswordError> {
    let hash = PasswordHash::new(stored)
        .map_err(|error| PasswordError::MalformedHash(error.to_string()))?;
    if hash.salt.is_none() || hash.hash.is_none() {
        return Err(PasswordError::MalformedHash(
            "no salt or no hash".to_owned(),
        ));
    }
    match hasher().verify_password(password.as_bytes(), &hash) {
        Ok(()) => Ok(true),
        Err(password_hash::Error::PasswordInvalid) => Ok(false),
        Err(other) => Err(PasswordError::Hashing(other)),
    }
}

/// Does the work of one [`verify_password`] against a hash nobody can match.
///
/// Call it when the email is unknown, then answer exactly as for a wrong password: the
/// response then takes as long whether or not the account exists.
pub fn dummy_verify(password: &str) {
    // The outcome is always "no match"; black_box keeps the work from being optimised away.
    let outcome = verify_password(std::hint::black_box(password), DUMMY_HASH);
    std::hint::black_box(outcome.ok());
}

/// Whether a stored hash was made with other settings than today's (older algorithm, version
/// or cost): after a successful login, store [`hash_password`] of the same password.
pub fn needs_rehash(stored: &str) -> bool {
    let Ok(hash) = PasswordHash::new(stored) else {
        return true;
    };
    let same_algorithm = hash.algorithm.as_str() == Algorithm::Argon2id.as_str();
    let same_version = hash.version == Some(Version::V0x13.into());
    let same_params = Params::try_from(&hash).is_ok_and(|params| same_cost(&params, &PARAMS));
    !(same_algorithm && same_version && same_params)
}

/// Memory, passes and lanes: what the work of one verification depends on.
fn same_cost(a: &Params, b: &Params) -> bool {
    (a.m_cost(), a.t_cost(), a.p_cost()) == (b.m_cost(), b.t_cost(), b.p_cost())
}

fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, PARAMS)
}

/// Case-folds and trims, so "Basketball " and "basketball" compare equal.
fn fold(text: &str) -> String {
    text.trim().to_lowercase()
}

fn is_common(folded: &str) -> bool {
    COMMON_PASSWORDS.lines().any(|line| line == folded)
}

/// The email, its local part, the name, and the name without spaces, case-folded.
fn personal_words(email: &str, name: &str) -> impl Iterator<Item = String> {
    let email = fold(email);
    let local_part = email.split('@').next().unwrap_or_default().to_owned();
    let name = fold(name);
    let name_joined: String = name.split_whitespace().collect();
    [email, local_part, name, name_joined]
        .into_iter()
        .filter(|word| !word.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMAIL: &str = "Aroha.Ngata@example.org";
    const NAME: &str = "Aroha Ngata";

    #[test]
    fn accepts_a_long_uncommon_password() {
        assert_eq!(
            validate_new_password("violet kettle 42 ferns", EMAIL, NAME),
            Ok(())
        );
    }

    #[test]
    fn refuses_fewer_than_ten_characters_counting_characters_not_bytes() {
        let too_short = PasswordProblem::TooShort { min: MIN_LENGTH };
        assert_eq!(
            validate_new_password("k3tTle#9q", EMAIL, NAME),
            Err(too_short.clone())
        );
        // nine characters, eighteen bytes
        assert_eq!(
            validate_new_password("ōōōōōōōōō", EMAIL, NAME),
            Err(too_short)
        );
        assert_eq!(validate_new_password("ōōōōōōōōōō", EMAIL, NAME), Ok(()));
        assert_eq!(validate_new_password("k3tTle#9qZ", EMAIL, NAME), Ok(()));
    }

    #[test]
    fn refuses_a_password_of_only_spaces() {
        for blank in [" ".repeat(10), " ".repeat(40), "\t \u{a0}\n".repeat(4)] {
            assert_eq!(
                validate_new_password(&blank, EMAIL, NAME),
                Err(PasswordProblem::Blank),
                "{blank:?}"
            );
        }
        // Spaces inside a password are fine.
        assert_eq!(
            validate_new_password("  violet kettle  ", EMAIL, NAME),
            Ok(())
        );
    }

    #[test]
    fn refuses_more_than_the_maximum() {
        let long = "x".repeat(MAX_LENGTH) + "y";
        assert_eq!(
            validate_new_password(&long, EMAIL, NAME),
            Err(PasswordProblem::TooLong { max: MAX_LENGTH })
        );
        assert_eq!(validate_new_password(&long[1..], EMAIL, NAME), Ok(()));
    }

    #[test]
    fn refuses_common_passwords_whatever_their_case() {
        for common in [
            "basketball",
            "BasketBall",
            "1234567890",
            "qwertyuiop",
            "Password12",
        ] {
            assert_eq!(
                validate_new_password(common, EMAIL, NAME),
                Err(PasswordProblem::Common),
                "{common}"
            );
        }
    }

    #[test]
    fn refuses_the_email_its_local_part_and_the_name() {
        for personal in [
            "aroha.ngata@example.org",
            "AROHA.NGATA@EXAMPLE.ORG",
            "aroha.ngata",
            "Aroha Ngata",
            "arohangata",
            " aroha ngata ",
        ] {
            assert_eq!(
                validate_new_password(personal, EMAIL, NAME),
                Err(PasswordProblem::Personal),
                "{personal}"
            );
        }
    }

    #[test]
    fn an_empty_name_refuses_nothing_extra() {
        assert_eq!(
            validate_new_password("violet kettle 42 ferns", "", ""),
            Ok(())
        );
    }

    #[test]
    fn the_common_list_is_usable_as_shipped() {
        let lines: Vec<&str> = COMMON_PASSWORDS.lines().collect();
        assert!(lines.len() > 1_500, "only {} entries", lines.len());
        for line in &lines {
            assert!(
                line.chars().count() >= MIN_LENGTH,
                "{line:?} is shorter than the minimum"
            );
            assert_eq!(*line, line.to_lowercase(), "{line:?} is not lowercase");
            assert_eq!(*line, line.trim(), "{line:?} has surrounding spaces");
        }
        assert!(
            lines.windows(2).all(|pair| pair[0] < pair[1]),
            "not sorted and unique"
        );
    }

    #[test]
    fn a_hash_verifies_its_password_and_no_other() {
        let stored = hash_password("violet kettle 42 ferns").unwrap();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(verify_password("violet kettle 42 ferns", &stored).unwrap());
        assert!(!verify_password("violet kettle 42 fern", &stored).unwrap());
        assert!(!verify_password("", &stored).unwrap());
    }

    #[test]
    fn each_hash_has_its_own_salt() {
        let first = hash_password("violet kettle 42 ferns").unwrap();
        let second = hash_password("violet kettle 42 ferns").unwrap();
        assert_ne!(first, second);
    }

    #[test]
    fn a_malformed_stored_hash_is_an_error_not_a_mismatch() {
        for stored in ["", "plaintext", "$argon2id$v=19$m=19456"] {
            assert!(
                matches!(
                    verify_password("anything at all", stored),
                    Err(PasswordError::MalformedHash(_))
                ),
                "{stored:?}"
            );
        }
    }

    #[test]
    fn the_dummy_hash_costs_what_a_real_one_costs() {
        // Same algorithm, version and parameters means the same work per verification.
        assert!(!needs_rehash(DUMMY_HASH));
        let hash = PasswordHash::new(DUMMY_HASH).unwrap();
        assert!(same_cost(&Params::try_from(&hash).unwrap(), &PARAMS));
        assert!(!verify_password("violet kettle 42 ferns", DUMMY_HASH).unwrap());
    }

    #[test]
    fn old_settings_need_a_rehash_and_current_ones_do_not() {
        let current = hash_password("violet kettle 42 ferns").unwrap();
        assert!(!needs_rehash(&current));

        let weak = Params::new(1024, 1, 1, None).unwrap();
        let old = Argon2::new(Algorithm::Argon2id, Version::V0x13, weak)
            .hash_password(b"violet kettle 42 ferns")
            .unwrap()
            .to_string();
        assert!(needs_rehash(&old));
        assert!(verify_password("violet kettle 42 ferns", &old).unwrap());

        let argon2i = Argon2::new(Algorithm::Argon2i, Version::V0x13, PARAMS)
            .hash_password(b"violet kettle 42 ferns")
            .unwrap()
            .to_string();
        assert!(needs_rehash(&argon2i));
        assert!(needs_rehash("not a hash"));
    }
}
