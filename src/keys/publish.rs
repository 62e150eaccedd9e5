//! Where the public keys are published: a `did:web` document per organisation (and one for the
//! instance) and a JWKS of every key, all under stable addresses, so anyone can check a signature
//! without asking us who signed.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::{PublicKey, thumbprint};

/// The `did:web` identifier of `scope` on the instance at `public_url`: `did:web:HOST` for the
/// instance (resolved at `/.well-known/did.json`), `did:web:HOST:orgs:ID` for an organisation
/// (resolved at `/orgs/ID/did.json`). The port's colon is percent-encoded, as did:web requires.
pub fn did_for(public_url: &str, scope: &str) -> String {
    let rest = public_url
        .split_once("://")
        .map_or(public_url, |(_, rest)| rest)
        .trim_end_matches('/');
    let mut did = String::from("did:web");
    for (i, part) in rest.split('/').enumerate() {
        did.push(':');
        did.push_str(&if i == 0 {
            part.replace(':', "%3A")
        } else {
            part.to_owned()
        });
    }
    if scope != super::INSTANCE {
        did.push_str(&format!(":orgs:{scope}"));
    }
    did
}

/// A DID document naming `keys` as the assertion keys of `did`: retired keys stay, since what
/// they signed before retiring is still the issuer's.
pub fn did_document(did: &str, keys: &[PublicKey]) -> Value {
    let methods: Vec<Value> = keys
        .iter()
        .map(|k| {
            json!({
                "id": format!("{did}#{}", k.kid),
                "type": "JsonWebKey2020",
                "controller": did,
                "publicKeyJwk": { "kty": "OKP", "crv": "Ed25519", "x": k.x },
            })
        })
        .collect();
    let refs: Vec<String> = keys.iter().map(|k| format!("{did}#{}", k.kid)).collect();
    json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": refs,
    })
}

/// The JWK Set of `keys`.
pub fn jwks(keys: &[PublicKey]) -> Value {
    json!({ "keys": keys.iter().map(PublicKey::jwk).collect::<Vec<_>>() })
}

/// The Ed25519 keys in a JWKS or a DID document (as a verifier keeps them offline). Key ids are
/// recomputed from the keys themselves, so a file cannot pass one key off as another.
pub fn keys_from_document(document: &Value) -> Vec<PublicKey> {
    let jwks = document["keys"].as_array().into_iter().flatten();
    let methods = document["verificationMethod"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| &m["publicKeyJwk"]);
    jwks.chain(methods)
        .filter(|jwk| jwk["kty"] == "OKP" && jwk["crv"] == "Ed25519")
        .filter_map(|jwk| {
            let x = jwk["x"].as_str()?;
            let bytes: [u8; 32] = URL_SAFE_NO_PAD.decode(x).ok()?.try_into().ok()?;
            let key = ed25519_dalek::VerifyingKey::from_bytes(&bytes).ok()?;
            Some(PublicKey {
                kid: thumbprint(&key),
                scope: String::new(),
                x: x.to_owned(),
                created_at: chrono::NaiveDateTime::default(),
                retired_at: None,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_web_encodes_the_port_and_names_organisations_by_path() {
        assert_eq!(
            did_for("http://127.0.0.1:8080", "instance"),
            "did:web:127.0.0.1%3A8080"
        );
        assert_eq!(
            did_for("https://attest.example/", "org-1"),
            "did:web:attest.example:orgs:org-1"
        );
    }

    #[test]
    fn thumbprints_follow_rfc_7638() {
        // RFC 8037 appendix A.3: the thumbprint of its Ed25519 example key.
        let x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
        let bytes: [u8; 32] = URL_SAFE_NO_PAD.decode(x).unwrap().try_into().unwrap();
        let key = ed25519_dalek::VerifyingKey::from_bytes(&bytes).unwrap();
        assert_eq!(
            thumbprint(&key),
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
        );
        let found = keys_from_document(
            &json!({ "keys": [{ "kty": "OKP", "crv": "Ed25519", "x": x, "kid": "lies" }] }),
        );
        assert_eq!(found[0].kid, "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    }
}
