//! [`LogFormat`]: how log lines are written (`ATTEST_LOG_FORMAT`), readable before the rest of
//! the configuration so that its errors are logged.

use super::ConfigError;

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
