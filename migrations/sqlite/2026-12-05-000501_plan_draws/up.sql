-- Each draw of a sampling plan is kept as it was made: the population (every enrolment with its
-- assessor, unit, methods and sites), the rates and risk ratings in force, the samples already
-- taken, the seed and the selection, as one JSON record with its SHA-256. A plan's draw is never
-- worked out again from live data; a new draw is a new row.
CREATE TABLE plan_draws (
    id TEXT PRIMARY KEY NOT NULL,
    plan_id TEXT NOT NULL REFERENCES sampling_plans (id),
    drawn_at TIMESTAMP NOT NULL,
    drawn_by TEXT REFERENCES users (id),
    reason TEXT NOT NULL,
    record TEXT NOT NULL,
    record_sha256 TEXT NOT NULL
);
CREATE INDEX plan_draws_plan ON plan_draws (plan_id, drawn_at);
