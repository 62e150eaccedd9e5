//! Standards from other formats and back: 1EdTech CASE 1.1 (a `CFPackage` JSON document) and
//! Moodle's competency framework CSV (as `tool_lpimportcsv` reads and writes it).
//!
//! Importing gives a [`Standard`] in the project's own schema with the evidence rules left as a
//! clearly marked draft (neither format carries evidence counts), and a list of [`Problem`]s:
//! every element that could not be read or has no place in a standard, by its position in the
//! file. Nothing is dropped without a problem naming it. Pure: no I/O.

mod case;
mod moodle;

use std::fmt;

pub use case::{export_case, import_case};
pub use moodle::import_moodle_csv;

use super::model::{Binding, Standard, Status};
use super::position::Position;
use super::rule::{Check, Confidence, Coverage, Provenance, Rule, Scope};

/// What the person importing says that the file does not.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// The standard's code, where the file names none (or to override it).
    pub code: Option<String>,
    /// The version, where the file gives none (or to override it).
    pub version: Option<u32>,
    /// The framework (awarding body family), e.g. `NZQA`.
    pub framework: Option<String>,
}

/// One element of the source that was not read, or not read as it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where in the file; absent for the file as a whole.
    pub position: Option<Position>,
    /// The element, e.g. `CFItems[3]` or `row 12, column "Id number"`.
    pub element: String,
    /// What is wrong, and what the import did about it.
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(position) = self.position {
            write!(f, "{}:{}: ", position.line, position.column)?;
        }
        if !self.element.is_empty() {
            write!(f, "{}: ", self.element)?;
        }
        write!(f, "{}", self.reason)
    }
}

/// A standard read from another format, with everything that could not be read.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The standard (its `status` is `draft`).
    pub standard: Standard,
    /// Unreadable or unplaced elements, in file order.
    pub problems: Vec<Problem>,
    /// Whether the evidence rules are the generated draft (no rules came with the file).
    pub draft_rules: bool,
    /// What the file was, for the header of the YAML (`CASE 1.1 CFPackage`, `Moodle competency framework CSV`).
    pub source_format: &'static str,
}

/// The file could not be read as the format at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ImportFailed(pub Problem);

/// The id prefix of generated draft rules.
pub const DRAFT_RULE_PREFIX: &str = "DRAFT_";

/// The words every generated draft rule and the YAML header carry.
pub const DRAFT_MARK: &str = "DRAFT evidence rule, generated on import";

