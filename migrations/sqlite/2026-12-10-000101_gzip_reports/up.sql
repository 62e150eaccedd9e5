-- A report of a megabyte or more is kept as gzip of its JSON (portfolio::report_body); `progress`
-- is then empty. Added last, after `progress`, so the figures lists read stay before both.
ALTER TABLE evaluations ADD COLUMN progress_gzip BLOB;
