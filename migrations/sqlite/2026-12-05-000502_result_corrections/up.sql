-- What each batch reported for each result (achieved / not_yet_achieved), so a result that changes
-- after it was reported is found and sent again as a correction; and, on a correction, the batch
-- it corrects. Results recorded before this have no result and are never corrected automatically.
ALTER TABLE reported_results ADD COLUMN result TEXT;
ALTER TABLE reported_results ADD COLUMN correction_of TEXT;
