//! Issuer private keys at rest: sealed with ChaCha20-Poly1305 under a key derived from the
//! instance's key secret, bound to the key id so a sealed key cannot be moved to another row.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use sha2::{Digest, Sha256};

use super::KeyError;

/// Encrypts and decrypts private keys with the key secret.
#[derive(Clone)]
pub struct Sealer {
    cipher: ChaCha20Poly1305,
}

impl Sealer {
    /// A sealer for `secret` (any length; it is hashed to a 256-bit key with a purpose label).
    pub fn new(secret: &[u8]) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"attest issuer keys v1\0");
        hasher.update(secret);
        let key: [u8; 32] = hasher.finalize().into();
        Self {
            cipher: ChaCha20Poly1305::new(&Key::from(key)),
        }
    }

    /// `nonce || ciphertext`, base64url.
    pub fn seal(&self, kid: &str, secret_key: &[u8; 32]) -> Result<String, KeyError> {
        let nonce: [u8; 12] = rand::random();
        let sealed = self
            .cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: secret_key,
                    aad: kid.as_bytes(),
                },
            )
            .map_err(|_| KeyError::Sealed(kid.to_owned()))?;
        let mut out = nonce.to_vec();
        out.extend(sealed);
        Ok(URL_SAFE_NO_PAD.encode(out))
    }

    /// The private key sealed by [`Sealer::seal`]; fails when the secret is not the one it was sealed with.
    pub fn open(&self, kid: &str, sealed: &str) -> Result<[u8; 32], KeyError> {
        let fail = || KeyError::Sealed(kid.to_owned());
        let bytes = URL_SAFE_NO_PAD.decode(sealed).map_err(|_| fail())?;
        if bytes.len() < 12 {
            return Err(fail());
        }
        let (nonce, ciphertext) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| fail())?;
        let plain = self
            .cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: kid.as_bytes(),
                },
            )
            .map_err(|_| fail())?;
        plain.try_into().map_err(|_| fail())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_key_opens_only_with_its_secret_and_its_id() {
        let key = [7u8; 32];
        let sealer = Sealer::new(b"one secret one secret one secret!");
        let sealed = sealer.seal("kid-1", &key).unwrap();
        assert!(!sealed.contains(&URL_SAFE_NO_PAD.encode(key)));
        assert_eq!(sealer.open("kid-1", &sealed).unwrap(), key);
        assert!(sealer.open("kid-2", &sealed).is_err());
        let other = Sealer::new(b"another secret another secret!!!!");
        assert!(other.open("kid-1", &sealed).is_err());
    }
}
