//! The command line: each command parses its arguments and calls into the library.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{Config, ConfigError};
use crate::http::{self, AppState};
use crate::setup::{self, SetupError};

mod admin;

/// Attest: competency assessment and evidence portfolios against unit standards.
#[derive(Debug, Parser)]
#[command(name = "attest", version, about, long_about = None, after_help = config_help())]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the pages and the API (creates and migrates an SQLite database on first run).
    Serve,
    /// Apply pending database migrations (SQLite or PostgreSQL).
    Migrate,
    /// Manage organisations (training providers, assessment centres).
    #[command(subcommand)]
    Org(OrgCommand),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Check the audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Debug, Subcommand)]
enum OrgCommand {
    /// Create an organisation.
    Add {
        /// Its name (unique).
        name: String,
        /// Two-letter country code.
        #[arg(long, default_value = "NZ")]
        country: String,
        /// NZQA provider number.
        #[arg(long)]
        nzqa_provider_number: Option<String>,
        /// SQA centre number.
        #[arg(long)]
        sqa_centre_number: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a user with a role in an organisation (prompts for the password when interactive).
    Add {
        /// Organisation name or id.
        #[arg(long)]
        org: String,
        /// Email address.
        #[arg(long)]
        email: String,
        /// Full name.
        #[arg(long)]
        name: String,
        /// candidate, assessor, internal_verifier, provider_admin or external_verifier.
        #[arg(long)]
        role: String,
        /// NZ National Student Number or Scottish Candidate Number.
        #[arg(long)]
        national_learner_number: Option<String>,
        /// Read the password from standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Deactivate a user and end their sessions.
    Disable {
        /// Their email.
        email: String,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Walk the hash chain and name the first broken link (exit 1 if any).
    Verify,
}

fn config_help() -> String {
    let mut text = String::from("Configuration (environment variables):\n");
    for (name, default, meaning) in crate::config::VARIABLES {
        text.push_str(&format!("  {name:<22} {meaning} [default: {default}]\n"));
    }
    text
}

/// Errors a command reports before exiting; each knows its exit code.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Setup(#[from] SetupError),
    #[error("{0}")]
    Input(String),
    #[error("{0}")]
    Runtime(String),
}

impl From<crate::action::ActionError> for CliError {
    fn from(err: crate::action::ActionError) -> Self {
        use crate::action::ActionError as A;
        match err {
            A::Db(db) => Self::Runtime(db.to_string()),
            other => Self::Input(other.to_string()),
        }
    }
}

impl CliError {
    fn exit_code(&self) -> u8 {
        match self {
            Self::Config(_) => 2,
            Self::Setup(e) if e.is_configuration() => 2,
            Self::Input(_) => 2,
            _ => 1,
        }
    }
}

/// Parses the command line, runs the command, and returns the process exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    crate::telemetry::init();
    match dispatch(cli.command) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("attest: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}

fn dispatch(command: Command) -> Result<ExitCode, CliError> {
    let config = Config::from_env()?;
    match command {
        Command::Serve => serve(config),
        Command::Migrate => migrate(&config),
        Command::Org(command) => admin::org(&config, command),
        Command::User(command) => admin::user(&config, command),
        Command::Audit(AuditCommand::Verify) => admin::audit_verify(&config),
    }
}

fn serve(config: Config) -> Result<ExitCode, CliError> {
    let db = setup::open_database(&config, true)?;
    let status = db.status().map_err(|e| CliError::Runtime(e.to_string()))?;
    if !status.is_current() {
        tracing::warn!(
            pending = %status.pending.join(", "),
            "database migrations pending: /readyz answers 503 until `attest migrate` runs"
        );
    }
    let secret = setup::jwt_secret(&config)?;
    let state = AppState::new(config, db, secret).map_err(|e| CliError::Runtime(e.to_string()))?;
    actix_web::rt::System::new()
        .block_on(http::serve(state))
        .map_err(|e| CliError::Runtime(format!("server: {e}")))?;
    Ok(ExitCode::SUCCESS)
}

fn migrate(config: &Config) -> Result<ExitCode, CliError> {
    let db = setup::open_database(config, false)?;
    let applied = db.migrate().map_err(|e| CliError::Runtime(e.to_string()))?;
    if applied.is_empty() {
        println!("database is up to date");
    } else {
        for name in &applied {
            println!("applied {name}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
