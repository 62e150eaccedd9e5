//! `attest org` and `attest user`: organisations and the people in them.

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub(in crate::cli) enum OrgCommand {
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
pub(in crate::cli) enum UserCommand {
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
