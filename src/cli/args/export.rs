//! `attest export`: results files and the report-once ledger, badges, subject-access exports and
//! portfolio archives.

use clap::Subcommand;

use super::enrolment_id;
use crate::db::ids::{EnrolmentId, ExportBatchId};

/// A BATCH_ID argument, read once here: a malformed id names no batch, as an unknown one does
/// (clap names the argument).
fn batch_id(text: &str) -> Result<ExportBatchId, String> {
    text.parse().map_err(|_| format!("no batch {text}"))
}

/// The filters shared by results and badges.
#[derive(Debug, clap::Args)]
pub(in crate::cli) struct ResultsArgs {
    /// Organisation name or id.
    #[arg(long)]
    pub(in crate::cli) org: String,
    /// Only this cohort (name or id).
    #[arg(long)]
    pub(in crate::cli) cohort: Option<String>,
    /// Only this standard: CODE or CODE@VERSION.
    #[arg(long)]
    pub(in crate::cli) standard: Option<String>,
    /// Achieved on or after this date (YYYY-MM-DD).
    #[arg(long)]
    pub(in crate::cli) from: Option<String>,
    /// Achieved on or before this date (YYYY-MM-DD).
    #[arg(long)]
    pub(in crate::cli) to: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(in crate::cli) enum ExportCommand {
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
