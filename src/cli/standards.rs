//! `attest standards …` (check, show, schema, import, export) and `attest evaluate`.

use std::process::ExitCode;

use super::{CliError, StandardsCommand};
use crate::config::Config;

pub(super) fn standards_command(
    config: &Config,
    command: StandardsCommand,
) -> Result<ExitCode, CliError> {
    match command {
        StandardsCommand::Check { dir } => {
            let dir = dir.unwrap_or_else(|| config.standards_dir.clone());
            match crate::standards::load_dir(&dir) {
                Ok(all) => {
                    for loaded in &all {
                        let s = &loaded.standard;
                        println!(
                            "ok  {} {} v{}  {}",
                            s.framework,
                            s.code,
                            s.version,
                            loaded.path.display()
                        );
                    }
                    println!("{} standards, no problems", all.len());
                    Ok(ExitCode::SUCCESS)
                }
                Err(errors) => {
                    println!("{errors}");
                    Ok(ExitCode::from(1))
                }
            }
        }
        StandardsCommand::Show { spec, dir } => {
            let dir = dir.unwrap_or_else(|| config.standards_dir.clone());
            let all =
                crate::standards::load_dir(&dir).map_err(|e| CliError::Input(e.to_string()))?;
            let found = crate::standards::find(&all, &spec).ok_or_else(|| {
                CliError::Input(format!("no standard {spec} in {}", dir.display()))
            })?;
            print!("{}", crate::standards::outline(&found.standard));
            Ok(ExitCode::SUCCESS)
        }
        StandardsCommand::Schema => {
            println!("{}", crate::standards::json_schema_text());
            Ok(ExitCode::SUCCESS)
        }
        StandardsCommand::Import { .. } | StandardsCommand::Export { .. } => {
            standards_exchange(config, command)
        }
    }
}

/// `attest standards import` and `attest standards export`.
fn standards_exchange(config: &Config, command: StandardsCommand) -> Result<ExitCode, CliError> {
    use crate::standards::import;
    let write = |output: Option<&std::path::Path>, text: &str| -> Result<(), CliError> {
        match output {
            Some(path) => std::fs::write(path, text)
                .map_err(|e| CliError::Runtime(format!("cannot write {}: {e}", path.display()))),
            None => {
                print!("{text}");
                Ok(())
            }
        }
    };
    match command {
        StandardsCommand::Import {
            from,
            file,
            output,
            code,
            version,
            framework,
        } => {
            let bytes = crate::standards::limits::read_bounded(&file)
                .map_err(|e| CliError::Input(format!("{}: cannot read: {e}", file.display())))?;
            let text = String::from_utf8(bytes)
                .map_err(|_| CliError::Input(format!("{}: not UTF-8 text", file.display())))?;
            let options = import::ImportOptions {
                code,
                version,
                framework,
            };
            let imported = if from == "case" {
                import::import_case(&text, &options)
            } else {
                import::import_moodle_csv(&text, &options)
            }
            .map_err(|e| CliError::Input(format!("{}:{e}", file.display())))?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            write(output.as_deref(), &imported.to_yaml(&name))?;
            for problem in &imported.problems {
                eprintln!("{}:{problem}", file.display());
            }
            let s = &imported.standard;
            eprintln!(
                "imported {} {} v{}: {} outcomes, {} criteria, {} knowledge items; {} element(s) not imported{}",
                s.framework,
                s.code,
                s.version,
                s.outcomes.len(),
                s.outcomes.iter().map(|o| o.criteria.len()).sum::<usize>(),
                s.knowledge.len(),
                imported.problems.len(),
                if imported.draft_rules {
                    "; the evidence rules are a DRAFT to complete"
                } else {
                    ""
                }
            );
            Ok(if imported.problems.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        StandardsCommand::Export {
            to: _,
            spec,
            dir,
            output,
        } => {
            let dir = dir.unwrap_or_else(|| config.standards_dir.clone());
            let all =
                crate::standards::load_dir(&dir).map_err(|e| CliError::Input(e.to_string()))?;
            let found = crate::standards::find(&all, &spec).ok_or_else(|| {
                CliError::Input(format!("no standard {spec} in {}", dir.display()))
            })?;
            let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            let (package, left_out) = import::export_case(&found.standard, &now);
            let mut text = serde_json::to_string_pretty(&package)
                .map_err(|e| CliError::Runtime(e.to_string()))?;
            text.push('\n');
            write(output.as_deref(), &text)?;
            for line in left_out {
                eprintln!("{}: {line}", found.path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        _ => Ok(ExitCode::SUCCESS),
    }
}

pub(super) fn evaluate(
    standard_file: &std::path::Path,
    portfolio_file: &std::path::Path,
    view: &str,
    format: &str,
) -> Result<ExitCode, CliError> {
    use crate::rules::{Format, View};
    let view = if view == "claimed" {
        View::Claimed
    } else {
        View::Confirmed
    };
    let format = if format == "json" {
        Format::Json
    } else {
        Format::Text
    };
    let mut out = std::io::stdout().lock();
    match crate::rules::evaluate_files(standard_file, portfolio_file, view, format, &mut out) {
        Ok(true) => Ok(ExitCode::SUCCESS),
        Ok(false) => Ok(ExitCode::from(1)),
        Err(err) => Err(CliError::Input(err.to_string())),
    }
}
