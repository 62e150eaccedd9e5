-- On SQLite this migration moves the report to the last column, so the figures a list reads
-- never go through its overflow pages. PostgreSQL stores a value that large out of line (TOAST)
-- whatever its position: nothing to move, only said here.
COMMENT ON COLUMN evaluations.progress IS 'The report as sent, kept out of line (TOAST); lists read the other columns only.';

-- A list of an organisation's enrolments is read newest first, a page at a time: in this
-- index's order, so the page is read as it is shown instead of sorting the whole organisation
-- (`ORDER BY created_at DESC, id` of `list_enrolments`).
CREATE INDEX enrolments_org_created ON enrolments (org_id, created_at DESC, id);
