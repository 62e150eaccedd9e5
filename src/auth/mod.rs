//! Authentication and authorization, as pure functions the HTTP and database layers call.
//!
//! - [`password`]: argon2id hashing, verification, the rules for a new password, and a dummy
//!   verification for unknown emails so timing does not reveal which accounts exist.
//! - [`token`]: the signed session token (JWT, HS256) and its claims.
//! - [`throttle`]: how long a login must wait after repeated failures.
//! - [`totp`]: two-factor codes (RFC 6238) and recovery codes.
//! - [`verifier`]: the bounded pool password verification runs on.
//! - [`policy`]: the one place that decides `can(actor, action, resource, now)`.
//!
//! Nothing here imports actix or diesel: the extractor and the database glue live in `http` and
//! `db`, and hand this module plain values. `docs/auth.md` describes roles, tokens and throttling.

pub mod one_time;
pub mod password;
pub mod policy;
pub mod throttle;
pub mod token;
pub mod totp;
pub mod verifier;

#[cfg(test)]
mod tests {
    /// Every source file of this module except this one, which names the crates to refuse.
    const SOURCES: [(&str, &str); 11] = [
        ("totp.rs", include_str!("totp.rs")),
        ("verifier.rs", include_str!("verifier.rs")),
        ("password.rs", include_str!("password.rs")),
        ("token.rs", include_str!("token.rs")),
        ("throttle.rs", include_str!("throttle.rs")),
        ("policy/mod.rs", include_str!("policy/mod.rs")),
        ("policy/action.rs", include_str!("policy/action.rs")),
        ("policy/actor.rs", include_str!("policy/actor.rs")),
        ("policy/resource.rs", include_str!("policy/resource.rs")),
        ("policy/matrix.rs", include_str!("policy/matrix.rs")),
        ("policy/tests.rs", include_str!("policy/tests.rs")),
    ];

    #[test]
    fn auth_stays_free_of_the_web_and_database_crates() {
        for (file, source) in SOURCES {
            for crate_path in [
                "actix_web::",
                "actix_multipart::",
                "diesel::",
                "diesel_migrations::",
            ] {
                assert!(
                    !source.contains(crate_path),
                    "src/auth/{file} uses {crate_path}"
                );
            }
        }
    }
}
