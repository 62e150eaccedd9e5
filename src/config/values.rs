//! Reading single values of the configuration: numbers, flags, addresses, secrets, URLs and mail
//! addresses, each error naming its variable.

use std::net::{IpAddr, SocketAddr};

use super::ConfigError;

/// `ATTEST_BIND`: the address the server listens on (default `127.0.0.1:8080`).
pub(super) fn parse_bind(raw: Option<String>) -> Result<SocketAddr, ConfigError> {
    let bind_raw = raw.unwrap_or_else(|| "127.0.0.1:8080".into());
    bind_raw.trim().parse().map_err(|_| {
        ConfigError::new(
            "ATTEST_BIND",
            format!(
                "'{bind_raw}' is not a socket address (expected HOST:PORT such as 127.0.0.1:8080)"
            ),
        )
    })
}

/// A secret of at least 32 bytes, if given.
pub(super) fn parse_secret(
    raw: Option<String>,
    variable: &'static str,
) -> Result<Option<Vec<u8>>, ConfigError> {
    match raw {
        Some(secret) if secret.len() < 32 => Err(ConfigError::new(
            variable,
            format!("is {} bytes long; use at least 32", secret.len()),
        )),
        other => Ok(other.map(String::into_bytes)),
    }
}

/// `ATTEST_PUBLIC_URL` without a trailing slash (default `http://BIND`).
pub(super) fn parse_public_url(
    raw: Option<String>,
    bind: SocketAddr,
) -> Result<String, ConfigError> {
    let public_url = raw
        .map(|url| url.trim_end_matches('/').to_owned())
        .unwrap_or_else(|| format!("http://{bind}"));
    if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
        return Err(ConfigError::new(
            "ATTEST_PUBLIC_URL",
            format!("'{public_url}' must start with http:// or https://"),
        ));
    }
    Ok(public_url)
}

/// `ATTEST_ISSUER_KEYS`: whether each organisation signs with its own key (`org`, the default)
/// or all with the instance's (`instance`).
pub(super) fn parse_issuer_keys(raw: Option<String>) -> Result<bool, ConfigError> {
    match raw.as_deref().map(str::trim) {
        None | Some("org") => Ok(true),
        Some("instance") => Ok(false),
        Some(other) => Err(ConfigError::new(
            "ATTEST_ISSUER_KEYS",
            format!("'{other}' is neither org nor instance"),
        )),
    }
}

/// `ATTEST_SMTP_URL`, if given, checked to be usable.
pub(super) fn parse_smtp_url(raw: Option<String>) -> Result<Option<String>, ConfigError> {
    let smtp_url = raw.map(|url| url.trim().to_owned());
    if let Some(url) = &smtp_url
        && let Err(reason) = crate::notify::mail::Smtp::from_url(url)
    {
        return Err(ConfigError::new(
            "ATTEST_SMTP_URL",
            format!("is not a usable SMTP URL (smtp://host:port, smtps://host:port): {reason}"),
        ));
    }
    Ok(smtp_url)
}

/// `ATTEST_MAIL_FROM`: the sender of every mail (default `Attest <attest@localhost>`).
pub(super) fn parse_mail_from(raw: Option<String>) -> Result<String, ConfigError> {
    let mail_from = raw
        .map(|from| from.trim().to_owned())
        .unwrap_or_else(|| "Attest <attest@localhost>".into());
    if mail_from.parse::<lettre::message::Mailbox>().is_err() {
        return Err(ConfigError::new(
            "ATTEST_MAIL_FROM",
            format!("'{mail_from}' is not a mail address (e.g. Attest <attest@example.org>)"),
        ));
    }
    Ok(mail_from)
}

/// `ATTEST_METRICS_ADDR`, if given: an address apart from `bind`.
pub(super) fn parse_metrics_addr(
    raw: Option<String>,
    bind: SocketAddr,
) -> Result<Option<SocketAddr>, ConfigError> {
    let metrics_addr = match raw {
        None => None,
        Some(raw) => Some(raw.trim().parse::<SocketAddr>().map_err(|_| {
            ConfigError::new(
                "ATTEST_METRICS_ADDR",
                format!(
                    "'{raw}' is not a socket address (expected HOST:PORT such as 127.0.0.1:9090)"
                ),
            )
        })?),
    };
    if metrics_addr.is_some_and(|addr| addr == bind) {
        return Err(ConfigError::new(
            "ATTEST_METRICS_ADDR",
            "is the same as ATTEST_BIND; metrics are served apart from the public address",
        ));
    }
    Ok(metrics_addr)
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

pub(super) fn parse_number(
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

pub(super) fn parse_addresses(
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

pub(super) fn parse_bool(raw: Option<String>, variable: &'static str) -> Result<bool, ConfigError> {
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
