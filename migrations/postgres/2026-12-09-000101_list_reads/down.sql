DROP INDEX enrolments_org_created;
COMMENT ON COLUMN evaluations.progress IS NULL;
