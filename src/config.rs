//! Configuration read once from the environment and passed down; no global statics.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

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

/// A configuration value that could not be used. Its message names the variable.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {reason}")]
pub struct ConfigError {
    /// The environment variable at fault.
    pub variable: &'static str,
    /// Why its value cannot be used.
    pub reason: String,
}

impl ConfigError {
    fn new(variable: &'static str, reason: impl Into<String>) -> Self {
        Self {
            variable,
            reason: reason.into(),
        }
    }
}

/// Which database backend a URL selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// An SQLite file, created on first use.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (`postgres://…`).
    Postgres(String),
}

impl DatabaseUrl {
    /// Parses a URL as given in `ATTEST_DATABASE_URL`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("is empty".into());
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(Self::Postgres(raw.to_owned()));
        }
        if let Some(path) = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err("sqlite URL has no file path (expected sqlite://PATH)".into());
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if raw.contains("://") {
            let scheme = raw.split("://").next().unwrap_or_default();
            return Err(format!(
                "unsupported scheme '{scheme}' (expected postgres://… or sqlite://PATH)"
            ));
        }
        Ok(Self::Sqlite(PathBuf::from(raw)))
    }

    /// The URL as diesel expects it.
    pub fn connection_string(&self) -> String {
        match self {
            Self::Sqlite(path) => path.display().to_string(),
            Self::Postgres(url) => url.clone(),
        }
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// One readable line per event.
    #[default]
    Text,
    /// One JSON object per line (for log collectors).
    Json,
}

impl LogFormat {
    /// Reads `ATTEST_LOG_FORMAT` through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        match lookup("ATTEST_LOG_FORMAT")
            .map(|v| v.trim().to_ascii_lowercase())
            .as_deref()
        {
            None | Some("" | "text") => Ok(Self::Text),
            Some("json") => Ok(Self::Json),
            Some(other) => Err(ConfigError::new(
                "ATTEST_LOG_FORMAT",
                format!("'{other}' is neither text nor json"),
            )),
        }
    }

    /// Reads `ATTEST_LOG_FORMAT` from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }
}

