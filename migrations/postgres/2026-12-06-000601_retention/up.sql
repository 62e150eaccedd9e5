-- Retention rules per organisation and record type (evidence_files, portfolios,
-- certification_records, audit): how many days after an enrolment closes its records are kept.
CREATE TABLE retention_rules (
    org_id TEXT NOT NULL REFERENCES organisations(id),
    record_type TEXT NOT NULL,
    keep_days INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, record_type)
);
-- People whose personal data was erased on request: when, by whom, why (no personal data).
CREATE TABLE erasures (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users(id),
    erased_at TIMESTAMP NOT NULL,
    erased_by TEXT,
    reason TEXT NOT NULL
);
