-- An explicit, audited extension that lets an enrolment be assessed after its standard version's
-- last date for assessment. The latest extension of an enrolment is the one in force.
CREATE TABLE assessment_extensions (
    id TEXT PRIMARY KEY NOT NULL,
    enrolment_id TEXT NOT NULL REFERENCES enrolments(id),
    until DATE NOT NULL,
    reason TEXT NOT NULL,
    granted_by TEXT NOT NULL REFERENCES users(id),
    granted_at TIMESTAMP NOT NULL
);
CREATE INDEX assessment_extensions_enrolment ON assessment_extensions (enrolment_id, granted_at);
