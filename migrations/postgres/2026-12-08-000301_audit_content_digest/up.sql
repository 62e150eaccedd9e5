-- Audit entries hashed over a digest of their content (docs/privacy.md, "The audit trail and
-- erasure"): content_sha256 is the SHA-256 of the entry's before and after JSON, and the entry's
-- hash covers its fixed fields and that digest, so erasure can anonymise the content and the
-- chain still verifies. Entries written before have no digest and keep the hash over their
-- content (nothing is rehashed: signed checkpoints name those hashes). erased_by is the position
-- of the `audit.erase` entry that anonymised this one's content, which lists its hash and seal.
ALTER TABLE audit_log ADD COLUMN content_sha256 TEXT;
ALTER TABLE audit_log ADD COLUMN erased_by BIGINT;
