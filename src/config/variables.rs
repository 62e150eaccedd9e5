//! The table of every environment variable Attest reads, for `--help` and the README.

/// Every environment variable Attest reads, with its default, for `--help` and the README table.
pub const VARIABLES: &[(&str, &str, &str)] = &[
    (
        "ATTEST_DATABASE_URL",
        "sqlite file attest.db in the data dir",
        "postgres://… selects PostgreSQL; sqlite://PATH or a file path selects SQLite",
    ),
    (
        "ATTEST_DATA_DIR",
        "./data",
        "database file, evidence files, generated secret",
    ),
    (
        "ATTEST_BIND",
        "127.0.0.1:8080",
        "address the server listens on",
    ),
    (
        "ATTEST_STANDARDS_DIR",
        "./standards",
        "folder of unit standard YAML files",
    ),
    (
        "ATTEST_JWT_SECRET",
        "random, kept in DATA_DIR/jwt-secret (mode 0600)",
        "HS256 key for session tokens (at least 32 bytes)",
    ),
    (
        "ATTEST_PUBLIC_URL",
        "http://BIND",
        "base URL printed on statements for verification",
    ),
    (
        "ATTEST_MAX_UPLOAD_MB",
        "100",
        "largest evidence file accepted",
    ),
    (
        "ATTEST_PDF_FONT",
        "(none)",
        "TrueType font used where DejaVu Sans lacks a character",
    ),
    (
        "ATTEST_SECURE_COOKIES",
        "false",
        "mark the session cookie Secure (set behind HTTPS)",
    ),
    (
        "ATTEST_TRUSTED_PROXIES",
        "(none)",
        "comma-separated addresses of reverse proxies whose X-Forwarded-For names the client",
    ),
    (
        "ATTEST_ISSUER_KEYS",
        "org",
        "org: each organisation signs with its own Ed25519 key; instance: all sign with the instance's",
    ),
    (
        "ATTEST_KEY_SECRET",
        "random, kept in DATA_DIR/key-secret (mode 0600)",
        "encrypts the issuer private keys kept in the database (at least 32 bytes)",
    ),
    (
        "ATTEST_SIGNING_KEY_FILE",
        "(none)",
        "the instance's Ed25519 private key (PKCS#8 PEM) instead of one kept in the database",
    ),
    (
        "ATTEST_METRICS_ADDR",
        "(none: no metrics served)",
        "address that serves GET /metrics (Prometheus text), apart from the public one",
    ),
    (
        "ATTEST_LOG_FORMAT",
        "text",
        "text: one readable line per event; json: one JSON object per line",
    ),
    (
        "ATTEST_FILES_URL",
        "(none: the folder DATA_DIR/files)",
        "s3://BUCKET/PREFIX keeps evidence and export files in an S3-compatible store (with AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ALLOW_HTTP)",
    ),
    ("RUST_LOG", "info", "log filter (tracing EnvFilter syntax)"),
];
