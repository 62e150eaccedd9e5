//! The tables, written once for both backends: uuids as text, timestamps as naive UTC, JSON as text.

diesel::table! {
    standard_versions (id) {
        id -> Text,
        framework -> Text,
        code -> Text,
        version -> Integer,
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
        content_sha256 -> Nullable<Text>,
        erased_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    enrolments (id) {
        id -> Text,
        org_id -> Text,
        candidate_id -> Text,
        assessor_id -> Nullable<Text>,
        iv_id -> Nullable<Text>,
        standard_code -> Text,
        standard_version -> Integer,
        standard_hash -> Text,
        status -> Text,
        start_date -> Date,
        assessor_marks -> Text,
        decided_by -> Nullable<Text>,
        reopen_reason -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        submitted_at -> Nullable<Timestamp>,
        assessed_at -> Nullable<Timestamp>,
        cohort_id -> Nullable<Text>,
        revision -> BigInt,
    }
}

diesel::table! {
    evaluations (enrolment_id) {
        enrolment_id -> Text,
        revision -> BigInt,
        standard_hash -> Text,
        interpretations_version -> BigInt,
        engine_revision -> Integer,
        etag -> Text,
        progress -> Text,
        claimed_percent -> Integer,
        confirmed_percent -> Integer,
        complete -> Bool,
        waiting -> Integer,
        last_by_candidate -> Nullable<Date>,
        computed_at -> Timestamp,
        progress_gzip -> Nullable<Binary>,
    }
}

diesel::table! {
    files (sha256) {
        sha256 -> Text,
        size -> BigInt,
        content_type -> Text,
        stored_at -> Timestamp,
    }
}

diesel::table! {
    evidence (id) {
        id -> Text,
        enrolment_id -> Text,
        kind -> Text,
        instance -> Text,
        details -> Text,
        file_sha256 -> Nullable<Text>,
        file_name -> Nullable<Text>,
        recorded_by -> Text,
        recorded_at -> Timestamp,
        updated_at -> Timestamp,
        declared_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    approved_witnesses (id) {
        id -> Text,
        org_id -> Text,
        name -> Text,
        job_title -> Text,
        relationship -> Text,
        contact -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sign_offs (id) {
        id -> Text,
        enrolment_id -> Text,
        role -> Text,
        user_id -> Text,
        user_name -> Text,
        signed_at -> Timestamp,
        signed_on -> Date,
        snapshot_hash -> Text,
        decision -> Text,
        comments -> Text,
    }
}

diesel::table! {
    assessor_risk (org_id, assessor_id) {
        org_id -> Text,
        assessor_id -> Text,
        risk -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    org_settings (org_id) {
        org_id -> Text,
        sampling_rates -> Text,
        interpretations -> Text,
        updated_at -> Timestamp,
        interpretations_version -> BigInt,
    }
}

diesel::table! {
    sampling_plans (id) {
        id -> Text,
        org_id -> Text,
        iv_id -> Text,
        name -> Text,
        kind -> Text,
        period_start -> Date,
        period_end -> Date,
        seed -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    plan_draws (id) {
        id -> Text,
        plan_id -> Text,
        drawn_at -> Timestamp,
        drawn_by -> Nullable<Text>,
        reason -> Text,
        record -> Text,
        record_sha256 -> Text,
    }
}

diesel::table! {
    samples (id) {
        id -> Text,
        plan_id -> Nullable<Text>,
        enrolment_id -> Text,
        iv_id -> Text,
        kind -> Text,
        decision -> Text,
        feedback -> Text,
        action_points -> Text,
        snapshot_hash -> Text,
        date_sampled -> Date,
        created_at -> Timestamp,
        vacs -> Nullable<Text>,
    }
}

diesel::table! {
    statements (id) {
        id -> Text,
        enrolment_id -> Text,
        code -> Text,
        content -> Text,
        content_hash -> Text,
        missing_chars -> Text,
        issued_at -> Timestamp,
        issued_by -> Text,
        revoked_at -> Nullable<Timestamp>,
        revoked_by -> Nullable<Text>,
        revoke_reason -> Nullable<Text>,
    }
}

diesel::table! {
    cohorts (id) {
        id -> Text,
        org_id -> Text,
        name -> Text,
        standard_code -> Nullable<Text>,
        standard_version -> Nullable<Integer>,
        start_date -> Nullable<Date>,
        end_date -> Nullable<Date>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    export_batches (id) {
        id -> Text,
        org_id -> Text,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
        format -> Text,
        filters -> Text,
        row_count -> BigInt,
        reversed_at -> Nullable<Timestamp>,
        reversed_by -> Nullable<Text>,
        reverse_reason -> Nullable<Text>,
        file_sha256 -> Nullable<Text>,
        file_size -> Nullable<BigInt>,
        audit_checkpoint -> Nullable<Text>,
    }
}

diesel::table! {
    reported_results (batch_id, enrolment_id) {
        batch_id -> Text,
        enrolment_id -> Text,
        result -> Nullable<Text>,
        correction_of -> Nullable<Text>,
    }
}

diesel::joinable!(sites -> organisations (org_id));
diesel::joinable!(role_grants -> users (user_id));
diesel::joinable!(role_grants -> organisations (org_id));
diesel::table! {
    invitations (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    signing_keys (kid) {
        kid -> Text,
        scope -> Text,
        public_key -> Text,
        private_key -> Nullable<Text>,
        created_at -> Timestamp,
        retired_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    credentials (statement_id) {
        statement_id -> Text,
        org_id -> Text,
        status_index -> BigInt,
        kid -> Text,
        jws -> Text,
        checkpoint -> Text,
        issued_at -> Timestamp,
    }
}

diesel::table! {
    status_lists (org_id) {
        org_id -> Text,
        jws -> Text,
        built_at -> Timestamp,
    }
}

diesel::table! {
    audit_checkpoints (seq) {
        seq -> BigInt,
        head -> Text,
        at -> Timestamp,
        kid -> Text,
        jws -> Text,
    }
}

diesel::table! {
    iv_responses (sample_id) {
        sample_id -> Text,
        enrolment_id -> Text,
        assessor_id -> Text,
        responses -> Text,
        responded_at -> Timestamp,
    }
}

diesel::table! {
    unit_feedback (id) {
        id -> Text,
        enrolment_id -> Text,
        assessor_id -> Text,
        feedback -> Text,
        gaps -> Text,
        decided_at -> Timestamp,
    }
}

diesel::table! {
    acknowledgements (evidence_id) {
        evidence_id -> Text,
        enrolment_id -> Text,
        candidate_id -> Text,
        comment -> Text,
        acknowledged_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    standard_versions,
    organisations,
    sites,
    users,
    invitations,
    role_grants,
    iv_assignments,
    audit_log,
    enrolments,
    evaluations,
    files,
    evidence,
    approved_witnesses,
    sign_offs,
    assessor_risk,
    org_settings,
    sampling_plans,
    plan_draws,
    samples,
    statements,
    cohorts,
    export_batches,
    reported_results,
    signing_keys,
    credentials,
    status_lists,
    audit_checkpoints,
    iv_responses,
    unit_feedback,
    acknowledgements,
    evidence_time_points,
    question_sets,
    question_set_items,
    question_requests,
    question_answers,
    two_factor,
    org_security,
);
diesel::joinable!(reported_results -> export_batches (batch_id));
diesel::joinable!(evidence -> enrolments (enrolment_id));
diesel::joinable!(evaluations -> enrolments (enrolment_id));

diesel::table! {
    evidence_time_points (id) {
        id -> Text,
        evidence_id -> Text,
        enrolment_id -> Text,
        at_seconds -> Integer,
        mapping -> Text,
        note -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    org_standards (id) {
        id -> Text,
        org_id -> Text,
        code -> Text,
        version -> Integer,
        title -> Text,
        yaml -> Text,
        content_hash -> Text,
        published_by -> Text,
        published_at -> Timestamp,
    }
}

diesel::table! {
    standard_mappings (id) {
        id -> Text,
        org_id -> Text,
        code -> Text,
        from_version -> Integer,
        to_version -> Integer,
        yaml -> Text,
        content_hash -> Text,
        uploaded_by -> Text,
        uploaded_at -> Timestamp,
    }
}

diesel::table! {
    enrolment_moves (id) {
        id -> Text,
        enrolment_id -> Text,
        mapping_id -> Text,
        from_version -> Integer,
        from_hash -> Text,
        to_version -> Integer,
        to_hash -> Text,
        evidence_before -> Text,
        marks_before -> Text,
        moved_by -> Text,
        moved_at -> Timestamp,
        undone_by -> Nullable<Text>,
        undone_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    assessment_extensions (id) {
        id -> Text,
        enrolment_id -> Text,
        until -> Date,
        reason -> Text,
        granted_by -> Text,
        granted_at -> Timestamp,
    }
}

diesel::table! {
    login_failures (scope, subject) {
        scope -> Text,
        subject -> Text,
        failures -> Integer,
        last_failure -> Timestamp,
    }
}

diesel::table! {
    two_factor (user_id) {
        user_id -> Text,
        secret -> Text,
        confirmed_at -> Nullable<Timestamp>,
        last_step -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    recovery_codes (user_id, code_hash) {
        user_id -> Text,
        code_hash -> Text,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    org_security (org_id) {
        org_id -> Text,
        require_two_factor -> Bool,
        updated_at -> Timestamp,
    }
}
diesel::joinable!(credentials -> statements (statement_id));

diesel::table! {
    witness_requests (id) {
        id -> Text,
        enrolment_id -> Text,
        evidence_id -> Text,
        token_hash -> Text,
        witness_name -> Text,
        witness_email -> Text,
        approved_witness_id -> Nullable<Text>,
        requested_by -> Text,
        requested_at -> Timestamp,
        expires_at -> Timestamp,
        status -> Text,
        closed_at -> Nullable<Timestamp>,
        confirmed_hash -> Nullable<Text>,
        confirmed_address -> Nullable<Text>,
    }
}

diesel::table! {
    retention_rules (org_id, record_type) {
        org_id -> Text,
        record_type -> Text,
        keep_days -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    notifications (id) {
        id -> Text,
        user_id -> Text,
        kind -> Text,
        message -> Text,
        link -> Text,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
        digest -> Text,
        digested_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        org_id -> Nullable<Text>,
        to_address -> Text,
        subject -> Text,
        body -> Text,
        kind -> Text,
        created_at -> Timestamp,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_by -> Nullable<Text>,
        claimed_until -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    erasures (user_id) {
        user_id -> Text,
        erased_at -> Timestamp,
        erased_by -> Nullable<Text>,
        reason -> Text,
    }
}

diesel::table! {
    question_sets (id) {
        id -> Text,
        org_id -> Text,
        standard_code -> Text,
        standard_version -> Integer,
        title -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    question_set_items (id) {
        id -> Text,
        set_id -> Text,
        position -> Integer,
        covers -> Text,
        question -> Text,
    }
}

diesel::table! {
    question_requests (id) {
        id -> Text,
        set_id -> Text,
        enrolment_id -> Text,
        title -> Text,
        sent_by -> Text,
        sent_at -> Timestamp,
        due_on -> Nullable<Date>,
        status -> Text,
        answered_at -> Nullable<Timestamp>,
        marked_by -> Nullable<Text>,
        marked_at -> Nullable<Timestamp>,
        evidence_id -> Nullable<Text>,
    }
}

diesel::table! {
    question_answers (id) {
        id -> Text,
        request_id -> Text,
        item_id -> Text,
        position -> Integer,
        covers -> Text,
        question -> Text,
        answer_text -> Nullable<Text>,
        file_sha256 -> Nullable<Text>,
        file_name -> Nullable<Text>,
        answered_at -> Nullable<Timestamp>,
        result -> Nullable<Text>,
        comment -> Nullable<Text>,
    }
}
