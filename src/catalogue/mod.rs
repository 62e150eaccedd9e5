//! The catalogue: the standards loaded from `ATTEST_STANDARDS_DIR`, held in memory for the engine
//! and recorded in the database with their content hashes, so an enrolment stays pinned to the exact
//! text it started on; and the versions each organisation published into its own catalogue
//! (`org_catalogue`), which only that organisation sees.

mod dates;
mod sync;

use std::path::Path;
use std::sync::{Arc, RwLock};

use uuid::Uuid;

use crate::action::ActionError;
use crate::db::ids::Id;
use crate::portfolio::Enrolment;
use crate::rules::{Engine, Interpretations};
use crate::standards::{self, LoadErrors, LoadedStandard, Standard};

pub use dates::{
    DateWarning, WARN_DAYS, date_warnings, last_assessment_day, last_enrolment_day,
    open_for_enrolment,
};
pub use sync::sync;

/// Why the catalogue could not be brought up.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    /// A file did not load; every problem is listed, one per line.
    #[error("ATTEST_STANDARDS_DIR: the standards do not load:\n{0}")]
    Load(#[from] LoadErrors),
    /// A version with enrolments changed on disk.
    #[error(
        "{path}: standard {code} version {version} has enrolments and its file has changed \
         (recorded {recorded}, now {now}); publish the change as a new version instead"
    )]
    ChangedWithEnrolments {
        /// The file.
        path: String,
        /// Standard code.
        code: String,
        /// Version.
        version: u32,
        /// The hash the catalogue holds.
        recorded: String,
        /// The file's hash now.
        now: String,
    },
    /// The database failed.
    #[error("catalogue: {0}")]
    Db(#[from] diesel::result::Error),
}

self_cell::self_cell!(
    /// A standard compiled once with no provider interpretations: what almost every evaluation uses.
    struct Compiled {
        owner: Standard,
        #[covariant]
        dependent: Engine,
    }
);

/// The loaded standards, shared read-only by every request, each with its compiled engine.
#[derive(Clone, Default)]
pub struct Catalogue {
    all: Arc<Vec<LoadedStandard>>,
    /// `engines[i]` is `all[i]` compiled.
    engines: Arc<Vec<Compiled>>,
    /// The versions organisations published, shared by every clone (a publication is seen by
    /// every worker at once).
    published: Arc<RwLock<Vec<Published>>>,
    /// How long evaluations take (exported as a metric).
    evaluation_timer: crate::metrics::EvaluationTimer,
}

/// A version an organisation published. Published versions are never changed or removed while
/// the process runs, so each is allocated once for the life of the process (a few KiB per
/// published version): that gives the `'static` borrows every evaluation shares, exactly as the
/// standards of the folder are borrowed from the catalogue.
#[derive(Clone, Copy)]
struct Published {
    org_id: Uuid,
    loaded: &'static LoadedStandard,
    engine: &'static Engine<'static>,
}

impl std::fmt::Debug for Catalogue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalogue").field("all", &self.all).finish()
    }
}

/// The engine for one evaluation: the catalogue's shared one, or one compiled for a provider's
/// interpretations.
pub enum EngineRef<'c> {
    /// Compiled when the catalogue loaded.
    Shared(&'c Engine<'c>),
    /// Compiled for this evaluation.
    Own(Box<Engine<'c>>),
}

impl<'c> std::ops::Deref for EngineRef<'c> {
    type Target = Engine<'c>;

    fn deref(&self) -> &Engine<'c> {
        match self {
            EngineRef::Shared(engine) => engine,
            EngineRef::Own(engine) => engine,
        }
    }
}

impl Catalogue {
    /// Loads every standard in `dir` (strict; all errors reported together).
    pub fn load(dir: &Path) -> Result<Self, CatalogueError> {
        Ok(Self::from_loaded(standards::load_dir(dir)?))
    }

    /// Wraps standards already loaded.
    pub fn from_loaded(all: Vec<LoadedStandard>) -> Self {
        let engines = all
            .iter()
            .map(|loaded| {
                Compiled::new(loaded.standard.clone(), |standard| {
                    Engine::new(standard, &Interpretations::default())
                })
            })
            .collect();
        Self {
            all: Arc::new(all),
            engines: Arc::new(engines),
            published: Arc::default(),
            evaluation_timer: crate::metrics::EvaluationTimer::default(),
        }
    }

    /// Adds a version `org_id` published (after its row has committed). Adding the same version
    /// (same organisation and hash) twice keeps one.
    pub fn add_published(&self, org_id: Uuid, loaded: LoadedStandard) {
        let mut published = self
            .published
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if published
            .iter()
            .any(|p| p.org_id == org_id && p.loaded.content_hash == loaded.content_hash)
        {
            return;
        }
        let loaded: &'static LoadedStandard = Box::leak(Box::new(loaded));
        let engine: &'static Engine<'static> = Box::leak(Box::new(Engine::new(
            &loaded.standard,
            &Interpretations::default(),
        )));
        published.push(Published {
            org_id,
            loaded,
            engine,
        });
    }

