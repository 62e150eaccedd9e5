//! [`DatabaseUrl`]: which database backend `ATTEST_DATABASE_URL` selects.

use std::path::PathBuf;

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