impl Imported {
    /// The standard as a YAML file in the project's schema, with a header saying where it came
    /// from and, when the evidence rules are the generated draft, what a person must do.
    pub fn to_yaml(&self, source_name: &str) -> String {
        let mut out = String::from("# yaml-language-server: $schema=./schema.json\n#\n");
        out.push_str(&format!(
            "# Imported from {} `{source_name}` by `attest standards import`.\n",
            self.source_format
        ));
        if self.draft_rules {
            out.push_str(
                "#\n# DRAFT: the source carries no evidence rules. The rules below (ids DRAFT_…) only ask\n\
                 # that every criterion and knowledge item is evidenced. Replace them with the source's\n\
                 # evidence requirements (counts, methods, settings, range), quoting its words, then set\n\
                 # `status` to `current` before publishing.\n",
            );
        }
        if !self.problems.is_empty() {
            out.push_str(&format!(
                "#\n# {} element(s) of the source were not imported as they stand (see `attest standards import` output):\n",
                self.problems.len()
            ));
            for problem in &self.problems {
                out.push_str(&format!("#   {}\n", one_line(&problem.to_string())));
            }
        }
        out.push('\n');
        out.push_str(&serde_yaml::to_string(&self.standard).unwrap_or_default());
        out
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The draft rules: coverage of every criterion, and of every knowledge item where there are
/// any, quoting `verbatim` (the source's title) at `locator`.
pub(crate) fn draft_rules(standard: &Standard, verbatim: &str, locator: &str) -> Vec<Rule> {
    let source = |what: &str| Provenance {
        verbatim: verbatim.to_owned(),
        locator: locator.to_owned(),
        binding: Binding::Binding,
        confidence: Confidence::Inferred,
        note: Some(format!(
            "{DRAFT_MARK}: the source carries no evidence rules; this only asks that every {what} \
             is evidenced. Replace it with the source's evidence requirements."
        )),
    };
    let mut rules = vec![Rule {
        id: format!("{DRAFT_RULE_PREFIX}C1"),
        scope: Scope::default(),
        checks: vec![Check::Coverage(Coverage {
            criteria: true,
            knowledge: false,
            lists: Vec::new(),
        })],
        interpretations: Vec::new(),
        default_interpretation: None,
        source: source("criterion"),
    }];
    if !standard.knowledge.is_empty() {
        rules.push(Rule {
            id: format!("{DRAFT_RULE_PREFIX}C2"),
            scope: Scope::default(),
            checks: vec![Check::Coverage(Coverage {
                criteria: false,
                knowledge: true,
                lists: Vec::new(),
            })],
            interpretations: Vec::new(),
            default_interpretation: None,
            source: source("knowledge item"),
        });
    }
    rules
}

/// An empty standard to fill in.
pub(crate) fn blank(framework: String, code: String, version: u32, title: String) -> Standard {
    Standard {
        framework,
        code,
        aliases: Vec::new(),
        version,
        title,
        level: None,
        credits: None,
        scqf_points: None,
        design_length_hours: None,
        classifications: Vec::new(),
        status: Some(Status::Draft),
        dates: Default::default(),
        replaces: Vec::new(),
        replaced_by: Vec::new(),
        originating_body: None,
        purpose: None,
        audience: None,
        references: Vec::new(),
        references_note: None,
        source_fields: Vec::new(),
        definitions: Vec::new(),
        outcomes: Vec::new(),
        ranges: Vec::new(),
        knowledge: Vec::new(),
        attributes: Vec::new(),
        rules: Vec::new(),
        sign_off: None,
        guidance: Vec::new(),
        encoding_notes: Vec::new(),
    }
}

/// An id the standards format accepts: no spaces, commas or `@` (each becomes `_`); `None` when
/// nothing is left.
pub(crate) fn clean_id(raw: &str) -> Option<String> {
    let id: String = raw
        .trim()
        .chars()
        .map(|c| {
            if c.is_whitespace() || c == ',' || c == '@' {
                '_'
            } else {
                c
            }
        })
        .collect();
    (!id.is_empty()).then_some(id)
}

/// Text from HTML (Moodle descriptions, some CASE statements): tags removed, `<br>` and block ends
/// as line breaks, the common entities decoded, runs of spaces within a line collapsed.
pub(crate) fn html_to_text(html: &str) -> String {
    if !html.contains('<') && !html.contains('&') {
        return html.trim().to_owned();
    }
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let tag = rest[start + 1..start + end].trim().to_ascii_lowercase();
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        if name == "br" || (tag.starts_with('/') && matches!(name.as_str(), "p" | "div" | "li")) {
            out.push('\n');
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    decoded
        .lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Line and column (both from 1, the column in characters) of byte `offset` in `text`.
pub(crate) fn position_at(text: &str, offset: usize) -> Position {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    Position { line, column }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_plain_text_with_line_breaks() {
        assert_eq!(
            html_to_text("<p>Level 1 is\ntypically <b>used</b>.<br></p><p>A &amp; B</p>"),
            "Level 1 is\ntypically used.\nA & B"
        );
        assert_eq!(html_to_text("  plain  "), "plain");
    }

    #[test]
    fn ids_lose_spaces_commas_and_at() {
        assert_eq!(clean_id(" DR AT,1@x ").as_deref(), Some("DR_AT_1_x"));
        assert_eq!(clean_id("  "), None);
    }

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "ab\nā c";
        assert_eq!(position_at(text, 0), Position { line: 1, column: 1 });
        assert_eq!(
            position_at(text, text.find('c').unwrap_or(0)),
            Position { line: 2, column: 3 }
        );
    }
}
