//! The command line's shape: every command, subcommand and argument, as clap reads them. What
//! each one does is in the sibling modules.

mod assurance;
mod export;
mod people;
mod records;
mod standards;

use clap::{Parser, Subcommand};

use crate::db::ids::EnrolmentId;

pub(super) use assurance::{AuditCommand, KeysCommand, SamplingCommand};
pub(super) use export::{ExportCommand, ResultsArgs};
pub(super) use people::{OrgCommand, UserCommand};
pub(super) use records::{FilesCommand, RetentionCommand};
pub(super) use standards::StandardsCommand;

/// An ENROLMENT_ID argument, read once here: clap names the argument when it is malformed.
fn enrolment_id(text: &str) -> Result<EnrolmentId, String> {
    text.parse()
        .map_err(|e: crate::db::ids::MalformedId| e.to_string())
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

fn config_help() -> String {
    let mut text = String::from("Configuration (environment variables):\n");
    for (name, default, meaning) in crate::config::VARIABLES {
        text.push_str(&format!("  {name:<22} {meaning} [default: {default}]\n"));
    }
    text
}