/// The whole configuration of one Attest process.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the database lives.
    pub database: DatabaseUrl,
    /// Folder for the SQLite file, evidence files and the generated secret.
    pub data_dir: PathBuf,
    /// Address the HTTP server binds.
    pub bind: SocketAddr,
    /// Folder of unit standard YAML files.
    pub standards_dir: PathBuf,
    /// HS256 secret from the environment; `None` means use (or create) the one in the data dir.
    pub jwt_secret: Option<Vec<u8>>,
    /// Base URL printed on statements.
    pub public_url: String,
    /// Largest upload accepted, in bytes.
    pub max_upload_bytes: u64,
    /// Provider-chosen fallback font for PDFs.
    pub pdf_font: Option<PathBuf>,
    /// Whether the session cookie is marked Secure.
    pub secure_cookies: bool,
    /// Reverse proxies whose `X-Forwarded-For` is believed (sign-in throttling per client address).
    pub trusted_proxies: Vec<IpAddr>,
    /// Whether each organisation signs credentials with its own key (else the instance's).
    pub keys_per_org: bool,
    /// The secret that encrypts issuer keys at rest; `None` means the one in the data dir.
    pub key_secret: Option<Vec<u8>>,
    /// An operator-supplied instance signing key (PKCS#8 PEM file).
    pub signing_key_file: Option<PathBuf>,
    /// The SMTP server mail is sent through (`smtp://…`, `smtps://…`); without it mail stays in
    /// the outbox for an admin to read.
    pub smtp_url: Option<String>,
    /// The sender of every mail (`Name <address>` or an address).
    pub mail_from: String,
    /// Where `GET /metrics` is served; `None` serves no metrics.
    pub metrics_addr: Option<SocketAddr>,
    /// How log lines are written.
    pub log_format: LogFormat,
    /// The object store evidence and export files live in; `None` is the folder `DATA_DIR/files`.
    pub files: Option<crate::storage::s3::S3Location>,
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());

        let data_dir = PathBuf::from(get("ATTEST_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database = match get("ATTEST_DATABASE_URL") {
            Some(raw) => DatabaseUrl::parse(&raw).map_err(|reason| {
                ConfigError::new("ATTEST_DATABASE_URL", format!("'{raw}' {reason}"))
            })?,
            None => DatabaseUrl::Sqlite(data_dir.join("attest.db")),
        };
        let bind_raw = get("ATTEST_BIND").unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind: SocketAddr = bind_raw.trim().parse().map_err(|_| {
            ConfigError::new(
                "ATTEST_BIND",
                format!("'{bind_raw}' is not a socket address (expected HOST:PORT such as 127.0.0.1:8080)"),
            )
        })?;
        let standards_dir =
            PathBuf::from(get("ATTEST_STANDARDS_DIR").unwrap_or_else(|| "./standards".into()));
        let jwt_secret = match get("ATTEST_JWT_SECRET") {
            Some(secret) if secret.len() < 32 => {
                return Err(ConfigError::new(
                    "ATTEST_JWT_SECRET",
                    format!("is {} bytes long; use at least 32", secret.len()),
                ));
            }
            other => other.map(String::into_bytes),
        };
        let public_url = get("ATTEST_PUBLIC_URL")
            .map(|url| url.trim_end_matches('/').to_owned())
            .unwrap_or_else(|| format!("http://{bind}"));
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(ConfigError::new(
                "ATTEST_PUBLIC_URL",
                format!("'{public_url}' must start with http:// or https://"),
            ));
        }
        let max_upload_mb = parse_number(get("ATTEST_MAX_UPLOAD_MB"), "ATTEST_MAX_UPLOAD_MB", 100)?;
        let pdf_font = get("ATTEST_PDF_FONT").map(PathBuf::from);
        let secure_cookies = parse_bool(get("ATTEST_SECURE_COOKIES"), "ATTEST_SECURE_COOKIES")?;
        let trusted_proxies =
            parse_addresses(get("ATTEST_TRUSTED_PROXIES"), "ATTEST_TRUSTED_PROXIES")?;
        let keys_per_org = match get("ATTEST_ISSUER_KEYS").as_deref().map(str::trim) {
            None | Some("org") => true,
            Some("instance") => false,
            Some(other) => {
                return Err(ConfigError::new(
                    "ATTEST_ISSUER_KEYS",
                    format!("'{other}' is neither org nor instance"),
                ));
            }
        };
        let key_secret = match get("ATTEST_KEY_SECRET") {
            Some(secret) if secret.len() < 32 => {
                return Err(ConfigError::new(
                    "ATTEST_KEY_SECRET",
                    format!("is {} bytes long; use at least 32", secret.len()),
                ));
            }
            other => other.map(String::into_bytes),
        };
        let signing_key_file = get("ATTEST_SIGNING_KEY_FILE").map(PathBuf::from);
        let smtp_url = get("ATTEST_SMTP_URL").map(|url| url.trim().to_owned());
        if let Some(url) = &smtp_url
            && let Err(reason) = crate::notify::mail::Smtp::from_url(url)
        {
            return Err(ConfigError::new(
                "ATTEST_SMTP_URL",
                format!("is not a usable SMTP URL (smtp://host:port, smtps://host:port): {reason}"),
            ));
        }
        let mail_from = get("ATTEST_MAIL_FROM")
            .map(|from| from.trim().to_owned())
            .unwrap_or_else(|| "Attest <attest@localhost>".into());
        if mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(ConfigError::new(
                "ATTEST_MAIL_FROM",
                format!("'{mail_from}' is not a mail address (e.g. Attest <attest@example.org>)"),
            ));
        }
        let metrics_addr = match get("ATTEST_METRICS_ADDR") {
            None => None,
            Some(raw) => Some(raw.trim().parse::<SocketAddr>().map_err(|_| {
                ConfigError::new(
                    "ATTEST_METRICS_ADDR",
                    format!("'{raw}' is not a socket address (expected HOST:PORT such as 127.0.0.1:9090)"),
                )
            })?),
        };
        if metrics_addr.is_some_and(|addr| addr == bind) {
            return Err(ConfigError::new(
                "ATTEST_METRICS_ADDR",
                "is the same as ATTEST_BIND; metrics are served apart from the public address",
            ));
        }
        let log_format = LogFormat::from_lookup(get)?;
        let files = match get("ATTEST_FILES_URL") {
            None => None,
            Some(raw) => Some(
                s3_location(&raw, get)
                    .map_err(|reason| ConfigError::new("ATTEST_FILES_URL", reason))?,
            ),
        };

        Ok(Self {
            database,
            data_dir,
            bind,
            standards_dir,
            jwt_secret,
            public_url,
            max_upload_bytes: max_upload_mb * 1024 * 1024,
            pdf_font,
            secure_cookies,
            trusted_proxies,
            keys_per_org,
            key_secret,
            signing_key_file,
            smtp_url,
            mail_from,
            metrics_addr,
            log_format,
            files,
        })
    }

    /// The SQLite file, when the database is SQLite.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match &self.database {
            DatabaseUrl::Sqlite(path) => Some(path),
            DatabaseUrl::Postgres(_) => None,
        }
    }
}

