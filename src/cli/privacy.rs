//! `attest retention …`, `attest erase`, `attest export subject`.

use std::path::Path;
use std::process::ExitCode;
use std::time::SystemTime;

use super::CliError;
use crate::action::{Acting, ActionError};
use crate::config::Config;
use crate::privacy::{self, RetentionRules, actions};
use crate::setup;
use crate::storage::LocalStore;

fn runtime(err: impl std::fmt::Display) -> CliError {
    CliError::Runtime(err.to_string())
}

pub(super) fn show(config: &Config, org: &str) -> Result<ExitCode, CliError> {
    let db = setup::open_database(config, true)?;
    let mut conn = db.conn().map_err(runtime)?;
    let org = crate::identity::find_organisation(&mut conn, org)?;
    let acting = Acting::console(chrono::Utc::now());
    let rules = actions::retention_rules(&mut conn, &acting, org.id)?;
    println!(
        "retention rules of {} (days after an enrolment closes):",
        org.name
    );
    for (kind, days) in [
        ("evidence_files", rules.evidence_files),
        ("portfolios", rules.portfolios),
        ("certification_records", rules.certification_records),
        ("audit", rules.audit),
    ] {
        match days {
            Some(days) => println!("  {kind:<22} {days}"),
            None => println!("  {kind:<22} kept indefinitely"),
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn set(
    config: &Config,
    org: &str,
    record_type: &str,
    days: Option<i32>,
) -> Result<ExitCode, CliError> {
    let kind = privacy::RecordType::parse(record_type).ok_or_else(|| {
        CliError::Input(format!(
            "--type {record_type}: use evidence_files, portfolios, certification_records or audit"
        ))
    })?;
    let db = setup::open_database(config, true)?;
    let mut conn = db.conn().map_err(runtime)?;
    let acting = Acting::console(chrono::Utc::now());
    crate::db::write_transaction(&mut conn, |c| {
        let org = crate::identity::find_organisation(c, org)?;
        let org_id = org.id;
        let mut rules: RetentionRules = actions::retention_rules(c, &acting, org_id)?;
        rules.set(kind, days);
        actions::set_retention_rules(c, &acting, org_id, rules)
    })?;
    show(config, org)
}

pub(super) fn apply(config: &Config, dry_run: bool) -> Result<ExitCode, CliError> {
    let db = setup::open_database(config, true)?;
    let mut conn = db.conn().map_err(runtime)?;
    let acting = Acting::console(chrono::Utc::now());
    let report = if dry_run {
        actions::apply_retention(&mut conn, &acting, true)?
    } else {
        crate::db::write_transaction(&mut conn, |c| actions::apply_retention(c, &acting, false))?
    };
    let verb = if dry_run { "would clear" } else { "cleared" };
    for action in &report.actions {
        if action.record_type.removable() {
            println!(
                "{}: {} {} {} evidence records of enrolments closed over {} days ago",
                action.org_id,
                action.record_type.as_str(),
                verb,
                action.evidence.len(),
                action.keep_days
            );
        } else {
            println!(
                "{}: {} kept: {} past the {} days (never removed: the regulator requires them)",
                action.org_id,
                action.record_type.as_str(),
                action.kept_past_period,
                action.keep_days
            );
        }
    }
    if report.actions.is_empty() {
        println!("nothing is past its retention period");
    }
    if !dry_run {
        collect_files(config, &mut conn, true)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Removes stored files no record refers to any more, as `attest files gc` does: only those
/// stored over an hour ago (a file stored in the last hour may be about to be referenced by an
/// upload committing now); the next `attest files gc` removes the rest.
fn collect_files(
    config: &Config,
    conn: &mut crate::db::DbConnection,
    report: bool,
) -> Result<(), CliError> {
    let staging = LocalStore::open(config.data_dir.join("files")).map_err(runtime)?;
    let store = crate::storage::open_store(config, false).map_err(runtime)?;
    let gc = crate::file_gc::collect(conn, store.as_ref(), &staging, SystemTime::now(), false)
        .map_err(runtime)?;
    if report && !gc.orphans.is_empty() {
        println!(
            "removed {} stored files no record refers to",
            gc.orphans.len()
        );
    }
    Ok(())
}

pub(super) fn erase(config: &Config, email: &str, reason: &str) -> Result<ExitCode, CliError> {
    let db = setup::open_database(config, true)?;
    let mut conn = db.conn().map_err(runtime)?;
    let acting = Acting::console(chrono::Utc::now());
    let erasure = crate::db::write_transaction(&mut conn, |c| {
        let user = crate::identity::find_user_by_email(c, email)?.ok_or(ActionError::NotFound)?;
        actions::erase_anywhere(c, &acting, user.id, reason)
    })
    .map_err(|e| match e {
        ActionError::NotFound => CliError::Input(format!("no user {email}")),
        other => other.into(),
    })?;
    collect_files(config, &mut conn, false)?;
    println!(
        "erased {email} (user {}): account anonymised, {} evidence records cleared, {} answers to questions cleared, {} audit entries anonymised (the chain still verifies), {} enrolments kept as certification records",
        erasure.user_id,
        erasure.evidence_cleared,
        erasure.answers_cleared,
        erasure.audit_entries_anonymised,
        erasure.enrolments_kept
    );
    Ok(ExitCode::SUCCESS)
}

pub(super) fn subject(config: &Config, email: &str, out: &Path) -> Result<ExitCode, CliError> {
    let db = setup::open_database(config, true)?;
    let catalogue = setup::load_catalogue(config, &db)?;
    let fonts = super::statements::fonts(config)?;
    let store = crate::storage::open_store(config, false).map_err(runtime)?;
    let mut conn = db.conn().map_err(runtime)?;
    let user = crate::identity::find_user_by_email(&mut conn, email)?
        .ok_or_else(|| CliError::Input(format!("no user {email}")))?;
    let acting = Acting::console(chrono::Utc::now());
    // As before, the console's export is everything held about the person and is not recorded
    // in the trail (the operator holds the database it is read from).
    let (export, _scope) =
        actions::subject_export(&mut conn, &catalogue, &fonts, &acting, user.id)?;
    let written =
        crate::exports::subject::write_folder(&export, store.as_ref(), out).map_err(runtime)?;
    println!(
        "wrote {} (account data and {} portfolio archives)",
        out.display(),
        written
    );
    Ok(ExitCode::SUCCESS)
}
