//! The tables, written once for both backends: uuids as text, timestamps as naive UTC, JSON as text.

diesel::table! {
    standard_versions (id) {
        id -> Text,
        framework -> Text,
        code -> Text,
        version -> Text,
        title -> Text,
        content_hash -> Text,
        document -> Text,
        first_loaded_at -> Timestamp,
        last_loaded_at -> Timestamp,
    }
}
