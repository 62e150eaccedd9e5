//! `attest retention` and `attest files`: how long records are kept, and the evidence file store.

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub(in crate::cli) enum RetentionCommand {
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
pub(in crate::cli) enum FilesCommand {
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
