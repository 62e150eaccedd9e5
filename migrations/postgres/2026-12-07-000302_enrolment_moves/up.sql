-- Moving candidates to the next version of a standard (issue 22 item 4). A mapping file says, for
-- one code, which criteria and knowledge items of the old version each becomes in the new one.
CREATE TABLE standard_mappings (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    code TEXT NOT NULL,
    from_version INTEGER NOT NULL,
    to_version INTEGER NOT NULL,
    yaml TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    uploaded_by TEXT NOT NULL REFERENCES users(id),
    uploaded_at TIMESTAMP NOT NULL
);
CREATE INDEX standard_mappings_org ON standard_mappings (org_id, code, from_version);
-- One move of one enrolment: the version and hash it left and reached, and every evidence
-- record's mapping as it was before (the original, kept for the archive and for undoing).
CREATE TABLE enrolment_moves (
    id TEXT PRIMARY KEY NOT NULL,
    enrolment_id TEXT NOT NULL REFERENCES enrolments(id),
    mapping_id TEXT NOT NULL REFERENCES standard_mappings(id),
    from_version INTEGER NOT NULL,
    from_hash TEXT NOT NULL,
    to_version INTEGER NOT NULL,
    to_hash TEXT NOT NULL,
    evidence_before TEXT NOT NULL,
    marks_before TEXT NOT NULL,
    moved_by TEXT NOT NULL REFERENCES users(id),
    moved_at TIMESTAMP NOT NULL,
    undone_by TEXT REFERENCES users(id),
    undone_at TIMESTAMP
);
CREATE INDEX enrolment_moves_enrolment ON enrolment_moves (enrolment_id, moved_at);
