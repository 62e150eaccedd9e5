-- Stored evaluations: the engine's report of each enrolment in both views, as the progress API
-- sends it, kept with what it was computed from. An enrolment's `revision` is bumped by the
-- database itself whenever anything the engine reads changes (its evidence, its marks, its
-- pinned standard, its candidate's name), so a stored row whose revision differs is stale
-- whatever code path made the change.
ALTER TABLE enrolments ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
ALTER TABLE org_settings ADD COLUMN interpretations_version BIGINT NOT NULL DEFAULT 0;

CREATE TABLE evaluations (
    enrolment_id TEXT PRIMARY KEY NOT NULL REFERENCES enrolments (id) ON DELETE CASCADE,
    revision BIGINT NOT NULL,
    standard_hash TEXT NOT NULL,
    interpretations_version BIGINT NOT NULL,
    engine_revision INTEGER NOT NULL,
    etag TEXT NOT NULL,
    progress TEXT NOT NULL,
    claimed_percent INTEGER NOT NULL,
    confirmed_percent INTEGER NOT NULL,
    complete BOOLEAN NOT NULL,
    waiting INTEGER NOT NULL,
    last_by_candidate DATE,
    computed_at TIMESTAMP NOT NULL
);

CREATE TRIGGER evidence_insert_revision AFTER INSERT ON evidence BEGIN
    UPDATE enrolments SET revision = revision + 1 WHERE id = NEW.enrolment_id;
END;
CREATE TRIGGER evidence_update_revision AFTER UPDATE ON evidence BEGIN
    UPDATE enrolments SET revision = revision + 1 WHERE id IN (OLD.enrolment_id, NEW.enrolment_id);
END;
CREATE TRIGGER evidence_delete_revision AFTER DELETE ON evidence BEGIN
    UPDATE enrolments SET revision = revision + 1 WHERE id = OLD.enrolment_id;
END;
CREATE TRIGGER enrolment_inputs_revision
AFTER UPDATE OF candidate_id, standard_code, standard_version, standard_hash, assessor_marks ON enrolments BEGIN
    UPDATE enrolments SET revision = revision + 1 WHERE id = NEW.id;
END;
CREATE TRIGGER candidate_name_revision AFTER UPDATE OF name ON users BEGIN
    UPDATE enrolments SET revision = revision + 1 WHERE candidate_id = NEW.id;
END;
CREATE TRIGGER interpretations_version AFTER UPDATE OF interpretations ON org_settings BEGIN
    UPDATE org_settings SET interpretations_version = interpretations_version + 1
    WHERE org_id = NEW.org_id;
END;
