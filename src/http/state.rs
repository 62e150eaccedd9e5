//! What every handler can reach: configuration, database, templates. Built once, shared by workers.

use std::path::PathBuf;
use std::sync::Arc;

use tera::Tera;

use crate::auth::token::{TokenError, TokenKeys};
use crate::auth::verifier::Verifier;
use crate::catalogue::Catalogue;
use crate::config::Config;
use crate::db::Database;
use crate::keys::KeyRing;
use crate::output::pdf::{Fonts, PdfError};
use crate::storage::{self, BlobStore, StorageError};

/// Why the state could not be built.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// A template failed to parse.
    #[error("templates: {0}")]
    Templates(#[from] tera::Error),
    /// The evidence file store cannot be opened.
    #[error("ATTEST_FILES_URL / ATTEST_DATA_DIR: evidence file store: {0}")]
    Store(StorageError),
    /// The PDF fonts cannot be used.
    #[error("ATTEST_PDF_FONT: {0}")]
    Font(#[from] PdfError),
    /// The token secret is unusable.
    #[error("ATTEST_JWT_SECRET: {0}")]
    Secret(#[from] TokenError),
    /// The issuer keys cannot be set up.
    #[error(transparent)]
    Keys(#[from] crate::setup::SetupError),
}

/// Shared application state; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The process configuration.
    pub config: Arc<Config>,
    /// The connection pool.
    pub db: Database,
    /// The loaded standards.
    pub catalogue: Catalogue,
    /// Templates, parsed once at start.
    pub templates: Arc<Tera>,
    /// Where evidence files are kept.
    pub store: Arc<dyn BlobStore>,
    /// Where uploads are received before they are complete.
    pub upload_dir: PathBuf,
    /// Fonts for statements: DejaVu Sans, plus the provider's fallback font when configured
    /// (parsed when a statement is first drawn).
    pub fonts: Arc<Fonts>,
    /// Signs and checks session tokens.
    pub tokens: Arc<TokenKeys>,
    /// Key material for CSRF tokens (the session secret).
    pub csrf_secret: Arc<[u8]>,
    /// The bounded pool password verification runs on.
    pub verifier: Verifier,
    /// The issuer keys that sign credentials, status lists and audit checkpoints.
    pub keys: Arc<KeyRing>,
    /// Recomputes stored evaluations after the writes that changed them commit.
    pub refresher: crate::portfolio::Refresher,
    /// Reports lately sent, by their tag (see [`crate::portfolio::ReportCache`]).
    pub reports: Arc<crate::portfolio::ReportCache>,
    /// Request, pool, queue and evaluation metrics (served on `ATTEST_METRICS_ADDR` only).
    pub metrics: Arc<crate::metrics::Metrics>,
}

impl AppState {
    /// What actions need from the running service.
    pub fn services(&self) -> crate::action::Services<'_> {
        crate::action::Services {
            catalogue: &self.catalogue,
            keys: &self.keys,
            fonts: &self.fonts,
            public_url: &self.config.public_url,
        }
    }

    /// The metrics as Prometheus reads them, with the pool and queues sampled now.
    pub fn render_metrics(&self) -> String {
        let (pool_connections, pool_idle, pool_max) = self.db.pool_use();
        let uploads_in_progress = std::fs::read_dir(&self.upload_dir)
            .map(|dir| dir.filter_map(Result::ok).count())
            .unwrap_or(0);
        self.metrics.render(crate::metrics::Sample {
            pool_connections,
            pool_idle,
            pool_max,
            signin_queue: self.verifier.admitted(),
            uploads_in_progress,
        })
    }

    /// Builds the state; parses the templates embedded in the binary.
    pub fn new(
        config: Config,
        db: Database,
        catalogue: Catalogue,
        jwt_secret: Vec<u8>,
    ) -> Result<Self, StateError> {
        let store = storage::open_store(&config, true).map_err(StateError::Store)?;
        let fonts = Fonts::load(config.pdf_font.as_deref())?;
        let keys = crate::setup::key_ring(&config)?;
        Ok(Self {
            keys: Arc::new(keys),
            upload_dir: storage::staging_dir(&config),
            fonts: Arc::new(fonts),
            store,
            metrics: Arc::new(crate::metrics::Metrics::new(catalogue.evaluation_timer())),
            refresher: crate::portfolio::Refresher::new(db.clone(), catalogue.clone()),
            reports: Arc::default(),
            catalogue,
            tokens: Arc::new(TokenKeys::new(&jwt_secret)?),
            config: Arc::new(config),
            db,
            templates: Arc::new(super::templates::load()?),
            csrf_secret: jwt_secret.into(),
            verifier: Verifier::for_this_machine(),
        })
    }
}
