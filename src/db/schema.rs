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

diesel::table! {
    organisations (id) {
        id -> Text,
        name -> Text,
        country -> Text,
        nzqa_provider_number -> Nullable<Text>,
        sqa_centre_number -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sites (id) {
        id -> Text,
        org_id -> Text,
        name -> Text,
        address -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        name -> Text,
        password_hash -> Text,
        active -> Bool,
        national_learner_number -> Nullable<Text>,
        token_generation -> BigInt,
        failed_logins -> Integer,
        last_failed_login_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    role_grants (id) {
        id -> Text,
        user_id -> Text,
        org_id -> Text,
        role -> Text,
        expires_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    iv_assignments (id) {
        id -> Text,
        org_id -> Text,
        iv_id -> Text,
        assessor_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (seq) {
        seq -> BigInt,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        action -> Text,
        entity -> Text,
        entity_id -> Text,
        before_json -> Nullable<Text>,
        after_json -> Nullable<Text>,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::joinable!(sites -> organisations (org_id));
diesel::joinable!(role_grants -> users (user_id));
diesel::joinable!(role_grants -> organisations (org_id));
diesel::allow_tables_to_appear_in_same_query!(
    standard_versions,
    organisations,
    sites,
    users,
    role_grants,
    iv_assignments,
    audit_log,
);
