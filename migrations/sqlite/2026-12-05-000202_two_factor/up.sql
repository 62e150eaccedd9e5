-- Two-factor sign-in: one authenticator per user (confirmed once a code from it was entered),
-- the last 30-second step used (so a code works once), and single-use recovery codes, hashed.
CREATE TABLE two_factor (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id),
    secret TEXT NOT NULL,
    confirmed_at TIMESTAMP,
    last_step BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE recovery_codes (
    user_id TEXT NOT NULL REFERENCES users (id),
    code_hash TEXT NOT NULL,
    used_at TIMESTAMP,
    PRIMARY KEY (user_id, code_hash)
);

-- An organisation's sign-in rules: whether its admins, assessors and IVs must use two factors.
CREATE TABLE org_security (
    org_id TEXT PRIMARY KEY NOT NULL REFERENCES organisations (id),
    require_two_factor BOOLEAN NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
