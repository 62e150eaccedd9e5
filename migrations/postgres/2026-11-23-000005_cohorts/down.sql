DROP INDEX enrolments_cohort;
ALTER TABLE enrolments DROP COLUMN cohort_id;
DROP TABLE cohorts;
