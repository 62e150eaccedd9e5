//! What every handler can reach: configuration, database, templates. Built once, shared by workers.

use std::sync::Arc;

use tera::Tera;

use crate::auth::token::{TokenError, TokenKeys};
use crate::config::Config;
use crate::db::Database;

/// Why the state could not be built.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// A template failed to parse.
    #[error("templates: {0}")]
    Templates(#[from] tera::Error),
    /// The token secret is unusable.
    #[error("ATTEST_JWT_SECRET: {0}")]
    Secret(#[from] TokenError),
}

/// Shared application state; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The process configuration.
    pub config: Arc<Config>,
    /// The connection pool.
    pub db: Database,
    /// Templates, parsed once at start.
    pub templates: Arc<Tera>,
    /// Signs and checks session tokens.
    pub tokens: Arc<TokenKeys>,
    /// Key material for CSRF tokens (the session secret).
    pub csrf_secret: Arc<[u8]>,
}

impl AppState {
    /// Builds the state; parses the templates embedded in the binary.
    pub fn new(config: Config, db: Database, jwt_secret: Vec<u8>) -> Result<Self, StateError> {
        Ok(Self {
            tokens: Arc::new(TokenKeys::new(&jwt_secret)?),
            config: Arc::new(config),
            db,
            templates: Arc::new(super::templates::load()?),
            csrf_secret: jwt_secret.into(),
        })
    }
}
