-- The internal verifier's VACS checklist for a sample (valid, authentic, current, sufficient: each
-- yes or no with a note), as JSON; none for samples recorded without it.
ALTER TABLE samples ADD COLUMN vacs TEXT;
