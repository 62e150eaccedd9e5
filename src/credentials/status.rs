//! Revocation that scales and keeps privacy: a W3C Bitstring Status List per organisation. Every
//! credential of the organisation points at one bit of the same list, so a verifier fetches the
//! whole list (or keeps a copy) and the issuer never learns which credential was checked.
//! The signed list is kept in the database and built again after a revocation.

use std::io::{Read, Write};

use crate::db::FirstRow;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use diesel::prelude::*;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde_json::{Value, json};

use super::{TYP, status_list_url};
use crate::action::ActionError;
use crate::db::DbConnection;
use crate::db::ids::OrgId;
use crate::db::schema::{credentials, statements, status_lists};
use crate::keys::{KeyRing, did_for};
use crate::output::formats::badges::VC_CONTEXT;

/// Bits in a list: 16 KiB, the specification's minimum, so a list says nothing about how many
/// credentials an issuer has. A list grows by this much when an index passes its end.
pub const LIST_BITS: u64 = 131_072;

/// The `encodedList` for a list with the `revoked` bits set: GZIP, then multibase base64url (`u…`).
/// Bit 0 is the first (most significant) bit of the first byte.
pub fn encode(revoked: &[u64]) -> String {
    let highest = revoked.iter().max().copied().unwrap_or(0);
    let bits = (highest / LIST_BITS + 1) * LIST_BITS;
    let mut bytes = vec![0u8; usize::try_from(bits / 8).unwrap_or(0)];
    for &index in revoked {
        if let Some(byte) = usize::try_from(index / 8)
            .ok()
            .and_then(|i| bytes.get_mut(i))
        {
            *byte |= 0x80 >> (index % 8);
        }
    }
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    // Writing to a Vec cannot fail.
    let _ = gz.write_all(&bytes);
    let compressed = gz.finish().unwrap_or_default();
    format!("u{}", URL_SAFE_NO_PAD.encode(compressed))
}

/// Whether bit `index` is set in an `encodedList`; `None` when the list is unreadable or too short.
pub fn bit(encoded: &str, index: u64) -> Option<bool> {
    let compressed = URL_SAFE_NO_PAD.decode(encoded.strip_prefix('u')?).ok()?;
    let mut bytes = Vec::new();
    GzDecoder::new(compressed.as_slice())
        .take(64 * 1024 * 1024)
        .read_to_end(&mut bytes)
        .ok()?;
    let byte = bytes.get(usize::try_from(index / 8).ok()?)?;
    Some(byte & (0x80 >> (index % 8)) != 0)
}

/// The organisation's status list credential, signed (compact JWS): the kept one, or built and
/// kept now. Call in a write transaction.
pub fn signed_list(
    conn: &mut DbConnection,
    keys: &KeyRing,
    public_url: &str,
    org_id: OrgId,
    now: DateTime<Utc>,
) -> Result<String, ActionError> {
    let kept: Option<String> = status_lists::table
        .find(org_id)
        .select(status_lists::jws)
        .first_row(conn)
        .optional()?;
    if let Some(jws) = kept {
        return Ok(jws);
    }
    let revoked: Vec<i64> = credentials::table
        .inner_join(statements::table)
        .filter(credentials::org_id.eq(org_id))
        .filter(statements::revoked_at.is_not_null())
        .select(credentials::status_index)
        .load(conn)?;
    let revoked: Vec<u64> = revoked
        .into_iter()
        .filter_map(|i| u64::try_from(i).ok())
        .collect();
    let url = status_list_url(public_url, org_id);
    let did = did_for(public_url, &org_id.to_string());
    let list = json!({
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": did,
        "validFrom": now.to_rfc3339_opts(SecondsFormat::Secs, true),
        "credentialSubject": {
            "id": format!("{url}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode(&revoked),
        },
    });
    let key = keys.active(conn, &keys.scope_of(org_id))?;
    let jws = key.sign(&format!("{did}#{}", key.kid), TYP, &list)?;
    diesel::insert_into(status_lists::table)
        .values((
            status_lists::org_id.eq(org_id),
            status_lists::jws.eq(&jws),
            status_lists::built_at.eq(now.naive_utc().trunc_subsecs(6)),
        ))
        .execute(conn)?;
    Ok(jws)
}

/// Drops the kept list of an organisation: its next request builds it with the change.
pub fn invalidate(conn: &mut DbConnection, org_id: OrgId) -> Result<(), ActionError> {
    diesel::delete(status_lists::table.find(org_id)).execute(conn)?;
    Ok(())
}

/// A credential's `credentialStatus` entry: the list's URL and the bit.
pub fn entry_of(credential: &Value) -> Option<(String, u64)> {
    let status = &credential["credentialStatus"];
    let url = status["statusListCredential"].as_str()?.to_owned();
    let index = status["statusListIndex"].as_str()?.parse().ok()?;
    Some((url, index))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_bits_read_back_and_nothing_else_is_set() {
        let encoded = encode(&[0, 9, 131_071]);
        assert!(encoded.starts_with('u'));
        assert_eq!(bit(&encoded, 0), Some(true));
        assert_eq!(bit(&encoded, 9), Some(true));
        assert_eq!(bit(&encoded, 131_071), Some(true));
        assert_eq!(bit(&encoded, 1), Some(false));
        assert_eq!(bit(&encoded, 8), Some(false));
        assert_eq!(
            bit(&encoded, 131_072),
            None,
            "past the end of a 16 KiB list"
        );
        let grown = encode(&[200_000]);
        assert_eq!(bit(&grown, 200_000), Some(true));
        assert_eq!(bit(&grown, 262_143), Some(false));
        assert_eq!(bit("not a list", 0), None);
    }
}
