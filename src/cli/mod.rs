//! The command line: each command parses its arguments and calls into the library.

use std::process::ExitCode;

use clap::Parser;

use crate::config::{Config, ConfigError};
use crate::http::{self, AppState};
use crate::setup::{self, SetupError};

mod admin;
mod arenas;
mod args;
mod audit;
mod backup;
mod credentials;
mod demo;
mod export;
mod files;
mod privacy;
mod sampling;
mod standards;
mod statements;

use args::{
    AuditCommand, Cli, Command, ExportCommand, FilesCommand, KeysCommand, OrgCommand, ResultsArgs,
    RetentionCommand, SamplingCommand, StandardsCommand, UserCommand,
};
use standards::{evaluate, standards_command};

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
            A::Keys(keys) => Self::Runtime(keys.to_string()),
            A::Fonts(fonts) => Self::Runtime(fonts.to_string()),
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
    match crate::config::LogFormat::from_env() {
        Ok(format) => crate::telemetry::init(format),
        Err(err) => {
            eprintln!("attest: {err}");
            return ExitCode::from(2);
        }
    }
    match dispatch(cli.command) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("attest: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}

fn dispatch(command: Command) -> Result<ExitCode, CliError> {
    // Evaluating files needs no configuration: it must work anywhere, even with a broken environment.
    if let Command::VerifyArchive { file } = &command {
        return export::verify(file);
    }
    if let Command::Sampling(SamplingCommand::Verify { file }) = &command {
        return sampling::verify(file);
    }
    if let Command::Audit(AuditCommand::Verify {
        file: Some(file), ..
    }) = &command
    {
        return audit::verify_file(file);
    }
    // With the keys given, a statement is checked offline, with no configuration either.
    if let Command::VerifyStatement {
        file,
        keys: Some(keys),
        status_list,
    } = &command
    {
        return credentials::verify_statement(file, Some(keys), status_list.as_deref());
    }
    if let Command::Evaluate {
        standard_file,
        portfolio_file,
        view,
        format,
    } = &command
    {
        return evaluate(standard_file, portfolio_file, view, format);
    }
    if let Command::Restore { from, check: true } = &command {
        return backup::check(from);
    }
    let config = Config::from_env()?;
    match command {
        Command::Retention(RetentionCommand::Show { org }) => privacy::show(&config, &org),
        Command::Retention(RetentionCommand::Set {
            org,
            record_type,
            days,
        }) => privacy::set(&config, &org, &record_type, days),
        Command::Retention(RetentionCommand::Apply { dry_run }) => privacy::apply(&config, dry_run),
        Command::Erase { email, reason } => privacy::erase(&config, &email, &reason),
        Command::Backup { out } => backup::backup(&config, &out),
        Command::Restore { from, .. } => backup::restore(&config, &from),
        Command::Serve => {
            arenas::bound();
            serve(config)
        }
        Command::Migrate => migrate(&config),
        Command::Standards(command) => standards_command(&config, command),
        Command::Evaluate {
            standard_file,
            portfolio_file,
            view,
            format,
        } => evaluate(&standard_file, &portfolio_file, &view, &format),
        Command::Org(command) => admin::org(&config, command),
        Command::User(command) => admin::user(&config, command),
        Command::Files(FilesCommand::Gc { dry_run }) => files::gc(&config, dry_run),
        Command::Files(FilesCommand::Migrate { to }) => files::migrate(&config, &to),
        Command::Audit(AuditCommand::Verify {
            file: Some(file), ..
        }) => audit::verify_file(&file),
        Command::Audit(AuditCommand::Verify {
            file: None,
            checkpoint,
            keys,
        }) => credentials::audit_verify(&config, &checkpoint, keys.as_deref()),
        Command::Audit(AuditCommand::Checkpoint { output }) => {
            credentials::audit_checkpoint(&config, output.as_deref())
        }
        Command::Keys(KeysCommand::List) => credentials::keys_list(&config),
        Command::Keys(KeysCommand::Rotate { org }) => {
            credentials::keys_rotate(&config, org.as_deref())
        }
        Command::VerifyStatement {
            file,
            keys,
            status_list,
        } => credentials::verify_statement(&file, keys.as_deref(), status_list.as_deref()),
        Command::Demo => demo::run(&config),
        Command::Export(command) => export_command(&config, command),
        Command::VerifyArchive { file } => export::verify(&file),
        Command::Sampling(SamplingCommand::Verify { file }) => sampling::verify(&file),
        Command::Statement {
            enrolment_id,
            output,
        } => statements::one(&config, enrolment_id, &output),
        Command::Statements { org, out } => statements::batch(&config, &org, &out),
    }
}

fn export_command(config: &Config, command: ExportCommand) -> Result<ExitCode, CliError> {
    match command {
        ExportCommand::Results {
            filters,
            format,
            include_reported,
            dry_run,
            output,
        } => export::results(
            config,
            &filters.org,
            filters.query(Some(format), include_reported),
            dry_run,
            &output,
        ),
        ExportCommand::Reverse { batch_id, reason } => export::reverse(config, batch_id, &reason),
        ExportCommand::Batch { batch_id, output } => export::batch(config, batch_id, &output),
        ExportCommand::Batches { org } => export::batches(config, &org),
        ExportCommand::Badges { filters, output } => {
            export::badges(config, &filters.org, filters.query(None, true), &output)
        }
        ExportCommand::Subject { email, output } => privacy::subject(config, &email, &output),
        ExportCommand::Archive {
            enrolment_id: Some(id),
            output,
            ..
        } => export::archive(config, id, &output),
        ExportCommand::Archive {
            org: Some(org),
            cohort: Some(cohort),
            output,
            ..
        } => export::cohort_archives(config, &org, &cohort, &output),
        ExportCommand::Archive { .. } => Err(CliError::Input(
            "give an ENROLMENT_ID, or --org and --cohort".into(),
        )),
    }
}

impl ResultsArgs {
    fn query(
        &self,
        format: Option<String>,
        include_reported: bool,
    ) -> crate::exports::results::ResultsQuery {
        crate::exports::results::ResultsQuery {
            format,
            cohort: self.cohort.clone(),
            standard: self.standard.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            include_reported: Some(include_reported.to_string()),
        }
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
    let catalogue = setup::load_catalogue(&config, &db)?;
    let secret = setup::jwt_secret(&config)?;
    if config.jwt_secret.is_none()
        && matches!(config.database, crate::config::DatabaseUrl::Postgres(_))
    {
        // The secret then lives in this instance's data dir: another instance on the same
        // database makes its own, and refuses this one's session cookies and tokens.
        tracing::warn!(
            "ATTEST_JWT_SECRET is not set: sessions signed here hold only on this instance; give every instance on this database the same secret"
        );
    }
    let transport: Option<Box<dyn crate::notify::mail::Transport>> = match &config.smtp_url {
        Some(url) => Some(Box::new(
            crate::notify::mail::Smtp::from_url(url).map_err(CliError::Input)?,
        )),
        None => {
            tracing::info!(
                "ATTEST_SMTP_URL is not set: mail is kept in the outbox (admins read it at /orgs/ORG/outbox)"
            );
            None
        }
    };
    crate::notify::mail::spawn(
        db.clone(),
        transport,
        config.mail_from.clone(),
        config.public_url.clone(),
        std::time::Duration::from_secs(15),
    )
    .map_err(|e| CliError::Runtime(format!("mail worker: {e}")))?;
    let state = AppState::new(config, db, catalogue, secret)
        .map_err(|e| CliError::Runtime(e.to_string()))?;
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
