ALTER TABLE export_batches DROP COLUMN audit_checkpoint;
