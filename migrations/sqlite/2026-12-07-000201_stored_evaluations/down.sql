DROP TRIGGER interpretations_version;
DROP TRIGGER candidate_name_revision;
DROP TRIGGER enrolment_inputs_revision;
DROP TRIGGER evidence_delete_revision;
DROP TRIGGER evidence_update_revision;
DROP TRIGGER evidence_insert_revision;
DROP TABLE evaluations;
ALTER TABLE org_settings DROP COLUMN interpretations_version;
ALTER TABLE enrolments DROP COLUMN revision;
