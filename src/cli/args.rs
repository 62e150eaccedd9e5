//! The command line's shape: every command, subcommand and argument, as clap reads them. What
//! each one does is in the sibling modules.

use clap::{Parser, Subcommand};

use crate::db::ids::{EnrolmentId, ExportBatchId};

/// An ENROLMENT_ID argument, read once here: clap names the argument when it is malformed.
fn enrolment_id(text: &str) -> Result<EnrolmentId, String> {
    text.parse()
        .map_err(|e: crate::db::ids::MalformedId| e.to_string())
}

/// A BATCH_ID argument, read once here: a malformed id names no batch, as an unknown one does
/// (clap names the argument).
fn batch_id(text: &str) -> Result<ExportBatchId, String> {
    text.parse().map_err(|_| format!("no batch {text}"))
}

/// Attest: competency assessment and evidence portfolios against unit standards.
#[derive(Debug, Parser)]
#[command(name = "attest", version, about, long_about = None, after_help = config_help())]
pub struct Cli {
    #[command(subcommand)]
    pub(super) command: Command,
}

#[derive(Debug, Subcommand)]
pub(super) enum Command {
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
        #[arg(value_parser = enrolment_id)]
        enrolment_id: EnrolmentId,
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
pub(super) enum RetentionCommand {
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
pub(super) enum KeysCommand {
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
pub(super) enum SamplingCommand {
    /// Re-run a plan's draw record (downloaded from the plan) and compare: exit 0 identical,
    /// 1 different, 2 not a draw record.
    Verify {
        /// The draw record (.json).
        file: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub(super) enum StandardsCommand {
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
pub(super) struct ResultsArgs {
    /// Organisation name or id.
    #[arg(long)]
    pub(super) org: String,
    /// Only this cohort (name or id).
    #[arg(long)]
    pub(super) cohort: Option<String>,
    /// Only this standard: CODE or CODE@VERSION.
    #[arg(long)]
    pub(super) standard: Option<String>,
    /// Achieved on or after this date (YYYY-MM-DD).
    #[arg(long)]
    pub(super) from: Option<String>,
    /// Achieved on or before this date (YYYY-MM-DD).
    #[arg(long)]
    pub(super) to: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(super) enum ExportCommand {
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
        #[arg(value_parser = batch_id)]
        batch_id: ExportBatchId,
        /// Why (kept in the audit trail).
        #[arg(long)]
        reason: String,
    },
    /// Write a recorded batch's file again: the same bytes as when it was recorded.
    Batch {
        /// The batch id.
        #[arg(value_parser = batch_id)]
        batch_id: ExportBatchId,
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
        #[arg(
            required_unless_present = "cohort",
            conflicts_with = "cohort",
            value_parser = enrolment_id
        )]
        enrolment_id: Option<EnrolmentId>,
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
pub(super) enum OrgCommand {
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
pub(super) enum UserCommand {
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
pub(super) enum AuditCommand {
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
pub(super) enum FilesCommand {
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
