-- The report (`progress`, tens of KB and more) moves to the last column. SQLite reaches a row's
-- columns in order, and those after a value that spills into overflow pages only by reading
-- every one of its pages: the figures a list of enrolments shows (percentages, waiting, the
-- stamp) came after the report, so a caseload of 200 read about 1,600 pages to show 200 small
-- rows. Stored last, the report is read only by the one query that sends it. (PostgreSQL keeps
-- such values out of line already; its migration of the same name changes nothing.)
CREATE TABLE evaluations_reordered (
    enrolment_id TEXT PRIMARY KEY NOT NULL REFERENCES enrolments (id) ON DELETE CASCADE,
    revision BIGINT NOT NULL,
    standard_hash TEXT NOT NULL,
    interpretations_version BIGINT NOT NULL,
    engine_revision INTEGER NOT NULL,
    etag TEXT NOT NULL,
    claimed_percent INTEGER NOT NULL,
    confirmed_percent INTEGER NOT NULL,
    complete BOOLEAN NOT NULL,
    waiting INTEGER NOT NULL,
    last_by_candidate DATE,
    computed_at TIMESTAMP NOT NULL,
    progress TEXT NOT NULL
);
INSERT INTO evaluations_reordered (
    enrolment_id, revision, standard_hash, interpretations_version, engine_revision, etag,
    claimed_percent, confirmed_percent, complete, waiting, last_by_candidate, computed_at, progress
)
SELECT
    enrolment_id, revision, standard_hash, interpretations_version, engine_revision, etag,
    claimed_percent, confirmed_percent, complete, waiting, last_by_candidate, computed_at, progress
FROM evaluations;
DROP TABLE evaluations;
ALTER TABLE evaluations_reordered RENAME TO evaluations;

-- A list of an organisation's enrolments is read newest first, a page at a time: in this
-- index's order, so the page is read as it is shown instead of sorting the whole organisation
-- (`ORDER BY created_at DESC, id` of `list_enrolments`).
CREATE INDEX enrolments_org_created ON enrolments (org_id, created_at DESC, id);
