-- Time points in a recording ("04:12 — 1.3 establishing rapport"), marked by the candidate or
-- the assessor against a criterion or knowledge item the evidence is mapped to.
CREATE TABLE evidence_time_points (
    id TEXT PRIMARY KEY NOT NULL,
    evidence_id TEXT NOT NULL REFERENCES evidence(id),
    enrolment_id TEXT NOT NULL REFERENCES enrolments(id),
    at_seconds INTEGER NOT NULL,
    mapping TEXT NOT NULL,
    note TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX evidence_time_points_by_enrolment ON evidence_time_points (enrolment_id, evidence_id, at_seconds);
