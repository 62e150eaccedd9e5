COMMENT ON COLUMN evaluations.progress IS NULL;
