-- The catalogue: each (code, version) of a unit standard loaded from standards/, with its content hash.
CREATE TABLE standard_versions (
    id TEXT PRIMARY KEY NOT NULL,
    framework TEXT NOT NULL,
    code TEXT NOT NULL,
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    document TEXT NOT NULL,
    first_loaded_at TIMESTAMP NOT NULL,
    last_loaded_at TIMESTAMP NOT NULL,
    UNIQUE (code, version)
);
