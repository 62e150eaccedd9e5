//! What every handler can reach: configuration, database, templates. Built once, shared by workers.

use std::sync::Arc;

use tera::Tera;

use crate::config::Config;
use crate::db::Database;

/// Shared application state; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The process configuration.
    pub config: Arc<Config>,
    /// The connection pool.
    pub db: Database,
    /// Templates, parsed once at start.
    pub templates: Arc<Tera>,
    /// The HS256 key for session tokens.
    pub jwt_secret: Arc<[u8]>,
}

impl AppState {
    /// Builds the state; parses the templates embedded in the binary.
    pub fn new(config: Config, db: Database, jwt_secret: Vec<u8>) -> Result<Self, tera::Error> {
        Ok(Self {
            config: Arc::new(config),
            db,
            templates: Arc::new(super::templates::load()?),
            jwt_secret: jwt_secret.into(),
        })
    }
}
