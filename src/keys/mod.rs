//! Issuer keys: Ed25519 keys that sign credentials, status lists and audit checkpoints.
//!
//! One key is active per scope (the instance, or each organisation when `ATTEST_ISSUER_KEYS=org`),
//! created on first use and kept sealed in the database, or supplied by the operator from a file
//! (the instance key only). Rotating retires the active key without deleting it: its public half is
//! still published, so everything it signed still verifies. Key ids are RFC 7638 JWK thumbprints.

pub mod jws;
mod publish;
mod sealed;

use crate::db::FirstRow;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use diesel::prelude::*;
use ed25519_dalek::{SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::db::DbConnection;
use crate::db::schema::signing_keys;

pub use publish::{did_document, did_for, jwks, keys_from_document};
pub use sealed::Sealer;

/// The scope of the instance's own key (organisation keys are scoped by organisation id).
pub const INSTANCE: &str = "instance";

/// Why a key could not be had or used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// A sealed key would not open: the key secret is not the one it was sealed with.
    #[error(
        "the private key {0} does not open with this ATTEST_KEY_SECRET (was the secret changed?)"
    )]
    Sealed(String),
    /// The operator's key file is unusable.
    #[error("ATTEST_SIGNING_KEY_FILE: {0}")]
    File(String),
    /// Signing failed.
    #[error("signing: {0}")]
    Sign(String),
    /// The instance key comes from a file and so is rotated by replacing the file.
    #[error(
        "the instance key comes from ATTEST_SIGNING_KEY_FILE: rotate it by replacing that file"
    )]
    Supplied,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// A public key as published, with its life span.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PublicKey {
    /// The key id: the RFC 7638 thumbprint of its JWK.
    pub kid: String,
    /// `instance` or an organisation id.
    pub scope: String,
    /// The raw public key, base64url (the JWK's `x`).
    pub x: String,
    /// When it was made.
    pub created_at: NaiveDateTime,
    /// When it stopped signing, if it has.
    pub retired_at: Option<NaiveDateTime>,
}

impl PublicKey {
    /// The key as a JWK (OKP, Ed25519).
    pub fn jwk(&self) -> serde_json::Value {
        serde_json::json!({
            "kty": "OKP", "crv": "Ed25519", "x": self.x, "kid": self.kid, "alg": "EdDSA", "use": "sig",
        })
    }
}

/// A key that can sign now.
pub struct IssuerKey {
    /// Its id.
    pub kid: String,
    /// Its scope.
    pub scope: String,
    /// The private key.
    pub signing: SigningKey,
}

impl IssuerKey {
    /// Signs `payload` as a compact JWS whose `kid` is `key_ref` (the key id, or a DID URL ending in it).
    pub fn sign(
        &self,
        key_ref: &str,
        typ: &str,
        payload: &serde_json::Value,
    ) -> Result<String, KeyError> {
        jws::sign(&self.signing, key_ref, typ, payload)
    }
}

/// The RFC 7638 thumbprint of an Ed25519 public key's JWK.
pub fn thumbprint(key: &VerifyingKey) -> String {
    let x = URL_SAFE_NO_PAD.encode(key.as_bytes());
    // Members in lexicographic order, no spaces: the form RFC 7638 hashes.
    let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = signing_keys)]
struct KeyRow {
    kid: String,
    scope: String,
    public_key: String,
    private_key: Option<String>,
    created_at: NaiveDateTime,
    retired_at: Option<NaiveDateTime>,
}

impl KeyRow {
    fn public(&self) -> PublicKey {
        PublicKey {
            kid: self.kid.clone(),
            scope: self.scope.clone(),
            x: self.public_key.clone(),
            created_at: self.created_at,
            retired_at: self.retired_at,
        }
    }
}

/// Every process's access to issuer keys: the sealing secret, the operator's key if any, and
/// whether organisations have keys of their own.
#[derive(Clone)]
pub struct KeyRing {
    sealer: Sealer,
    supplied: Option<SigningKey>,
    per_org: bool,
}

impl KeyRing {
    /// A key ring sealing with `secret`; `supplied` is the operator's instance key, if any.
    pub fn new(secret: &[u8], supplied: Option<SigningKey>, per_org: bool) -> Self {
        Self {
            sealer: Sealer::new(secret),
            supplied,
            per_org,
        }
    }

    /// Reads an operator's Ed25519 private key (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519`
    /// writes it).
    pub fn read_key_file(path: &std::path::Path) -> Result<SigningKey, KeyError> {
        use ed25519_dalek::pkcs8::DecodePrivateKey;
        let text = std::fs::read_to_string(path)
            .map_err(|e| KeyError::File(format!("{}: {e}", path.display())))?;
        SigningKey::from_pkcs8_pem(&text).map_err(|e| {
            KeyError::File(format!(
                "{}: not an Ed25519 private key in PKCS#8 PEM ({e})",
                path.display()
            ))
        })
    }

    /// The scope whose key signs for `org_id`.
    pub fn scope_of(&self, org_id: crate::db::ids::OrgId) -> String {
        if self.per_org {
            org_id.to_string()
        } else {
            INSTANCE.to_owned()
        }
    }

