-- Issue 15: the hand-offs between people.
-- The assessor's answer to an IV's disagreement: what they did about each action point (JSON array
-- of {"point", "response"}), one answer per sample sent back.
CREATE TABLE iv_responses (
    sample_id TEXT PRIMARY KEY NOT NULL REFERENCES samples (id),
    enrolment_id TEXT NOT NULL REFERENCES enrolments (id),
    assessor_id TEXT NOT NULL REFERENCES users (id),
    responses TEXT NOT NULL,
    responded_at TIMESTAMP NOT NULL
);
CREATE INDEX iv_responses_enrolment ON iv_responses (enrolment_id);

-- The assessor's "not yet competent" decisions: feedback and the gaps, shown to the candidate as
-- things to do (the gaps as JSON array of strings).
CREATE TABLE unit_feedback (
    id TEXT PRIMARY KEY NOT NULL,
    enrolment_id TEXT NOT NULL REFERENCES enrolments (id),
    assessor_id TEXT NOT NULL REFERENCES users (id),
    feedback TEXT NOT NULL,
    gaps TEXT NOT NULL,
    decided_at TIMESTAMP NOT NULL
);
CREATE INDEX unit_feedback_enrolment ON unit_feedback (enrolment_id, decided_at);

-- The candidate's acknowledgement of an observation or questioning record (the paper checklist's
-- candidate signature), with an optional comment.
CREATE TABLE acknowledgements (
    evidence_id TEXT PRIMARY KEY NOT NULL REFERENCES evidence (id),
    enrolment_id TEXT NOT NULL REFERENCES enrolments (id),
    candidate_id TEXT NOT NULL REFERENCES users (id),
    comment TEXT NOT NULL DEFAULT '',
    acknowledged_at TIMESTAMP NOT NULL
);
CREATE INDEX acknowledgements_enrolment ON acknowledgements (enrolment_id);
