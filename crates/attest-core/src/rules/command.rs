//! `attest evaluate STANDARD_FILE PORTFOLIO_FILE`: the engine for people and tools outside the
//! service. Bad input (a standard or portfolio that does not read, or a portfolio referring to what
//! the standard does not have) is an [`EvaluateError`] whose lines start `file:line:column:`.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::standards::limits;
use crate::standards::position::PositionIndex;
use crate::standards::{Interpretations, LoadErrors, Position, load_file};

use super::portfolio::Portfolio;
use super::references;
use super::report::View;
use super::{evaluate, render_text};

/// How the report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain text for people.
    Text,
    /// The report as JSON (stable field order, one document).
    Json,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "text" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            other => Err(format!(
                "unknown format `{other}`: expected `text` or `json`"
            )),
        }
    }
}

/// Why `attest evaluate` could not produce a report.
#[derive(Debug, thiserror::Error)]
pub enum EvaluateError {
    /// The standard file does not load (its own `file:line:column` lines).
    #[error("{0}")]
    Standard(LoadErrors),
    /// The portfolio file has problems, each with its position.
    #[error("{}", lines(.0))]
    Portfolio(Vec<PortfolioProblem>),
    /// The report could not be written.
    #[error("cannot write the report: {0}")]
    Write(#[source] std::io::Error),
}

impl EvaluateError {
    /// Whether the input was at fault (exit code 2), rather than the output.
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, EvaluateError::Write(_))
    }
}

/// One problem in a portfolio file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortfolioProblem {
    /// The portfolio file.
    pub file: PathBuf,
    /// Where in it; absent when the file could not be read.
    pub position: Option<Position>,
    /// The document path, e.g. `evidence[3].criteria[0].criterion`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for PortfolioProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(position) = self.position {
            write!(f, ":{}:{}", position.line, position.column)?;
        }
        if !self.path.is_empty() {
            write!(f, ": {}", self.path)?;
        }
        write!(f, ": {}", self.message)
    }
}

fn lines(problems: &[PortfolioProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Evaluates the portfolio in `portfolio_file` against the standard in `standard_file` and writes the
/// report to `out`. Returns whether the unit is complete.
pub fn evaluate_files(
    standard_file: &Path,
    portfolio_file: &Path,
    view: View,
    format: Format,
    out: &mut dyn Write,
) -> Result<bool, EvaluateError> {
    let loaded = load_file(standard_file).map_err(EvaluateError::Standard)?;
    let (portfolio, index) = read_portfolio(portfolio_file)?;
    let problems: Vec<PortfolioProblem> = references::check(&loaded.standard, &portfolio)
        .into_iter()
        .map(|problem| PortfolioProblem {
            file: portfolio_file.to_owned(),
            position: Some(index.locate(&problem.path)),
            path: problem.path,
            message: problem.message,
        })
        .collect();
    if !problems.is_empty() {
        return Err(EvaluateError::Portfolio(problems));
    }
    let report = evaluate(&loaded.standard, &portfolio, view, &Interpretations::new());
    match format {
        Format::Text => out.write_all(render_text(&report).as_bytes()),
        Format::Json => serde_json::to_writer_pretty(&mut *out, &report)
            .map_err(std::io::Error::from)
            .and_then(|()| out.write_all(b"\n")),
    }
    .map_err(EvaluateError::Write)?;
    Ok(report.complete)
}

/// Reads a portfolio file (YAML, or JSON, which YAML reads too) strictly, with positions.
pub fn read_portfolio(file: &Path) -> Result<(Portfolio, PositionIndex), EvaluateError> {
    let problem = |position: Option<Position>, path: String, message: String| {
        EvaluateError::Portfolio(vec![PortfolioProblem {
            file: file.to_owned(),
            position,
            path,
            message,
        }])
    };
    let bytes = limits::read_bounded(file)
        .map_err(|error| problem(None, String::new(), format!("cannot read file: {error}")))?;
    if let Some((position, reason)) = limits::oversize(&bytes) {
        return Err(problem(Some(position), String::new(), reason));
    }
    let text = String::from_utf8(bytes).map_err(|error| {
        let reason = format!("the file is not UTF-8 text: {}", error.utf8_error());
        problem(None, String::new(), reason)
    })?;
    let index = PositionIndex::build(&text).map_err(|issues| {
        EvaluateError::Portfolio(
            issues
                .into_iter()
                .map(|issue| PortfolioProblem {
                    file: file.to_owned(),
                    position: Some(issue.position),
                    path: issue.path,
                    message: issue.reason.replace("a standard file", "a portfolio file"),
                })
                .collect(),
        )
    })?;
    let value: serde_yaml::Value = serde_yaml::from_str(&text).map_err(|error| {
        let position = error.location().map(|location| Position {
            line: location.line(),
            column: location.column(),
        });
        problem(position, String::new(), without_location(&error))
    })?;
    let portfolio: Portfolio = serde_path_to_error::deserialize(value).map_err(|error| {
        let path = document_path(error.path());
        let position = index.locate(&path);
        problem(Some(position), path, error.into_inner().to_string())
    })?;
    Ok((portfolio, index))
}

/// serde_path_to_error's path in the form the position index uses (`a.b[0].c`).
fn document_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Unknown => out.push_str(".?"),
        }
    }
    out
}

/// serde_yaml's message without the position it appends (the problem carries its own).
fn without_location(error: &serde_yaml::Error) -> String {
    let message = error.to_string();
    match error.location() {
        Some(location) => {
            let suffix = format!(" at line {} column {}", location.line(), location.column());
            message.replacen(&suffix, "", 1)
        }
        None => message,
    }
}
