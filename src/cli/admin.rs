//! Administration from the command line: organisations, users, the audit chain.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use super::{CliError, OrgCommand, UserCommand};
use chrono::{DateTime, NaiveDate, Utc};

use crate::action::{Acting, ActionError};
use crate::auth::policy::Role;
use crate::config::Config;
use crate::db::ids::{OrgId, UserId};
use crate::db::{Database, DbConnection, write_transaction};
use crate::identity::{self, NewOrganisation, NewUser, actions};
use crate::setup;

fn database(config: &Config) -> Result<Database, CliError> {
    Ok(setup::open_database(config, true)?)
}

pub(super) fn org(config: &Config, command: OrgCommand) -> Result<ExitCode, CliError> {
    let OrgCommand::Add {
        name,
        country,
        nzqa_provider_number,
        sqa_centre_number,
    } = command;
    let db = database(config)?;
    let mut conn = db.conn().map_err(|e| CliError::Runtime(e.to_string()))?;
    let new = NewOrganisation {
        name,
        country,
        nzqa_provider_number,
        sqa_centre_number,
    };
    let acting = Acting::console(Utc::now());
    let org = write_transaction(&mut conn, |c| actions::create_organisation(c, &acting, new))?;
    println!("created organisation {} ({})", org.name, org.id);
    Ok(ExitCode::SUCCESS)
}

pub(super) fn user(config: &Config, command: UserCommand) -> Result<ExitCode, CliError> {
    let db = database(config)?;
    let mut conn = db.conn().map_err(|e| CliError::Runtime(e.to_string()))?;
    match command {
        UserCommand::Add {
            org,
            email,
            name,
            role,
            national_learner_number,
            password_stdin,
        } => {
            let password = read_password(password_stdin)?;
            let acting = Acting::console(Utc::now());
            let (user, _) = write_transaction(&mut conn, |c| {
                let org_id = org_named(c, &org)?;
                actions::create_user(
                    c,
                    &acting,
                    org_id,
                    NewUser {
                        email,
                        name,
                        password: Some(password),
                        role,
                        national_learner_number,
                    },
                )
            })?;
            println!("created user {} <{}> ({})", user.name, user.email, user.id);
        }
        UserCommand::Grant {
            org,
            email,
            role,
            expires,
        } => {
            let role = role
                .parse::<Role>()
                .map_err(|e| CliError::Input(format!("--role: {e}")))?;
            let expires_at = expires.as_deref().map(parse_expiry).transpose()?;
            identity::check_grant_expiry(role, expires_at, Utc::now()).map_err(|_| {
                CliError::Input(match expires_at {
                    None => "--expires: is required for an external verifier".to_owned(),
                    Some(_) => "--expires: must be in the future".to_owned(),
                })
            })?;
            let acting = Acting::console(Utc::now());
            write_transaction(&mut conn, |c| {
                let org_id = org_named(c, &org)?;
                let user_id = user_with_email(c, "--email", &email)?;
                actions::grant_role(c, &acting, org_id, user_id, role, expires_at)
            })?;
            match expires_at {
                Some(at) => println!(
                    "granted {} to {email} until {}",
                    role.as_str(),
                    at.to_rfc3339()
                ),
                None => println!("granted {} to {email}", role.as_str()),
            }
        }
        UserCommand::Import { org, file, dry_run } => {
            let catalogue = setup::load_catalogue(config, &db)?;
            return import(config, &catalogue, &mut conn, &org, &file, dry_run);
        }
        UserCommand::Disable { email } => {
            let acting = Acting::console(Utc::now());
            write_transaction(&mut conn, |c| {
                let user_id = user_with_email(c, "email", &email)?;
                actions::deactivate_account(c, &acting, user_id)
            })?;
            println!("disabled {email}; their sessions have ended");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `attest user import`: every problem as FILE:LINE: column: reason, or everyone added (or, in a
/// dry run, who would be) with their invitation links.
fn import(
    config: &Config,
    catalogue: &crate::catalogue::Catalogue,
    conn: &mut crate::db::DbConnection,
    org: &str,
    file: &std::path::Path,
    dry_run: bool,
) -> Result<ExitCode, CliError> {
    use crate::identity::import::{self, ImportError};
    let bytes = std::fs::read(file)
        .map_err(|e| CliError::Input(format!("{}: cannot read: {e}", file.display())))?;
    let acting = Acting::console(Utc::now());
    // The rows are checked before the database is touched, as they always were: a bad file
    // names its problems whatever the organisation.
    let outcome = import::read_csv(&bytes).and_then(|_| {
        write_transaction(conn, |c| {
            let org_id = org_named(c, org)?;
            actions::import_people(c, catalogue, &acting, org_id, &bytes, dry_run)
        })
    });
    match outcome {
        Ok(report) => {
            let base = config.public_url.trim_end_matches('/');
            for person in &report.people {
                match &person.invitation {
                    Some(link) => println!(
                        "{}:{}: added {} <{}>: {base}{} (until {})",
                        file.display(),
                        person.line,
                        person.name,
                        person.email,
                        link.path,
                        link.expires_at.format("%Y-%m-%d")
                    ),
                    None => println!(
                        "{}:{}: would add {} <{}>",
                        file.display(),
                        person.line,
                        person.name,
                        person.email
                    ),
                }
            }
            if report.dry_run {
                println!(
                    "dry run: {} people checked, nothing added",
                    report.people.len()
                );
            } else {
                println!("added {} people; send each their link", report.people.len());
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(ImportError::Rows(problems)) => {
            for p in &problems {
                let column = if p.field.is_empty() {
                    String::new()
                } else {
                    format!(" {}:", p.field)
                };
                eprintln!("{}:{}:{column} {}", file.display(), p.line, p.reason);
            }
            Err(CliError::Input(format!(
                "{}: {} problem(s); nobody was added",
                file.display(),
                problems.len()
            )))
        }
        Err(ImportError::Action(err)) => Err(err.into()),
    }
}

/// The organisation `--org` names (by id or name), as its typed id.
fn org_named(conn: &mut DbConnection, org: &str) -> Result<OrgId, ActionError> {
    let found = identity::find_organisation(conn, org)
        .map_err(|_| ActionError::invalid("--org", format!("no organisation named {org}")))?;
    Ok(found.id)
}

/// The account with this email, as its typed id; none is a problem with the `flag` given.
fn user_with_email(
    conn: &mut DbConnection,
    flag: &str,
    email: &str,
) -> Result<UserId, ActionError> {
    let user = identity::find_user_by_email(conn, email)?
        .ok_or_else(|| ActionError::invalid(flag, format!("no user {email}")))?;
    Ok(user.id)
}

/// An RFC 3339 instant, or a date meaning "through that day" (UTC), as the people page takes it.
fn parse_expiry(text: &str) -> Result<DateTime<Utc>, CliError> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|day| day.succ_opt())
        .and_then(|next| next.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| {
            CliError::Input(format!(
                "--expires: '{text}' is not a date (2026-06-30) or an RFC 3339 instant"
            ))
        })
}

/// One line from standard input, or a prompt (without echo where the terminal allows) when interactive.
fn read_password(from_stdin: bool) -> Result<String, CliError> {
    let stdin = std::io::stdin();
    if !from_stdin && stdin.is_terminal() {
        eprint!("Password (at least 10 characters): ");
        std::io::stderr().flush().ok();
    } else if !from_stdin {
        return Err(CliError::Input(
            "no terminal to prompt for the password: pass --password-stdin and pipe it in".into(),
        ));
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::Input(format!("reading the password: {e}")))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
