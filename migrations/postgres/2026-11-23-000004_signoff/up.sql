-- The sign-off chain, internal verification sampling, statements of competence, organisation settings.
CREATE TABLE sign_offs (
    id TEXT PRIMARY KEY NOT NULL,
    enrolment_id TEXT NOT NULL REFERENCES enrolments (id),
    role TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    user_name TEXT NOT NULL,
    signed_at TIMESTAMP NOT NULL,
    signed_on DATE NOT NULL,
    -- SHA-256 of the canonical snapshot of the portfolio as signed.
    snapshot_hash TEXT NOT NULL,
    decision TEXT NOT NULL,
    comments TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sign_offs_enrolment ON sign_offs (enrolment_id, signed_at);

CREATE TABLE assessor_risk (
    org_id TEXT NOT NULL REFERENCES organisations (id),
    assessor_id TEXT NOT NULL REFERENCES users (id),
    risk TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, assessor_id)
);

CREATE TABLE org_settings (
    org_id TEXT PRIMARY KEY NOT NULL REFERENCES organisations (id),
    -- Sampling rates by risk rating (JSON) and interpretations of ambiguous rules by standard (JSON).
    sampling_rates TEXT NOT NULL DEFAULT '{}',
    interpretations TEXT NOT NULL DEFAULT '{}',
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE sampling_plans (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    iv_id TEXT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    seed BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE samples (
    id TEXT PRIMARY KEY NOT NULL,
    plan_id TEXT REFERENCES sampling_plans (id),
    enrolment_id TEXT NOT NULL REFERENCES enrolments (id),
    iv_id TEXT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    decision TEXT NOT NULL,
    feedback TEXT NOT NULL DEFAULT '',
    action_points TEXT NOT NULL DEFAULT '',
    snapshot_hash TEXT NOT NULL,
    date_sampled DATE NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX samples_enrolment ON samples (enrolment_id);

CREATE TABLE statements (
    id TEXT PRIMARY KEY NOT NULL,
    enrolment_id TEXT NOT NULL REFERENCES enrolments (id),
    code TEXT NOT NULL UNIQUE,
    -- The statement's content (JSON), so the same PDF can be rendered again byte for byte.
    content TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    missing_chars TEXT NOT NULL DEFAULT '',
    issued_at TIMESTAMP NOT NULL,
    issued_by TEXT NOT NULL REFERENCES users (id),
    revoked_at TIMESTAMP,
    revoked_by TEXT REFERENCES users (id),
    revoke_reason TEXT
);
CREATE INDEX statements_enrolment ON statements (enrolment_id);
