//! One-time links (invitations, and anything else sent to a person to act once): a random token
//! goes in the link, only its SHA-256 is stored, so a copy of the database holds no usable link.

use sha2::{Digest, Sha256};

/// A new random token (256 bits, URL-safe base64) and the hash to store for it.
pub fn new_token() -> (String, String) {
    use base64::Engine as _;
    let bytes: [u8; 32] = rand::random();
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

/// The hash stored for `token` (hex SHA-256). Tokens carry 256 random bits, so a fast hash is
/// enough: there is nothing to guess from it.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_differ_and_hash_to_what_is_stored() {
        let (a, hash_a) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(hash_token(&a), hash_a);
        assert_ne!(hash_a, a);
    }
}
