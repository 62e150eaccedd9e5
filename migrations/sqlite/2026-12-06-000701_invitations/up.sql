-- One-time links that let a person invited by an admin choose their own password: only the
-- SHA-256 of the token is kept, so the database never holds a usable link.
CREATE TABLE invitations (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX invitations_user ON invitations (user_id);
