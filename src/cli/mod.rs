//! The command line: each command parses its arguments and calls into the library.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{Config, ConfigError};
use crate::http::{self, AppState};
use crate::setup::{self, SetupError};

mod admin;
mod arenas;
mod audit;
mod backup;
mod credentials;
mod demo;
mod export;
mod files;
mod privacy;
mod sampling;
mod statements;

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
    /// Lint and read unit standards.
    #[command(subcommand)]
    Standards(StandardsCommand),
    /// Evaluate a portfolio file against a standard file; exit 0 complete, 1 gaps remain, 2 bad input.
    Evaluate {
        /// The standard (YAML).
        standard_file: std::path::PathBuf,
        /// The portfolio (YAML or JSON; see docs/portfolio-format.md).
        portfolio_file: std::path::PathBuf,
        /// Which mappings count: claimed (all) or confirmed (accepted by the assessor).
        #[arg(long, default_value = "confirmed", value_parser = ["claimed", "confirmed"])]
        view: String,
        /// text for people, json for tools.
        #[arg(long, default_value = "text", value_parser = ["text", "json"])]
        format: String,
    },
    /// Manage organisations (training providers, assessment centres).
    #[command(subcommand)]
    Org(OrgCommand),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Create a demo provider with one user of each role and enrolments at different stages.
    Demo,
    /// Write an enrolment's statement of competence as PDF.
    Statement {
        /// The enrolment's id.
        enrolment_id: String,
        /// Where to write the PDF.
        #[arg(short, long)]
        output: std::path::PathBuf,
    },
    /// Render every valid statement of an organisation into a folder.
    Statements {
        /// Organisation name or id.
        #[arg(long)]
        org: String,
        /// The folder.
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Export data for a provider or a candidate.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Check every file of a portfolio archive against its manifest (exit 1 on any mismatch).
    VerifyArchive {
        /// The archive (.zip).
        file: std::path::PathBuf,
    },
    /// Check a statement PDF or a credential offline (exit 0 valid; 1 revoked, tampered or
    /// unknown key; 2 unreadable).
    VerifyStatement {
        /// A statement PDF, a badge JSON file or a compact JWS.
        file: std::path::PathBuf,
        /// The issuer's published keys (JWKS or DID document) [default: this instance's].
        #[arg(long)]
        keys: Option<std::path::PathBuf>,
        /// The issuer's status list as downloaded (compact JWS), to check revocation.
        #[arg(long)]
        status_list: Option<std::path::PathBuf>,
    },
    /// Check the audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Copy the database (a consistent snapshot, while the server runs), every stored file and the
    /// secrets into a new folder, with a manifest of their SHA-256 hashes.
    Backup {
        /// The folder (absent or empty).
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Put a backup back into an empty data dir (and, for PostgreSQL, an empty database) after
    /// checking every hash; with --check, only check it.
    Restore {
        /// The backup folder.
        #[arg(long)]
        from: std::path::PathBuf,
        /// Check every file against the manifest and change nothing.
        #[arg(long)]
        check: bool,
    },
    /// Retention rules per organisation, and applying them.
    #[command(subcommand)]
    Retention(RetentionCommand),
    /// Erase a person's personal data on request (account anonymised, evidence content and files
    /// removed; certification records and the audit trail kept). See docs/privacy.md.
    Erase {
        /// Their email.
        #[arg(long)]
        email: String,
        /// Why (the request and the law it rests on); kept in the audit trail.
        #[arg(long)]
        reason: String,
    },
    /// Check the evidence file store against the records.
    #[command(subcommand)]
    Files(FilesCommand),
    /// Internal verification sampling.
    #[command(subcommand)]
    Sampling(SamplingCommand),
    /// The issuer keys that sign credentials and checkpoints.
    #[command(subcommand)]
    Keys(KeysCommand),
}

#[derive(Debug, Subcommand)]
enum RetentionCommand {
    /// An organisation's rules.
    Show {
        /// Organisation name or id.
        #[arg(long)]
        org: String,
    },
    /// Set one rule: days after an enrolment closes (omit --days to keep indefinitely).
    Set {
        /// Organisation name or id.
        #[arg(long)]
        org: String,
        /// evidence_files, portfolios, certification_records or audit.
        #[arg(long = "type")]
        record_type: String,
        /// Days (1–36500).
        #[arg(long)]
        days: Option<i32>,
    },
    /// Apply every organisation's rules: clear evidence files and portfolio content past their
    /// period (certification records and the audit trail are never removed).
    Apply {
        /// Report what would be cleared, change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// List every key, active and retired.
    List,
    /// Retire the active key and make a new one (the old public key stays published).
    Rotate {
        /// The organisation (name or id) whose key to rotate [default: the instance's].
        #[arg(long)]
        org: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum SamplingCommand {
    /// Re-run a plan's draw record (downloaded from the plan) and compare: exit 0 identical,
    /// 1 different, 2 not a draw record.
    Verify {
        /// The draw record (.json).
        file: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum StandardsCommand {
    /// Check every standard in a folder; lists every problem as file:line:column (exit 1 if any).
    Check {
        /// The folder [default: ATTEST_STANDARDS_DIR or ./standards].
        dir: Option<std::path::PathBuf>,
    },
    /// Print the outline of one standard: CODE (newest version) or CODE@VERSION.
    Show {
        /// e.g. 28268, 28268@2, CFACC33, "H12H 04".
        spec: String,
        /// The folder [default: ATTEST_STANDARDS_DIR or ./standards].
        #[arg(long)]
        dir: Option<std::path::PathBuf>,
    },
    /// Print the JSON Schema of the standards format.
    Schema,
    /// Turn a CASE 1.1 CFPackage (JSON) or a Moodle competency framework (CSV) into a standard
    /// YAML with draft evidence rules; every element not imported is listed by line and column
    /// (exit 1 if any, 2 if the file cannot be read as the format).
    Import {
        /// The format: `case` or `moodle-csv`.
        #[arg(long, value_parser = ["case", "moodle-csv"])]
        from: String,
        /// The file to read.
        file: std::path::PathBuf,
        /// Write the YAML here instead of to standard output.
        #[arg(long, short)]
        output: Option<std::path::PathBuf>,
        /// The standard's code, where the file names none.
        #[arg(long)]
        code: Option<String>,
        /// The version, where the file gives none.
        #[arg(long)]
        version: Option<u32>,
        /// The framework, e.g. NZQA.
        #[arg(long)]
        framework: Option<String>,
    },
    /// Write one standard (CODE or CODE@VERSION) as a CASE 1.1 CFPackage (JSON), its evidence
    /// rules included; what CASE cannot carry is listed on standard error.
    Export {
        /// The format: `case`.
        #[arg(long, value_parser = ["case"])]
        to: String,
        /// e.g. 28268, 28268@2.
        spec: String,
        /// The folder [default: ATTEST_STANDARDS_DIR or ./standards].
        #[arg(long)]
        dir: Option<std::path::PathBuf>,
        /// Write the JSON here instead of to standard output.
        #[arg(long, short)]
        output: Option<std::path::PathBuf>,
    },
}

/// The filters shared by results and badges.
#[derive(Debug, clap::Args)]
struct ResultsArgs {
    /// Organisation name or id.
    #[arg(long)]
    org: String,
    /// Only this cohort (name or id).
    #[arg(long)]
    cohort: Option<String>,
    /// Only this standard: CODE or CODE@VERSION.
    #[arg(long)]
    standard: Option<String>,
    /// Achieved on or after this date (YYYY-MM-DD).
    #[arg(long)]
    from: Option<String>,
    /// Achieved on or before this date (YYYY-MM-DD).
    #[arg(long)]
    to: Option<String>,
}

#[derive(Debug, Subcommand)]
enum ExportCommand {
    /// Results file (CSV, JSON or NZQA-ready CSV), recorded in the report-once ledger.
    Results {
        #[command(flatten)]
        filters: ResultsArgs,
        /// csv, json or nzqa.
        #[arg(long, default_value = "csv")]
        format: String,
        /// Include results already reported in a batch that was not reversed.
        #[arg(long)]
        include_reported: bool,
        /// Write the file without recording a batch.
        #[arg(long)]
        dry_run: bool,
        /// Where to write the file.
        #[arg(short, long)]
        output: std::path::PathBuf,
    },
    /// Reverse a recorded batch: its results become reportable again.
    Reverse {
        /// The batch id.
        batch_id: String,
        /// Why (kept in the audit trail).
        #[arg(long)]
        reason: String,
    },
    /// Write a recorded batch's file again: the same bytes as when it was recorded.
    Batch {
        /// The batch id.
        batch_id: String,
        /// Where to write the file.
        #[arg(short, long)]
        output: std::path::PathBuf,
    },
    /// List an organisation's recorded batches, newest first.
    Batches {
        /// Organisation name or id.
        #[arg(long)]
        org: String,
    },
    /// Open Badges 3.0 credentials for achieved units with a valid statement.
    Badges {
        #[command(flatten)]
        filters: ResultsArgs,
        /// A folder (one JSON file per credential) or a FILE.zip.
        #[arg(short, long)]
        output: std::path::PathBuf,
    },
    /// A subject-access export: one person's account data (account.json) and a portfolio archive
    /// per enrolment, into a new folder.
    Subject {
        /// Their email.
        #[arg(long)]
        email: String,
        /// The folder.
        #[arg(short, long)]
        output: std::path::PathBuf,
    },
    /// Portfolio archives: one enrolment's (ENROLMENT_ID -o FILE.zip), or one per candidate of a
    /// cohort (--org ORG --cohort COHORT -o DIR).
    Archive {
        /// The enrolment's id.
        #[arg(required_unless_present = "cohort", conflicts_with = "cohort")]
        enrolment_id: Option<String>,
        /// Organisation name or id (with --cohort).
        #[arg(long, requires = "cohort")]
        org: Option<String>,
        /// A cohort (name or id): one archive per enrolment into the output folder.
        #[arg(long, requires = "org")]
        cohort: Option<String>,
        /// Where to write the zip (or the folder, with --cohort).
        #[arg(short, long)]
        output: std::path::PathBuf,
    },
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
        /// candidate, assessor, internal_verifier, provider_admin, external_verifier or standards_editor.
        #[arg(long)]
        role: String,
        /// NZ National Student Number or Scottish Candidate Number.
        #[arg(long)]
        national_learner_number: Option<String>,
        /// Read the password from standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Grant an existing user a role in an organisation (external verifiers need --expires).
    Grant {
        /// Organisation name or id.
        #[arg(long)]
        org: String,
        /// Their email.
        #[arg(long)]
        email: String,
        /// candidate, assessor, internal_verifier, provider_admin, external_verifier or standards_editor.
        #[arg(long)]
        role: String,
        /// When the grant ends: an RFC 3339 instant, or a date (access lasts through that day, UTC).
        #[arg(long)]
        expires: Option<String>,
    },
    /// Add candidates from a CSV file (columns name, email, learner_number, cohort, standard,
    /// assessor, iv): all or none, each with an invitation link to choose their own password.
    /// Every bad row is reported as FILE:LINE: column: reason (exit 2).
    Import {
        /// Organisation name or id.
        #[arg(long)]
        org: String,
        /// The CSV file (UTF-8, header row).
        file: std::path::PathBuf,
        /// Check every row and report what would be created, keeping nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Deactivate a user and end their sessions.
    Disable {
        /// Their email.
        email: String,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Walk the hash chain and name the first broken link, then check it against every kept
    /// checkpoint and every one given: a removed tail or rewritten history fails (exit 1). With
    /// --file, check an exported trail (CSV or JSON) instead of the database.
    Verify {
        /// An exported audit trail: each entry's hash and the links between consecutive entries
        /// are checked, without the database.
        #[arg(long, conflicts_with_all = ["checkpoint", "keys"])]
        file: Option<std::path::PathBuf>,
        /// A checkpoint: a file from `audit checkpoint`, a statement PDF, a portfolio archive or
        /// its manifest (repeatable).
        #[arg(long)]
        checkpoint: Vec<std::path::PathBuf>,
        /// The instance's public keys as the auditor kept them (JWKS or DID document)
        /// [default: the ones in the database].
        #[arg(long)]
        keys: Option<std::path::PathBuf>,
    },
    /// Sign the trail's present length and head with the instance key (keep the file elsewhere).
    Checkpoint {
        /// Where to write it [default: standard output].
        #[arg(short = 'o', long)]
        output: Option<std::path::PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum FilesCommand {
    /// Remove stored files no record references and staging files left behind (both only when
    /// older than an hour), and list records that lack their file (exit 1 if any).
    Gc {
        /// Report what would be removed, remove nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Copy every stored file into another store (an s3://BUCKET/PREFIX URL, reached with the
    /// AWS_* variables, or a folder), checking every hash; run it again to resume (what is already
    /// there intact is skipped). Then point ATTEST_FILES_URL at the new store. Exit 1 if any failed.
    Migrate {
        /// The store to copy into: s3://BUCKET/PREFIX or a folder.
        #[arg(long)]
        to: String,
    },
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
            A::Keys(keys) => Self::Runtime(keys.to_string()),
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
        } => statements::one(&config, &enrolment_id, &output),
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
        ExportCommand::Reverse { batch_id, reason } => export::reverse(config, &batch_id, &reason),
        ExportCommand::Batch { batch_id, output } => export::batch(config, &batch_id, &output),
        ExportCommand::Batches { org } => export::batches(config, &org),
        ExportCommand::Badges { filters, output } => {
            export::badges(config, &filters.org, filters.query(None, true), &output)
        }
        ExportCommand::Subject { email, output } => privacy::subject(config, &email, &output),
        ExportCommand::Archive {
            enrolment_id: Some(id),
            output,
            ..
        } => export::archive(config, &id, &output),
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

fn standards_command(config: &Config, command: StandardsCommand) -> Result<ExitCode, CliError> {
    match command {
        StandardsCommand::Check { dir } => {
            let dir = dir.unwrap_or_else(|| config.standards_dir.clone());
            match crate::standards::load_dir(&dir) {
                Ok(all) => {
                    for loaded in &all {
                        let s = &loaded.standard;
                        println!(
                            "ok  {} {} v{}  {}",
                            s.framework,
                            s.code,
                            s.version,
                            loaded.path.display()
                        );
                    }
                    println!("{} standards, no problems", all.len());
                    Ok(ExitCode::SUCCESS)
                }
                Err(errors) => {
                    println!("{errors}");
                    Ok(ExitCode::from(1))
                }
            }
        }
        StandardsCommand::Show { spec, dir } => {
            let dir = dir.unwrap_or_else(|| config.standards_dir.clone());
            let all =
                crate::standards::load_dir(&dir).map_err(|e| CliError::Input(e.to_string()))?;
            let found = crate::standards::find(&all, &spec).ok_or_else(|| {
                CliError::Input(format!("no standard {spec} in {}", dir.display()))
            })?;
            print!("{}", crate::standards::outline(&found.standard));
            Ok(ExitCode::SUCCESS)
        }
        StandardsCommand::Schema => {
            println!("{}", crate::standards::json_schema_text());
            Ok(ExitCode::SUCCESS)
        }
        StandardsCommand::Import { .. } | StandardsCommand::Export { .. } => {
            standards_exchange(config, command)
        }
    }
}

/// `attest standards import` and `attest standards export`.
fn standards_exchange(config: &Config, command: StandardsCommand) -> Result<ExitCode, CliError> {
    use crate::standards::import;
    let write = |output: Option<&std::path::Path>, text: &str| -> Result<(), CliError> {
        match output {
            Some(path) => std::fs::write(path, text)
                .map_err(|e| CliError::Runtime(format!("cannot write {}: {e}", path.display()))),
            None => {
                print!("{text}");
                Ok(())
            }
        }
    };
    match command {
        StandardsCommand::Import {
            from,
            file,
            output,
            code,
            version,
            framework,
        } => {
            let bytes = crate::standards::limits::read_bounded(&file)
                .map_err(|e| CliError::Input(format!("{}: cannot read: {e}", file.display())))?;
            let text = String::from_utf8(bytes)
                .map_err(|_| CliError::Input(format!("{}: not UTF-8 text", file.display())))?;
            let options = import::ImportOptions {
                code,
                version,
                framework,
            };
            let imported = if from == "case" {
                import::import_case(&text, &options)
            } else {
                import::import_moodle_csv(&text, &options)
            }
            .map_err(|e| CliError::Input(format!("{}:{e}", file.display())))?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            write(output.as_deref(), &imported.to_yaml(&name))?;
            for problem in &imported.problems {
                eprintln!("{}:{problem}", file.display());
            }
            let s = &imported.standard;
            eprintln!(
                "imported {} {} v{}: {} outcomes, {} criteria, {} knowledge items; {} element(s) not imported{}",
                s.framework,
                s.code,
                s.version,
                s.outcomes.len(),
                s.outcomes.iter().map(|o| o.criteria.len()).sum::<usize>(),
                s.knowledge.len(),
                imported.problems.len(),
                if imported.draft_rules {
                    "; the evidence rules are a DRAFT to complete"
                } else {
                    ""
                }
            );
            Ok(if imported.problems.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        StandardsCommand::Export {
            to: _,
            spec,
            dir,
            output,
        } => {
            let dir = dir.unwrap_or_else(|| config.standards_dir.clone());
            let all =
                crate::standards::load_dir(&dir).map_err(|e| CliError::Input(e.to_string()))?;
            let found = crate::standards::find(&all, &spec).ok_or_else(|| {
                CliError::Input(format!("no standard {spec} in {}", dir.display()))
            })?;
            let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            let (package, left_out) = import::export_case(&found.standard, &now);
            let mut text = serde_json::to_string_pretty(&package)
                .map_err(|e| CliError::Runtime(e.to_string()))?;
            text.push('\n');
            write(output.as_deref(), &text)?;
            for line in left_out {
                eprintln!("{}: {line}", found.path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        _ => Ok(ExitCode::SUCCESS),
    }
}

fn evaluate(
    standard_file: &std::path::Path,
    portfolio_file: &std::path::Path,
    view: &str,
    format: &str,
) -> Result<ExitCode, CliError> {
    use crate::rules::{Format, View};
    let view = if view == "claimed" {
        View::Claimed
    } else {
        View::Confirmed
    };
    let format = if format == "json" {
        Format::Json
    } else {
        Format::Text
    };
    let mut out = std::io::stdout().lock();
    match crate::rules::evaluate_files(standard_file, portfolio_file, view, format, &mut out) {
        Ok(true) => Ok(ExitCode::SUCCESS),
        Ok(false) => Ok(ExitCode::from(1)),
        Err(err) => Err(CliError::Input(err.to_string())),
    }
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
