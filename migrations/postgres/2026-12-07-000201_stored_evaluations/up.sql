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

CREATE FUNCTION attest_evidence_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE enrolments SET revision = revision + 1 WHERE id = OLD.enrolment_id;
        RETURN NULL;
    END IF;
    UPDATE enrolments SET revision = revision + 1 WHERE id = NEW.enrolment_id;
    IF TG_OP = 'UPDATE' THEN
        IF OLD.enrolment_id <> NEW.enrolment_id THEN
            UPDATE enrolments SET revision = revision + 1 WHERE id = OLD.enrolment_id;
        END IF;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER evidence_revision AFTER INSERT OR UPDATE OR DELETE ON evidence
    FOR EACH ROW EXECUTE FUNCTION attest_evidence_revision();

CREATE FUNCTION attest_enrolment_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.revision = OLD.revision AND
       (NEW.candidate_id, NEW.standard_code, NEW.standard_version, NEW.standard_hash, NEW.assessor_marks)
       IS DISTINCT FROM
       (OLD.candidate_id, OLD.standard_code, OLD.standard_version, OLD.standard_hash, OLD.assessor_marks) THEN
        NEW.revision := OLD.revision + 1;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER enrolment_inputs_revision BEFORE UPDATE ON enrolments
    FOR EACH ROW EXECUTE FUNCTION attest_enrolment_revision();

CREATE FUNCTION attest_candidate_name_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE enrolments SET revision = revision + 1 WHERE candidate_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER candidate_name_revision AFTER UPDATE OF name ON users
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION attest_candidate_name_revision();

CREATE FUNCTION attest_interpretations_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.interpretations IS DISTINCT FROM OLD.interpretations THEN
        NEW.interpretations_version := OLD.interpretations_version + 1;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER interpretations_version BEFORE UPDATE ON org_settings
    FOR EACH ROW EXECUTE FUNCTION attest_interpretations_version();