/// An `s3://` URL with the `AWS_*` settings read through `get` (for `ATTEST_FILES_URL` and
/// `attest files migrate --to`).
pub fn s3_location(
    url: &str,
    get: impl Fn(&str) -> Option<String>,
) -> Result<crate::storage::s3::S3Location, String> {
    let options = crate::storage::s3::S3_VARIABLES
        .iter()
        .filter_map(|name| get(name).map(|value| ((*name).to_owned(), value.trim().to_owned())))
        .collect();
    crate::storage::s3::S3Location::parse(url, options)
}

fn parse_number(
    raw: Option<String>,
    variable: &'static str,
    default: u64,
) -> Result<u64, ConfigError> {
    let Some(raw) = raw else { return Ok(default) };
    match raw.trim().parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(ConfigError::new(
            variable,
            format!("'{raw}' is not a positive whole number"),
        )),
    }
}

fn parse_addresses(
    raw: Option<String>,
    variable: &'static str,
) -> Result<Vec<IpAddr>, ConfigError> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse()
                .map_err(|_| ConfigError::new(variable, format!("'{part}' is not an IP address")))
        })
        .collect()
}

fn parse_bool(raw: Option<String>, variable: &'static str) -> Result<bool, ConfigError> {
    match raw
        .as_deref()
        .map(str::trim)
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("0" | "false" | "no" | "off") => Ok(false),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some(other) => Err(ConfigError::new(
            variable,
            format!("'{other}' is not a boolean (use true or false)"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_put_sqlite_in_the_data_dir() {
        let cfg = config(&[]).unwrap();
        assert_eq!(
            cfg.database,
            DatabaseUrl::Sqlite(PathBuf::from("./data/attest.db"))
        );
        assert_eq!(cfg.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(cfg.max_upload_bytes, 100 * 1024 * 1024);
        assert_eq!(cfg.public_url, "http://127.0.0.1:8080");
        assert!(cfg.jwt_secret.is_none());
        assert!(cfg.metrics_addr.is_none(), "metrics are off by default");
        assert_eq!(cfg.log_format, LogFormat::Text);
    }

    #[test]
    fn files_url_selects_an_object_store_with_the_aws_settings() {
        assert!(config(&[]).unwrap().files.is_none());
        let cfg = config(&[
            ("ATTEST_FILES_URL", "s3://attest-files/prod"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9000"),
            ("AWS_ALLOW_HTTP", "true"),
        ])
        .unwrap();
        let files = cfg.files.unwrap();
        assert_eq!(files.url(), "s3://attest-files/prod");
        assert!(
            files
                .options
                .contains(&("AWS_ALLOW_HTTP".into(), "true".into()))
        );
        let err = config(&[("ATTEST_FILES_URL", "/srv/files")]).unwrap_err();
        assert_eq!(err.variable, "ATTEST_FILES_URL");
    }

    #[test]
    fn postgres_url_selects_postgres() {
        let cfg = config(&[(
            "ATTEST_DATABASE_URL",
            "postgres://postgres@127.0.0.1:5432/test",
        )])
        .unwrap();
        assert!(matches!(cfg.database, DatabaseUrl::Postgres(_)));
    }

    #[test]
    fn bad_values_name_their_variable() {
        let cases = [
            (
                "ATTEST_DATABASE_URL",
                "mysql://x/y",
                "unsupported scheme 'mysql'",
            ),
            ("ATTEST_DATABASE_URL", "sqlite://", "no file path"),
            ("ATTEST_BIND", "localhost", "not a socket address"),
            ("ATTEST_JWT_SECRET", "short", "at least 32"),
            ("ATTEST_MAX_UPLOAD_MB", "-3", "not a positive whole number"),
            ("ATTEST_SECURE_COOKIES", "maybe", "not a boolean"),
            ("ATTEST_PUBLIC_URL", "ftp://x", "must start with http"),
            (
                "ATTEST_TRUSTED_PROXIES",
                "10.0.0.1, proxy",
                "'proxy' is not an IP address",
            ),
            ("ATTEST_ISSUER_KEYS", "team", "neither org nor instance"),
            ("ATTEST_KEY_SECRET", "short", "at least 32"),
            ("ATTEST_METRICS_ADDR", "9090", "not a socket address"),
            (
                "ATTEST_METRICS_ADDR",
                "127.0.0.1:8080",
                "same as ATTEST_BIND",
            ),
            ("ATTEST_LOG_FORMAT", "xml", "neither text nor json"),
        ];
        for (var, value, reason) in cases {
            let err = config(&[(var, value)]).unwrap_err();
            assert_eq!(err.variable, var);
            let text = err.to_string();
            assert!(text.starts_with(&format!("{var}: ")), "{text}");
            assert!(text.contains(reason), "{text} should contain {reason}");
        }
    }
}
