-- SQLite cannot drop a column that carries a foreign key without rebuilding the table, so the
-- column stays behind, emptied, and only the cohorts table goes.
DROP INDEX enrolments_cohort;
UPDATE enrolments SET cohort_id = NULL;
DROP TABLE cohorts;
