DROP TABLE reported_results;
DROP TABLE export_batches;
