//! The JSON Schema of the standard YAML format, generated from the model's types.

use schemars::generate::SchemaSettings;

use super::model::Standard;

/// The JSON Schema (draft 7, which YAML editors support widely) of a standard file, generated
/// from the Rust types; `standards/schema.json` is this value, pretty-printed.
pub fn json_schema() -> serde_json::Value {
    let schema = SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<Standard>();
    schema.to_value()
}

/// [`json_schema`] as committed in `standards/schema.json`: pretty-printed, ending in a newline.
pub fn json_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&json_schema()).unwrap_or_default();
    text.push('\n');
    text
}
