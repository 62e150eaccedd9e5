-- The report-once ledger: each recorded results export is a batch, and every result in it is a
-- reported result. An enrolment counts as reported while it appears in a batch not reversed.
CREATE TABLE export_batches (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    created_at TIMESTAMP NOT NULL,
    created_by TEXT REFERENCES users (id),
    format TEXT NOT NULL,
    -- The filters the batch was made with (JSON), so it can be explained and made again.
    filters TEXT NOT NULL,
    row_count BIGINT NOT NULL,
    reversed_at TIMESTAMP,
    reversed_by TEXT REFERENCES users (id),
    reverse_reason TEXT
);
CREATE INDEX export_batches_org ON export_batches (org_id, created_at);

CREATE TABLE reported_results (
    batch_id TEXT NOT NULL REFERENCES export_batches (id),
    enrolment_id TEXT NOT NULL REFERENCES enrolments (id),
    PRIMARY KEY (batch_id, enrolment_id)
);
CREATE INDEX reported_results_enrolment ON reported_results (enrolment_id);

-- Results are read a page at a time in enrolment id order within an organisation (keyset
-- pagination): this index makes each page a range scan, not a scan and sort of the whole table.
CREATE INDEX enrolments_org_id ON enrolments (org_id, id);
