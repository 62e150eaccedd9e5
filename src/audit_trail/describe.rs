//! An entry in plain words for people: the action's name and each changed field, before → after.

use serde::Serialize;

use crate::audit::Entry;

/// An entry in plain words: what was done, and each field that changed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Described {
    /// e.g. "Evidence added".
    pub what: String,
    /// e.g. "status: submitted → assessed".
    pub changes: Vec<String>,
}

/// Describes an entry for people: the action's name and, field by field, before → after.
pub fn describe(entry: &Entry) -> Described {
    let parse = |text: &Option<String>| -> serde_json::Map<String, serde_json::Value> {
        text.as_deref()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
            .map(|v| match v {
                serde_json::Value::Object(map) => map,
                other => {
                    let mut map = serde_json::Map::new();
                    map.insert("value".into(), other);
                    map
                }
            })
            .unwrap_or_default()
    };
    let before = parse(&entry.before_json);
    let after = parse(&entry.after_json);
    let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    let changes = keys
        .into_iter()
        .filter_map(|key| {
            let (b, a) = (before.get(key), after.get(key));
            if b == a {
                return None;
            }
            let words = key.replace('_', " ");
            Some(match (b, a) {
                (Some(b), Some(a)) => format!("{words}: {} → {}", plain(b), plain(a)),
                (None, Some(a)) => format!("{words}: {}", plain(a)),
                (Some(b), None) => format!("{words}: {} (removed)", plain(b)),
                (None, None) => return None,
            })
        })
        .collect();
    Described {
        what: action_words(&entry.action),
        changes,
    }
}

/// A value as people read it: text as it is, nothing as "none", long values shortened.
pub(super) fn plain(value: &serde_json::Value) -> String {
    const LONGEST: usize = 120;
    let text = match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "none".to_owned(),
        serde_json::Value::Array(items) if items.is_empty() => "none".to_owned(),
        other => other.to_string(),
    };
    if text.chars().count() > LONGEST {
        let cut: String = text.chars().take(LONGEST).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// `evidence.add` → "Evidence add", `sampling_plan.draw` → "Sampling plan draw".
pub(super) fn action_words(action: &str) -> String {
    let words = action.replace(['.', '_'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
