-- Cohorts: a provider's group of enrolments (a class, an intake), optionally on one standard and
-- between two dates. An enrolment belongs to at most one cohort.
CREATE TABLE cohorts (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    standard_code TEXT,
    standard_version INTEGER,
    start_date DATE,
    end_date DATE,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (org_id, name)
);

ALTER TABLE enrolments ADD COLUMN cohort_id TEXT REFERENCES cohorts (id);
CREATE INDEX enrolments_cohort ON enrolments (cohort_id);
