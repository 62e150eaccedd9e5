-- Remote witness testimony (issue 15): a one-time link per request, stored only as the SHA-256 of
-- its token; the witness's confirmation is bound to the hash of what they confirmed.
CREATE TABLE witness_requests (
    id TEXT PRIMARY KEY NOT NULL,
    enrolment_id TEXT NOT NULL REFERENCES enrolments(id),
    evidence_id TEXT NOT NULL REFERENCES evidence(id),
    token_hash TEXT NOT NULL UNIQUE,
    witness_name TEXT NOT NULL,
    witness_email TEXT NOT NULL,
    approved_witness_id TEXT REFERENCES approved_witnesses(id),
    requested_by TEXT NOT NULL REFERENCES users(id),
    requested_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL,
    closed_at TIMESTAMP,
    confirmed_hash TEXT,
    confirmed_address TEXT
);
CREATE INDEX witness_requests_evidence ON witness_requests (evidence_id);

-- The in-app inbox: one row per person per event.
CREATE TABLE notifications (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP,
    digest TEXT NOT NULL,
    digested_at TIMESTAMP
);
CREATE INDEX notifications_user ON notifications (user_id, created_at);

-- Mail waiting to be sent (or kept, without SMTP): the queue the mail worker claims from.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT,
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_by TEXT,
    claimed_until TIMESTAMP,
    sent_at TIMESTAMP,
    last_error TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
