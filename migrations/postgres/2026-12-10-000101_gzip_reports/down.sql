-- A compressed report cannot be put back into `progress` in SQL: drop those rows (they are
-- recomputed on the next read).
DELETE FROM evaluations WHERE progress_gzip IS NOT NULL;
ALTER TABLE evaluations DROP COLUMN progress_gzip;
