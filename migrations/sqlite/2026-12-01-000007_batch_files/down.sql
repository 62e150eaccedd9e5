ALTER TABLE export_batches DROP COLUMN file_size;
ALTER TABLE export_batches DROP COLUMN file_sha256;
