ALTER TABLE reported_results DROP COLUMN correction_of;
ALTER TABLE reported_results DROP COLUMN result;
