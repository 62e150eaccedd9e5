//! Canonical snapshots: one text, and one SHA-256, for a portfolio's content whatever the order of
//! its object keys, so that a sign-off can record exactly what was signed and any later change shows.
//!
//! The canonical form, which an external verifier can rebuild in any language:
//! - object keys sorted by their UTF-8 bytes (the same as Unicode code point order), at every depth;
//! - no whitespace between tokens;
//! - strings escaped as serde_json writes them: `"` `\` and control characters only (`\n`, `\t`,
//!   `\r`, `\b`, `\f`, others as `\u00XX` in lowercase hex); everything else as UTF-8 bytes;
//! - numbers as serde_json prints them (integers in decimal, floats in their shortest round-trip
//!   form, e.g. `1.5`, `1e300`); `true`, `false`, `null` as they are; arrays keep their order.
//!
//! The hash is the lowercase hex SHA-256 of those bytes.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// The canonical JSON text of `value`: keys sorted at every depth, no insignificant whitespace.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_value(value, &mut out);
    out
}

/// The lowercase hex SHA-256 of [`canonical_json`] of `value`.
pub fn snapshot_hash(value: &Value) -> String {
    hex::encode(Sha256::digest(canonical_json(value).as_bytes()))
}

/// Whether `value` is still what was signed when `hash` was recorded.
pub fn matches(value: &Value, hash: &str) -> bool {
    snapshot_hash(value).eq_ignore_ascii_case(hash.trim())
}

fn write_value(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
        Value::Number(number) => out.push_str(&number.to_string()),
        Value::String(text) => write_string(text, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            // serde_json's map keeps insertion order when its `preserve_order` feature is on
            // anywhere in the build, so the order is imposed here rather than trusted.
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_value(item, out);
            }
            out.push('}');
        }
    }
}

fn write_string(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn portfolio() -> Value {
        json!({
            "enrolment": "e-1",
            "candidate": {"name": "Tāne Mahuta", "nsn": 123456789},
            "evidence": [
                {"id": "ev-1", "method": "observation", "criteria": ["1", "2"], "site": "Auckland"},
                {"id": "ev-2", "method": "witness", "criteria": ["3"], "duration": 1.5}
            ],
            "locked": true,
            "comments": null
        })
    }

    /// The same content built with every object's keys in the opposite order.
    fn reversed(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut out = serde_json::Map::new();
                for (key, item) in map.iter().rev() {
                    out.insert(key.clone(), reversed(item));
                }
                Value::Object(out)
            }
            Value::Array(items) => Value::Array(items.iter().map(reversed).collect()),
            other => other.clone(),
        }
    }

    #[test]
    fn key_order_does_not_change_the_text_or_the_hash() {
        let a = json!({"b": 1, "a": {"d": [1, {"z": 0, "y": 1}], "c": "x"}});
        let b: Value =
            serde_json::from_str(r#"{ "a": { "c": "x", "d": [1, {"y": 1, "z": 0}] }, "b": 1 }"#)
                .unwrap();
        assert_eq!(canonical_json(&a), canonical_json(&b));
        assert_eq!(
            canonical_json(&a),
            r#"{"a":{"c":"x","d":[1,{"y":1,"z":0}]},"b":1}"#
        );
        assert_eq!(
            snapshot_hash(&portfolio()),
            snapshot_hash(&reversed(&portfolio()))
        );
    }

    #[test]
    fn the_hash_is_sha256_of_the_canonical_text() {
        let value = portfolio();
        let expected = hex::encode(Sha256::digest(canonical_json(&value).as_bytes()));
        assert_eq!(snapshot_hash(&value), expected);
        assert_eq!(snapshot_hash(&value).len(), 64);
        assert!(matches(
            &reversed(&value),
            &snapshot_hash(&value).to_uppercase()
        ));
    }

    #[test]
    fn any_change_to_a_value_changes_the_hash() {
        let base = portfolio();
        let original = snapshot_hash(&base);
        let changes: Vec<fn(&mut Value)> = vec![
            |v| v["enrolment"] = json!("e-2"),
            |v| v["candidate"]["name"] = json!("Tane Mahuta"),
            |v| v["candidate"]["nsn"] = json!(123456780),
            |v| v["candidate"]["nsn"] = json!("123456789"),
            |v| v["evidence"][0]["criteria"][1] = json!("2.1"),
            |v| v["evidence"][1]["duration"] = json!(1.25),
            |v| v["locked"] = json!(false),
            |v| v["comments"] = json!(""),
            |v| v["extra"] = json!(null),
            |v| {
                if let Some(list) = v["evidence"].as_array_mut() {
                    list.reverse();
                }
            },
            |v| {
                if let Some(map) = v["candidate"].as_object_mut() {
                    let name = map.remove("name").unwrap_or(Value::Null);
                    map.insert("Name".into(), name);
                }
            },
        ];
        for (i, change) in changes.iter().enumerate() {
            let mut changed = base.clone();
            change(&mut changed);
            assert_ne!(
                snapshot_hash(&changed),
                original,
                "change {i} kept the hash"
            );
            assert!(!matches(&changed, &original), "change {i}");
        }
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        for text in [
            "plain",
            "quote \" back \\ slash",
            "tab\tnew\nline\r",
            "\u{1}\u{1f}\u{7f}",
            "Zoë 王芳 /",
        ] {
            let value = Value::String(text.into());
            assert_eq!(
                canonical_json(&value),
                serde_json::to_string(&value).unwrap(),
                "{text:?}"
            );
        }
        assert_eq!(canonical_json(&json!("\u{08}\u{0c}")), r#""\b\f""#);
    }

    #[test]
    fn numbers_print_as_serde_json_prints_them() {
        let value = json!([0, -7, 18446744073709551615u64, 1.5, 1e300, -0.0]);
        assert_eq!(
            canonical_json(&value),
            serde_json::to_string(&value).unwrap()
        );
    }
}
