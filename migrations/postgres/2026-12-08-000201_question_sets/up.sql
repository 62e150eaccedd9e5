-- Question sets (issue 16 item 4): an assessor words questions from the standard's knowledge items,
-- sends a set to a candidate, the candidate answers in their own words (typed or a recording), and
-- the assessor marks each answer; the satisfactory answers become a questioning evidence record.
CREATE TABLE question_sets (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    standard_code TEXT NOT NULL,
    standard_version INTEGER NOT NULL,
    title TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX question_sets_by_org ON question_sets (org_id, standard_code);

-- One question of a set; `covers` is a JSON array of the knowledge item or criterion ids it covers.
CREATE TABLE question_set_items (
    id TEXT PRIMARY KEY NOT NULL,
    set_id TEXT NOT NULL REFERENCES question_sets(id),
    position INTEGER NOT NULL,
    covers TEXT NOT NULL,
    question TEXT NOT NULL
);
CREATE INDEX question_set_items_by_set ON question_set_items (set_id, position);

-- A set sent to an enrolment: sent, answered, marked.
CREATE TABLE question_requests (
    id TEXT PRIMARY KEY NOT NULL,
    set_id TEXT NOT NULL REFERENCES question_sets(id),
    enrolment_id TEXT NOT NULL REFERENCES enrolments(id),
    title TEXT NOT NULL,
    sent_by TEXT NOT NULL REFERENCES users(id),
    sent_at TIMESTAMP NOT NULL,
    due_on DATE,
    status TEXT NOT NULL,
    answered_at TIMESTAMP,
    marked_by TEXT REFERENCES users(id),
    marked_at TIMESTAMP,
    evidence_id TEXT REFERENCES evidence(id)
);
CREATE INDEX question_requests_by_enrolment ON question_requests (enrolment_id, sent_at);

-- One answer per question of a request; the question and what it covers are copied when the set
-- is sent, so editing the set later changes no request already sent. A recording is a file of the
-- file store (by hash), like an evidence file.
CREATE TABLE question_answers (
    id TEXT PRIMARY KEY NOT NULL,
    request_id TEXT NOT NULL REFERENCES question_requests(id),
    item_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    covers TEXT NOT NULL,
    question TEXT NOT NULL,
    answer_text TEXT,
    file_sha256 TEXT,
    file_name TEXT,
    answered_at TIMESTAMP,
    result TEXT,
    comment TEXT
);
CREATE INDEX question_answers_by_request ON question_answers (request_id, position);
