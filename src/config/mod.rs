//! Configuration read once from the environment and passed down; no global statics.
mod database;
mod log_format;
mod values;
mod variables;

pub use database::DatabaseUrl;
pub use log_format::LogFormat;
pub use values::s3_location;
pub use variables::VARIABLES;

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use values::{
    parse_addresses, parse_bind, parse_bool, parse_issuer_keys, parse_mail_from,
    parse_metrics_addr, parse_number, parse_public_url, parse_secret, parse_smtp_url,
};

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
        let bind = parse_bind(get("ATTEST_BIND"))?;
        let standards_dir =
            PathBuf::from(get("ATTEST_STANDARDS_DIR").unwrap_or_else(|| "./standards".into()));
        let jwt_secret = parse_secret(get("ATTEST_JWT_SECRET"), "ATTEST_JWT_SECRET")?;
        let public_url = parse_public_url(get("ATTEST_PUBLIC_URL"), bind)?;
        let max_upload_mb = parse_number(get("ATTEST_MAX_UPLOAD_MB"), "ATTEST_MAX_UPLOAD_MB", 100)?;
        let pdf_font = get("ATTEST_PDF_FONT").map(PathBuf::from);
        let secure_cookies = parse_bool(get("ATTEST_SECURE_COOKIES"), "ATTEST_SECURE_COOKIES")?;
        let trusted_proxies =
            parse_addresses(get("ATTEST_TRUSTED_PROXIES"), "ATTEST_TRUSTED_PROXIES")?;
        let keys_per_org = parse_issuer_keys(get("ATTEST_ISSUER_KEYS"))?;
        let key_secret = parse_secret(get("ATTEST_KEY_SECRET"), "ATTEST_KEY_SECRET")?;
        let signing_key_file = get("ATTEST_SIGNING_KEY_FILE").map(PathBuf::from);
        let smtp_url = parse_smtp_url(get("ATTEST_SMTP_URL"))?;
        let mail_from = parse_mail_from(get("ATTEST_MAIL_FROM"))?;
        let metrics_addr = parse_metrics_addr(get("ATTEST_METRICS_ADDR"), bind)?;
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
