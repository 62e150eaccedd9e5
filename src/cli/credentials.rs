//! Credentials and the trail's anchors from the command line: `verify-statement` (offline),
//! `audit verify --checkpoint`, `audit checkpoint`, `keys list` and `keys rotate`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::CliError;
use crate::checkpoints;
use crate::config::Config;
use crate::credentials::verify::{self, StatusList, Unreadable};
use crate::keys::{self, INSTANCE, PublicKey};
use crate::setup;

fn read(path: &Path, what: &str) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|e| CliError::Input(format!("{what} {}: {e}", path.display())))
}

/// The keys in a JWKS or DID document file.
fn keys_file(path: &Path) -> Result<Vec<PublicKey>, CliError> {
    let bytes = read(path, "--keys")?;
    let document: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
        CliError::Input(format!(
            "--keys {}:{}:{}: not JSON: {e}",
            path.display(),
            e.line(),
            e.column()
        ))
    })?;
    Ok(keys::keys_from_document(&document))
}

/// Every key this instance has published (for checks made where the database is).
fn local_keys(config: &Config) -> Result<Vec<PublicKey>, CliError> {
    let db = setup::open_database(config, true)?;
    let mut conn = db.conn().map_err(|e| CliError::Runtime(e.to_string()))?;
    keys::public_keys(&mut conn, None).map_err(|e| CliError::Runtime(e.to_string()))
}

/// `attest verify-statement FILE [--keys FILE] [--status-list FILE]`: exit 0 valid, 1 revoked,
/// tampered or unknown key, 2 when the input cannot be read.
pub(super) fn verify_statement(
    file: &Path,
    keys_path: Option<&Path>,
    status_list: Option<&Path>,
) -> Result<ExitCode, CliError> {
    let bytes = read(file, "")?;
    let token = verify::extract(&bytes)
        .map_err(|e: Unreadable| CliError::Input(format!("{}: {e}", file.display())))?;
    let keys = match keys_path {
        Some(path) => keys_file(path)?,
        None => local_keys(&Config::from_env()?)?,
    };
    let list = match status_list {
        Some(path) => Some(
            String::from_utf8(read(path, "--status-list")?)
                .map_err(|_| {
                    CliError::Input(format!("--status-list {}: not text", path.display()))
                })?
                .trim()
                .to_owned(),
        ),
        None => None,
    };
    let report = verify::check(&token, &keys, list.as_deref().map(|jws| StatusList { jws }))
        .map_err(|e| CliError::Input(format!("{}: {e}", file.display())))?;
    let verdict = serde_json::to_value(report.verdict)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
        .unwrap_or_default();
    println!("{verdict}: {}", report.detail);
    let subject = &report.credential["credentialSubject"];
    println!(
        "  {} — {} — issued by {} on {}",
        subject["identifier"][0]["identityHash"]
            .as_str()
            .unwrap_or("(no name)"),
        report.credential["name"].as_str().unwrap_or_default(),
        report.credential["issuer"]["name"]
            .as_str()
            .unwrap_or_default(),
        report.credential["validFrom"].as_str().unwrap_or_default(),
    );
    Ok(ExitCode::from(report.verdict.exit_code()))
}

/// The checkpoint a file holds: a checkpoint file, a statement PDF (attached), or a portfolio
/// archive or JSON document with an `audit_checkpoint` field (e.g. its manifest).
fn checkpoint_in(path: &Path) -> Result<String, CliError> {
    let bytes = read(path, "--checkpoint")?;
    let bad = |why: String| CliError::Input(format!("--checkpoint {}: {why}", path.display()));
    if bytes.starts_with(b"%PDF-") {
        let files = crate::output::pdf::attachments(&bytes).map_err(|e| bad(e.to_string()))?;
        return files
            .into_iter()
            .find(|(name, _)| name == checkpoints::ATTACHMENT)
            .map(|(_, content)| String::from_utf8_lossy(&content).trim().to_owned())
            .ok_or_else(|| bad("the PDF carries no audit checkpoint".into()));
    }
    let json = if bytes.starts_with(b"PK") {
        let mut zip =
            zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| bad(e.to_string()))?;
        let mut manifest = String::new();
        zip.by_name("manifest.json")
            .map_err(|e| bad(format!("no manifest.json: {e}")))?
            .read_to_string(&mut manifest)
            .map_err(|e| bad(e.to_string()))?;
        manifest
    } else {
        String::from_utf8(bytes).map_err(|_| bad("not text".into()))?
    };
    let text = json.trim();
    if !text.starts_with('{') {
        return Ok(text.to_owned());
    }
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| bad(format!("{}:{}: not JSON: {e}", e.line(), e.column())))?;
    value["audit_checkpoint"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| bad("no audit_checkpoint field".into()))
}

