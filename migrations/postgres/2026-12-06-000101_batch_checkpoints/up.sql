-- The signed audit checkpoint taken when the batch was recorded (issue 18): a kept batch anchors
-- the trail as far as its own record.
ALTER TABLE export_batches ADD COLUMN audit_checkpoint TEXT;