    /// The active key of `scope`, made (and recorded) on first use. Call inside a write transaction.
    pub fn active(&self, conn: &mut DbConnection, scope: &str) -> Result<IssuerKey, KeyError> {
        // Two first uses at once on PostgreSQL must not both make a key: serialise like the audit chain.
        crate::db::lock_audit_chain(conn)?;
        let row = active_row(conn, scope)?;
        if scope == INSTANCE
            && let Some(supplied) = &self.supplied
        {
            return self.adopt_supplied(conn, row, supplied);
        }
        match row {
            Some(KeyRow {
                kid,
                private_key: Some(sealed),
                ..
            }) => Ok(IssuerKey {
                signing: SigningKey::from_bytes(&self.sealer.open(&kid, &sealed)?),
                kid,
                scope: scope.to_owned(),
            }),
            // A supplied key is no longer supplied: it cannot sign, so a new one takes over.
            Some(_) => {
                retire(conn, scope, Utc::now())?;
                self.create(conn, scope)
            }
            None => self.create(conn, scope),
        }
    }

    /// Retires the active key of `scope` and makes a new one; returns the new public key.
    pub fn rotate(
        &self,
        conn: &mut DbConnection,
        scope: &str,
        now: DateTime<Utc>,
    ) -> Result<PublicKey, KeyError> {
        if scope == INSTANCE && self.supplied.is_some() {
            return Err(KeyError::Supplied);
        }
        crate::db::lock_audit_chain(conn)?;
        retire(conn, scope, now)?;
        let key = self.create(conn, scope)?;
        let row: KeyRow = signing_keys::table
            .find(&key.kid)
            .select(KeyRow::as_select())
            .first_row(conn)?;
        Ok(row.public())
    }

    fn create(&self, conn: &mut DbConnection, scope: &str) -> Result<IssuerKey, KeyError> {
        let signing = SigningKey::from_bytes(&rand::random());
        let kid = thumbprint(&signing.verifying_key());
        let row = KeyRow {
            kid: kid.clone(),
            scope: scope.to_owned(),
            public_key: URL_SAFE_NO_PAD.encode(signing.verifying_key().as_bytes()),
            private_key: Some(self.sealer.seal(&kid, signing.as_bytes())?),
            created_at: now(),
            retired_at: None,
        };
        diesel::insert_into(signing_keys::table)
            .values(&row)
            .execute(conn)?;
        Ok(IssuerKey {
            kid,
            scope: scope.to_owned(),
            signing,
        })
    }

    /// Records the operator's key as the instance's active one (retiring any other) and signs with it.
    fn adopt_supplied(
        &self,
        conn: &mut DbConnection,
        active: Option<KeyRow>,
        supplied: &SigningKey,
    ) -> Result<IssuerKey, KeyError> {
        let kid = thumbprint(&supplied.verifying_key());
        if active.as_ref().is_none_or(|row| row.kid != kid) {
            retire(conn, INSTANCE, Utc::now())?;
            // The same key may have been supplied before, retired, and supplied again.
            let known = signing_keys::table
                .find(&kid)
                .count()
                .get_result::<i64>(conn)?
                > 0;
            if known {
                diesel::update(signing_keys::table.find(&kid))
                    .set(signing_keys::retired_at.eq(None::<NaiveDateTime>))
                    .execute(conn)?;
            } else {
                diesel::insert_into(signing_keys::table)
                    .values(&KeyRow {
                        kid: kid.clone(),
                        scope: INSTANCE.to_owned(),
                        public_key: URL_SAFE_NO_PAD.encode(supplied.verifying_key().as_bytes()),
                        private_key: None,
                        created_at: now(),
                        retired_at: None,
                    })
                    .execute(conn)?;
            }
        }
        Ok(IssuerKey {
            kid,
            scope: INSTANCE.to_owned(),
            signing: supplied.clone(),
        })
    }
}

fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

fn active_row(conn: &mut DbConnection, scope: &str) -> QueryResult<Option<KeyRow>> {
    signing_keys::table
        .filter(signing_keys::scope.eq(scope))
        .filter(signing_keys::retired_at.is_null())
        .select(KeyRow::as_select())
        .first_row(conn)
        .optional()
}

fn retire(conn: &mut DbConnection, scope: &str, at: DateTime<Utc>) -> QueryResult<usize> {
    diesel::update(
        signing_keys::table
            .filter(signing_keys::scope.eq(scope))
            .filter(signing_keys::retired_at.is_null()),
    )
    .set(signing_keys::retired_at.eq(at.naive_utc().trunc_subsecs(6)))
    .execute(conn)
}

/// Every public key of `scope` (or of every scope), active and retired, oldest first.
pub fn public_keys(conn: &mut DbConnection, scope: Option<&str>) -> QueryResult<Vec<PublicKey>> {
    // Keys are few (one per scope and rotation): filter here rather than build two queries.
    let rows: Vec<KeyRow> = signing_keys::table
        .order((signing_keys::created_at.asc(), signing_keys::kid.asc()))
        .select(KeyRow::as_select())
        .load(conn)?;
    Ok(rows
        .iter()
        .filter(|row| scope.is_none_or(|s| row.scope == s))
        .map(KeyRow::public)
        .collect())
}
