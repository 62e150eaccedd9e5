-- A recorded batch keeps the exact file it was reported in (content-addressed in the file store),
-- so downloading it again gives the same bytes the awarding body received, not the results as
-- they stand today. Batches recorded before this have none and are made again on download.
ALTER TABLE export_batches ADD COLUMN file_sha256 TEXT;
ALTER TABLE export_batches ADD COLUMN file_size BIGINT;
