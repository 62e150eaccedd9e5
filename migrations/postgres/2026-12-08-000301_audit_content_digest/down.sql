ALTER TABLE audit_log DROP COLUMN erased_by;
ALTER TABLE audit_log DROP COLUMN content_sha256;
