-- A report of a megabyte or more is kept as gzip of its JSON (portfolio::report_body); `progress`
-- is then empty.
ALTER TABLE evaluations ADD COLUMN progress_gzip BYTEA;
