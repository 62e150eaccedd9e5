-- Standards an organisation wrote and published itself (issue 22 item 2): its own catalogue, next
-- to the instance-wide standards/ folder. Each row is one version, never changed: the YAML as
-- published, its SHA-256 (what enrolments are pinned to), who published it and when.
CREATE TABLE org_standards (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    code TEXT NOT NULL,
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    yaml TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    published_by TEXT NOT NULL REFERENCES users(id),
    published_at TIMESTAMP NOT NULL,
    UNIQUE (org_id, code, version)
);
