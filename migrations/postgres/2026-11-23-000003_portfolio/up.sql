-- Enrolments (a candidate on one standard version), their evidence, evidence files, approved witnesses.
CREATE TABLE enrolments (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    candidate_id TEXT NOT NULL REFERENCES users (id),
    assessor_id TEXT REFERENCES users (id),
    iv_id TEXT REFERENCES users (id),
    standard_code TEXT NOT NULL,
    standard_version INTEGER NOT NULL,
    standard_hash TEXT NOT NULL,
    status TEXT NOT NULL,
    start_date DATE NOT NULL,
    -- Conditional criteria marked not applicable and rule confirmations, as the engine reads them (JSON).
    assessor_marks TEXT NOT NULL DEFAULT '{}',
    decided_by TEXT REFERENCES users (id),
    reopen_reason TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    submitted_at TIMESTAMP,
    assessed_at TIMESTAMP
);
CREATE INDEX enrolments_org ON enrolments (org_id, status);
CREATE INDEX enrolments_candidate ON enrolments (candidate_id);
CREATE INDEX enrolments_assessor ON enrolments (assessor_id);
CREATE INDEX enrolments_standard ON enrolments (standard_code, standard_version);

-- Content-addressed evidence files: one row per distinct content.
CREATE TABLE files (
    sha256 TEXT PRIMARY KEY NOT NULL,
    size BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    stored_at TIMESTAMP NOT NULL
);

CREATE TABLE evidence (
    id TEXT PRIMARY KEY NOT NULL,
    enrolment_id TEXT NOT NULL REFERENCES enrolments (id),
    kind TEXT NOT NULL,
    -- The instance as the rules engine reads it (JSON): method, setting, channels, date, attributes,
    -- criteria with range items and judgements, knowledge, links.
    instance TEXT NOT NULL,
    -- What only this kind records (JSON): witness details, questions and answers, checklist notes.
    details TEXT NOT NULL DEFAULT '{}',
    file_sha256 TEXT REFERENCES files (sha256),
    file_name TEXT,
    recorded_by TEXT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    declared_at TIMESTAMP
);
CREATE INDEX evidence_enrolment ON evidence (enrolment_id, recorded_at);

CREATE TABLE approved_witnesses (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    job_title TEXT NOT NULL,
    relationship TEXT NOT NULL,
    contact TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
