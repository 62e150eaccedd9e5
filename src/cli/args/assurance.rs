//! `attest audit`, `attest keys` and `attest sampling`: checking the audit trail, the issuer keys,
//! and re-running an IV sampling draw.

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub(in crate::cli) enum AuditCommand {
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
pub(in crate::cli) enum KeysCommand {
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
pub(in crate::cli) enum SamplingCommand {
    /// Re-run a plan's draw record (downloaded from the plan) and compare: exit 0 identical,
    /// 1 different, 2 not a draw record.
    Verify {
        /// The draw record (.json).
        file: std::path::PathBuf,
    },
}
