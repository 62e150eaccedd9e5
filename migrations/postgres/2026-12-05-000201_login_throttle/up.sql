-- Login failures per throttled subject: the submitted email (whether or not an account has it)
-- and the client address. Each attempt claims its slot here before any password is checked.
CREATE TABLE login_failures (
    scope TEXT NOT NULL,
    subject TEXT NOT NULL,
    failures INTEGER NOT NULL,
    last_failure TIMESTAMP NOT NULL,
    PRIMARY KEY (scope, subject)
);
CREATE INDEX login_failures_last ON login_failures (last_failure);

-- The per-account counters these replace only ever saw known emails.
ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN last_failed_login_at;
