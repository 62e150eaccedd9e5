-- On SQLite this migration moves the report to the last column, so the figures a list reads
-- never go through its overflow pages. PostgreSQL stores a value that large out of line (TOAST)
-- whatever its position: nothing to move, only said here.
COMMENT ON COLUMN evaluations.progress IS 'The report as sent, kept out of line (TOAST); lists read the other columns only.';