    fn published_by(&self, org_id: Uuid) -> Vec<&'static LoadedStandard> {
        let published = self
            .published
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        published
            .iter()
            .filter(|p| p.org_id == org_id)
            .map(|p| p.loaded)
            .collect()
    }

    /// What `org_id` may enrol on and evaluate against: the folder's standards, then the
    /// versions it published itself (sorted by code then version).
    pub fn visible_to(&self, org_id: Uuid) -> Vec<&LoadedStandard> {
        let mut own = self.published_by(org_id);
        own.sort_by(|a, b| {
            (&a.standard.code, a.standard.version).cmp(&(&b.standard.code, b.standard.version))
        });
        self.all.iter().chain(own).collect()
    }

    /// Among what `org_id` sees, a standard by `CODE` (newest version) or `CODE@VERSION`.
    pub fn find_in(&self, org_id: Uuid, spec: &str) -> Option<&LoadedStandard> {
        let (code, version) = match spec.rsplit_once('@') {
            Some((code, version)) => {
                let version = version.trim();
                let digits = version
                    .strip_prefix(['v', 'V'])
                    .unwrap_or(version)
                    .parse::<u32>()
                    .ok()?;
                (code, Some(digits))
            }
            None => (spec, None),
        };
        let visible = self.visible_to(org_id);
        let mut matching = visible
            .into_iter()
            .filter(|loaded| loaded.standard.answers_to(code));
        match version {
            Some(version) => matching.find(|loaded| loaded.standard.version == version),
            None => matching.max_by_key(|loaded| loaded.standard.version),
        }
    }

    /// The exact version, among what `org_id` sees (its own published version first).
    pub fn get_in(&self, org_id: Uuid, code: &str, version: u32) -> Option<&LoadedStandard> {
        let wanted = standards::normalise_code(code);
        self.published_by(org_id)
            .into_iter()
            .find(|s| {
                standards::normalise_code(&s.standard.code) == wanted
                    && s.standard.version == version
            })
            .or_else(|| self.get(code, version))
    }

    /// The timer every evaluation of this catalogue's standards records into.
    pub fn evaluation_timer(&self) -> &crate::metrics::EvaluationTimer {
        &self.evaluation_timer
    }

    /// Every loaded standard, sorted by code then version.
    pub fn all(&self) -> &[LoadedStandard] {
        &self.all
    }

    /// A standard by `CODE` (newest version) or `CODE@VERSION`; codes match aliases.
    pub fn find(&self, spec: &str) -> Option<&LoadedStandard> {
        standards::find(&self.all, spec)
    }

    /// The exact version.
    pub fn get(&self, code: &str, version: u32) -> Option<&LoadedStandard> {
        let wanted = standards::normalise_code(code);
        self.all.iter().find(|s| {
            standards::normalise_code(&s.standard.code) == wanted && s.standard.version == version
        })
    }

    /// The version an enrolment is pinned to: the one its organisation published with the
    /// enrolment's hash, else the folder's (code, version); a conflict when it has left the
    /// catalogue.
    pub fn pinned(&self, enrolment: &Enrolment) -> Result<&LoadedStandard, ActionError> {
        let version = u32::try_from(enrolment.standard_version).unwrap_or(0);
        let own = {
            self.published_by(enrolment.org_id.uuid())
                .into_iter()
                .find(|p| p.content_hash == enrolment.standard_hash)
        };
        own.or_else(|| self.get(&enrolment.standard_code, version))
            .ok_or_else(|| {
                ActionError::Conflict(format!(
                    "standard {} version {version} is no longer in the catalogue",
                    enrolment.standard_code
                ))
            })
    }

    /// The engine for `loaded` (one of this catalogue's standards) with the provider's `chosen`
    /// interpretations: the one compiled at load when there are none, else compiled now.
    pub fn engine<'c>(
        &'c self,
        loaded: &'c LoadedStandard,
        chosen: &Interpretations,
    ) -> EngineRef<'c> {
        if chosen.0.is_empty() {
            let index = self.all.iter().position(|s| std::ptr::eq(s, loaded));
            if let Some(compiled) = index.and_then(|i| self.engines.get(i)) {
                return EngineRef::Shared(compiled.borrow_dependent());
            }
            let published = self
                .published
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(p) = published.iter().find(|p| std::ptr::eq(p.loaded, loaded)) {
                return EngineRef::Shared(p.engine);
            }
        }
        EngineRef::Own(Box::new(Engine::new(&loaded.standard, chosen)))
    }
}
