-- Issuer keys, signed credentials, revocation status lists and signed audit checkpoints (issues 21, 18).

-- Ed25519 keys, one active per scope ('instance' or an organisation id); retired keys stay so what
-- they signed can still be checked. The private key is encrypted (ChaCha20-Poly1305) with the
-- instance's key-encryption secret, or NULL when the operator supplies the key from a file.
CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY NOT NULL,
    scope TEXT NOT NULL,
    public_key TEXT NOT NULL,
    private_key TEXT,
    created_at TIMESTAMP NOT NULL,
    retired_at TIMESTAMP
);
CREATE UNIQUE INDEX signing_keys_active ON signing_keys (scope) WHERE retired_at IS NULL;

-- The signed Open Badges 3.0 credential of each statement (VC-JOSE compact JWS), with its place in
-- the organisation's revocation status list and the audit checkpoint it was issued under.
CREATE TABLE credentials (
    statement_id TEXT PRIMARY KEY NOT NULL REFERENCES statements (id),
    org_id TEXT NOT NULL REFERENCES organisations (id),
    status_index BIGINT NOT NULL,
    kid TEXT NOT NULL REFERENCES signing_keys (kid),
    jws TEXT NOT NULL,
    checkpoint TEXT NOT NULL,
    issued_at TIMESTAMP NOT NULL,
    UNIQUE (org_id, status_index)
);

-- The signed Bitstring Status List of an organisation as last built; a revocation deletes it so the
-- next request builds it again.
CREATE TABLE status_lists (
    org_id TEXT PRIMARY KEY NOT NULL REFERENCES organisations (id),
    jws TEXT NOT NULL,
    built_at TIMESTAMP NOT NULL
);

-- Signed anchors of the audit chain: its head hash and length at a moment.
CREATE TABLE audit_checkpoints (
    seq BIGINT PRIMARY KEY NOT NULL,
    head TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    kid TEXT NOT NULL REFERENCES signing_keys (kid),
    jws TEXT NOT NULL
);
