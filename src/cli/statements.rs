//! Statements from the command line: one enrolment's PDF, or every issued statement of an
//! organisation rendered into a folder with a progress bar.

use std::path::Path;
use std::process::ExitCode;

use super::CliError;
use crate::action::{Acting, ActionError};
use crate::auth::policy::Action;
use crate::config::Config;
use crate::output::pdf::{FontSet, Fonts};
use crate::setup;
use crate::signoff::actions;
use crate::signoff::statements::StatementRow;

pub(super) fn fonts(config: &Config) -> Result<FontSet, CliError> {
    let input = |e: crate::output::pdf::PdfError| CliError::Input(format!("ATTEST_PDF_FONT: {e}"));
    Fonts::load(config.pdf_font.as_deref())
        .and_then(Fonts::into_set)
        .map_err(input)
}

fn write_pdf(
    conn: &mut crate::db::DbConnection,
    row: &StatementRow,
    fonts: &FontSet,
    out: &Path,
) -> Result<Vec<char>, CliError> {
    let rendered = crate::signoff::statements::stored_pdf(conn, row, fonts)?;
    std::fs::write(out, &rendered.bytes)
        .map_err(|e| CliError::Input(format!("{}: {e}", out.display())))?;
    Ok(rendered.missing_chars)
}

/// `attest statement ENROLMENT_ID -o FILE.pdf`.
pub(super) fn one(
    config: &Config,
    enrolment_id: crate::db::ids::EnrolmentId,
    out: &Path,
) -> Result<ExitCode, CliError> {
    let db = setup::open_database(config, true)?;
    let mut conn = db.conn().map_err(|e| CliError::Runtime(e.to_string()))?;
    let acting = Acting::console(chrono::Utc::now());
    let row = actions::statement_for(&mut conn, &acting, enrolment_id, Action::ReadStatement)
        .map_err(|e| match e {
            // No such enrolment, or none issued yet: as the command always answered.
            ActionError::NotFound => CliError::Input(format!(
                "enrolment {enrolment_id} has no statement of competence yet"
            )),
            other => CliError::Runtime(other.to_string()),
        })?;
    let missing = write_pdf(&mut conn, &row, &fonts(config)?, out)?;
    println!(
        "wrote {} (statement {}, content SHA-256 {})",
        out.display(),
        row.code,
        row.content_hash
    );
    if !missing.is_empty() {
        eprintln!(
            "warning: no font has {:?}; set ATTEST_PDF_FONT to a font that does",
            missing.iter().collect::<String>()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `attest statements --org ORG --out DIR`: every valid statement of the organisation.
pub(super) fn batch(config: &Config, org: &str, dir: &Path) -> Result<ExitCode, CliError> {
    let db = setup::open_database(config, true)?;
    let mut conn = db.conn().map_err(|e| CliError::Runtime(e.to_string()))?;
    let org = crate::identity::find_organisation(&mut conn, org)
        .map_err(|_| CliError::Input(format!("--org: no organisation {org}")))?;
    let org_id = org.id;
    let acting = Acting::console(chrono::Utc::now());
    let mut rows: Vec<StatementRow> = actions::organisation_statements(&mut conn, &acting, org_id)
        .map_err(|e| CliError::Runtime(e.to_string()))?
        .into_iter()
        .filter(|row| row.revoked_at.is_none())
        .collect();
    rows.sort_by(|a, b| a.code.cmp(&b.code));
    std::fs::create_dir_all(dir)
        .map_err(|e| CliError::Input(format!("--out {}: {e}", dir.display())))?;
    let fonts = fonts(config)?;
    let bar = indicatif::ProgressBar::new(rows.len() as u64).with_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} statements {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut missing = 0;
    for row in &rows {
        let file = dir.join(format!("statement-{}.pdf", row.code));
        if !write_pdf(&mut conn, row, &fonts, &file)?.is_empty() {
            missing += 1;
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    println!("wrote {} statements to {}", rows.len(), dir.display());
    if missing > 0 {
        eprintln!("warning: {missing} statements have characters no font has; set ATTEST_PDF_FONT");
    }
    Ok(ExitCode::SUCCESS)
}