/// `attest audit verify [--checkpoint FILE]… [--keys FILE]`: the chain, then every kept checkpoint
/// and every one given, against the instance keys (from `--keys` when the auditor kept them).
pub(super) fn audit_verify(
    config: &Config,
    files: &[PathBuf],
    keys_path: Option<&Path>,
) -> Result<ExitCode, CliError> {
    let given: Vec<(String, String)> = files
        .iter()
        .map(|f| Ok((f.display().to_string(), checkpoint_in(f)?)))
        .collect::<Result<_, CliError>>()?;
    let db = setup::open_database(config, true)?;
    let mut conn = db.conn().map_err(|e| CliError::Runtime(e.to_string()))?;
    let runtime = |e: diesel::result::Error| CliError::Runtime(e.to_string());
    let keys = match keys_path {
        Some(path) => keys_file(path)?,
        None => keys::public_keys(&mut conn, Some(INSTANCE)).map_err(runtime)?,
    };
    let chain = crate::audit::verify(&mut conn).map_err(runtime)?;
    let mut intact = true;
    match &chain.broken {
        None if chain.erased > 0 => println!(
            "audit trail chain intact: {} entries ({} with their content erased on request, each named by an audit.erase entry)",
            chain.entries, chain.erased
        ),
        None => println!("audit trail chain intact: {} entries", chain.entries),
        Some(link) => {
            intact = false;
            println!(
                "audit trail BROKEN at entry {}: {} ({} entries before it check out)",
                link.seq, link.reason, chain.entries
            );
        }
    }
    let kept = checkpoints::kept(&mut conn).map_err(runtime)?;
    let mut all: Vec<(String, String)> = kept
        .into_iter()
        .map(|(seq, at, jws)| (format!("kept checkpoint {seq} ({at})"), jws))
        .collect();
    all.extend(given);
    for (source, token) in &all {
        let finding = checkpoints::check(&mut conn, token, &keys).map_err(runtime)?;
        intact &= finding.holds();
        let mark = if finding.holds() { "ok" } else { "FAILED" };
        println!("{mark}: {source}: {}", finding.describe());
    }
    if all.is_empty() {
        println!(
            "no checkpoint to check against: a removed tail would not show (keep one with `attest audit checkpoint -o FILE`)"
        );
    }
    Ok(if intact {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `attest audit checkpoint [-o FILE]`: signs the trail's present head and prints or writes it.
pub(super) fn audit_checkpoint(config: &Config, out: Option<&Path>) -> Result<ExitCode, CliError> {
    let db = setup::open_database(config, true)?;
    let keys = setup::key_ring(config)?;
    let mut conn = db.conn().map_err(|e| CliError::Runtime(e.to_string()))?;
    let jws = crate::db::write_transaction(&mut conn, |c| {
        checkpoints::take(c, &keys, &config.public_url, chrono::Utc::now())
    })
    .map_err(|e| CliError::Runtime(e.to_string()))?;
    match out {
        Some(path) => {
            std::fs::write(path, format!("{jws}\n"))
                .map_err(|e| CliError::Input(format!("-o {}: {e}", path.display())))?;
            println!("wrote the checkpoint to {}", path.display());
        }
        None => println!("{jws}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// `attest keys list`: every issuer key, active and retired.
pub(super) fn keys_list(config: &Config) -> Result<ExitCode, CliError> {
    for key in local_keys(config)? {
        let state = key
            .retired_at
            .map_or_else(|| "active".to_owned(), |at| format!("retired {at}"));
        println!(
            "{}  {:<36}  {}  {state}",
            key.kid, key.scope, key.created_at
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `attest keys rotate [--org ORG]`: retires the active key and makes a new one; the old public
/// key stays published.
pub(super) fn keys_rotate(config: &Config, org: Option<&str>) -> Result<ExitCode, CliError> {
    let db = setup::open_database(config, true)?;
    let keys = setup::key_ring(config)?;
    let mut conn = db.conn().map_err(|e| CliError::Runtime(e.to_string()))?;
    let scope = match org {
        Some(org) => {
            let found = crate::identity::find_organisation(&mut conn, org)
                .map_err(|_| CliError::Input(format!("--org: no organisation {org}")))?;
            keys.scope_of(found.id)
        }
        None => INSTANCE.to_owned(),
    };
    let new =
        crate::db::write_transaction(&mut conn, |c| keys.rotate(c, &scope, chrono::Utc::now()))
            .map_err(|e| match e {
                crate::keys::KeyError::Supplied => CliError::Input(e.to_string()),
                other => CliError::Runtime(other.to_string()),
            })?;
    println!(
        "new key {} for {scope}; the old one stays published",
        new.kid
    );
    Ok(ExitCode::SUCCESS)
}
