DROP INDEX enrolments_org_id;
DROP TABLE reported_results;
DROP TABLE export_batches;
