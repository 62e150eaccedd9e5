DROP INDEX enrolments_org_created;
-- The column order before; the stored rows are kept.
CREATE TABLE evaluations_reordered (
    enrolment_id TEXT PRIMARY KEY NOT NULL REFERENCES enrolments (id) ON DELETE CASCADE,
    revision BIGINT NOT NULL,
    standard_hash TEXT NOT NULL,
    interpretations_version BIGINT NOT NULL,
    engine_revision INTEGER NOT NULL,
    etag TEXT NOT NULL,
    progress TEXT NOT NULL,
    claimed_percent INTEGER NOT NULL,
    confirmed_percent INTEGER NOT NULL,
    complete BOOLEAN NOT NULL,
    waiting INTEGER NOT NULL,
    last_by_candidate DATE,
    computed_at TIMESTAMP NOT NULL
);
INSERT INTO evaluations_reordered (
    enrolment_id, revision, standard_hash, interpretations_version, engine_revision, etag,
    progress, claimed_percent, confirmed_percent, complete, waiting, last_by_candidate, computed_at
)
SELECT
    enrolment_id, revision, standard_hash, interpretations_version, engine_revision, etag,
    progress, claimed_percent, confirmed_percent, complete, waiting, last_by_candidate, computed_at
FROM evaluations;
DROP TABLE evaluations;
ALTER TABLE evaluations_reordered RENAME TO evaluations;
