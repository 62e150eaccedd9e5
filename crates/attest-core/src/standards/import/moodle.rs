//! Moodle's competency framework CSV, as `tool_lpimportcsv` documents, reads and writes it: a
//! header row, one row for the framework (`Is framework` = 1) and one per competency, each naming
//! its parent by id number (empty for a top-level competency).
//!
//! The tree becomes a standard: the framework row gives code (`Id number`), title (`Short name`)
//! and purpose (`Description`); a top-level competency is an outcome and its children are its
//! criteria, except a top-level competency whose short name begins "Knowledge", whose children
//! are knowledge items. Deeper competencies, completion rules, cross-references and scales have
//! no place in a standard and are reported.

use std::collections::HashMap;

use super::super::model::{Criterion, KnowledgeItem, Outcome, SourceField};
use super::super::position::Position;
use super::{
    ImportFailed, ImportOptions, Imported, Problem, blank, clean_id, draft_rules, html_to_text,
};

/// The columns, by their header with case, spaces, hyphens and "(optional)" ignored.
const COLUMNS: [(&str, Column); 14] = [
    ("parentidnumber", Column::Parent),
    ("idnumber", Column::Id),
    ("shortname", Column::ShortName),
    ("description", Column::Description),
    ("descriptionformat", Column::DescriptionFormat),
    ("scalevalues", Column::ScaleValues),
    ("scaleconfiguration", Column::ScaleConfiguration),
    ("ruletype", Column::RuleType),
    ("ruleoutcome", Column::RuleOutcome),
    ("ruleconfig", Column::RuleConfig),
    ("crossreferencedcompetencyidnumbers", Column::Related),
    ("exportedid", Column::ExportId),
    ("isframework", Column::IsFramework),
    ("taxonomy", Column::Taxonomy),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Column {
    Parent,
    Id,
    ShortName,
    Description,
    DescriptionFormat,
    ScaleValues,
    ScaleConfiguration,
    RuleType,
    RuleOutcome,
    RuleConfig,
    Related,
    ExportId,
    IsFramework,
    Taxonomy,
}

fn normalise_header(header: &str) -> String {
    header
        .to_ascii_lowercase()
        .replace("(optional)", "")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

struct Row {
    line: usize,
    parent: String,
    id: String,
    short_name: String,
    description: String,
}

/// Reads a Moodle competency framework CSV (UTF-8, comma-separated, as Moodle exports it).
pub fn import_moodle_csv(text: &str, options: &ImportOptions) -> Result<Imported, ImportFailed> {
    let fail = |line: usize, reason: String| {
        ImportFailed(Problem {
            position: Some(Position { line, column: 1 }),
            element: String::new(),
            reason,
        })
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(header)) => header,
        Some(Err(error)) => return Err(fail(1, format!("not CSV: {error}"))),
        None => return Err(fail(1, "the file is empty".into())),
    };
    let mut problems = Vec::new();
    let mut columns: HashMap<Column, usize> = HashMap::new();
    for (index, name) in header.iter().enumerate() {
        let normal = normalise_header(name);
        match COLUMNS.iter().find(|(known, _)| *known == normal) {
            Some((_, column)) => {
                columns.entry(*column).or_insert(index);
            }
            None => problems.push(Problem {
                position: Some(Position { line: 1, column: 1 }),
                element: format!("column {} \"{name}\"", index + 1),
                reason:
                    "not a column of Moodle's competency framework CSV; its values are not imported"
                        .into(),
            }),
        }
    }
    for (required, column) in [
        ("Parent ID number", Column::Parent),
        ("ID number", Column::Id),
        ("Short name", Column::ShortName),
        ("Is framework", Column::IsFramework),
    ] {
        if !columns.contains_key(&column) {
            return Err(fail(
                1,
                format!(
                    "the header row has no \"{required}\" column (expected Moodle's headers: \
                     Parent ID number, ID number, Short name, Description, …, Is framework, Taxonomy)"
                ),
            ));
        }
    }
    let mut framework: Option<(Row, Vec<SourceField>)> = None;
    let mut rows: Vec<Row> = Vec::new();
    for record in records {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error
                    .position()
                    .map_or(1, |p| usize::try_from(p.line()).unwrap_or(1));
                problems.push(Problem {
                    position: Some(Position { line, column: 1 }),
                    element: "row".into(),
                    reason: format!("not readable as CSV ({error}); not imported"),
                });
                continue;
            }
        };
        let line = record
            .position()
            .map_or(1, |p| usize::try_from(p.line()).unwrap_or(1));
        let at = Some(Position { line, column: 1 });
        let get = |column: Column| {
            columns
                .get(&column)
                .and_then(|&i| record.get(i))
                .unwrap_or("")
                .trim()
                .to_owned()
        };
        if record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        let row = Row {
            line,
            parent: get(Column::Parent),
            id: get(Column::Id),
            short_name: get(Column::ShortName),
            description: get(Column::Description),
        };
        let is_framework = !matches!(get(Column::IsFramework).as_str(), "" | "0");
        let name = if row.id.is_empty() {
            format!("row at line {line}")
        } else {
            format!("competency \"{}\"", row.id)
        };
        if is_framework {
            if framework.is_some() {
                problems.push(Problem {
                    position: at,
                    element: format!("framework \"{}\"", row.id),
                    reason: "a second framework row; only the first is imported".into(),
                });
                continue;
            }
            let mut fields = Vec::new();
            for (label, column) in [
                ("Scale values", Column::ScaleValues),
                ("Scale configuration", Column::ScaleConfiguration),
                ("Taxonomy", Column::Taxonomy),
            ] {
                let value = get(column);
                if !value.is_empty() {
                    fields.push(SourceField {
                        label: format!("Moodle {label}"),
                        value,
                    });
                }
            }
            framework = Some((row, fields));
            continue;
        }
        let rule_type = get(Column::RuleType);
        if !rule_type.is_empty() && rule_type != "null" {
            problems.push(Problem {
                position: at,
                element: format!("{name}, Rule type"),
                reason: format!(
                    "Moodle's completion rule `{rule_type}` is not imported: evidence rules are written by a person"
                ),
            });
        }
        let related = get(Column::Related);
        if !related.is_empty() {
            problems.push(Problem {
                position: at,
                element: format!("{name}, Cross-referenced competency ID numbers"),
                reason: format!(
                    "cross-references ({related}) have no place in a standard; not imported"
                ),
            });
        }
        if !get(Column::ScaleValues).is_empty() {
            problems.push(Problem {
                position: at,
                element: format!("{name}, Scale values"),
                reason: "a competency's own rating scale is not imported (a standard is met or not yet met)".into(),
            });
        }
        if row.id.is_empty() || row.short_name.is_empty() {
            problems.push(Problem {
                position: at,
                element: name,
                reason: "a competency needs an ID number and a short name (Moodle skips it too); not imported".into(),
            });
            continue;
        }
        rows.push(row);
    }
    let Some((framework, fields)) = framework else {
        return Err(fail(
            1,
            "no framework row (a row with \"Is framework\" = 1)".into(),
        ));
    };
    build(framework, fields, rows, options, problems)
}

fn build(
    framework: Row,
    fields: Vec<SourceField>,
    rows: Vec<Row>,
    options: &ImportOptions,
    mut problems: Vec<Problem>,
) -> Result<Imported, ImportFailed> {
    let code = options.code.clone().unwrap_or_else(|| framework.id.clone());
    let title = if framework.short_name.is_empty() {
        code.clone()
    } else {
        framework.short_name.clone()
    };
    let mut standard = blank(
        options.framework.clone().unwrap_or_else(|| "Moodle".into()),
        code,
        options.version.unwrap_or(1),
        title.clone(),
    );
    let purpose = html_to_text(&framework.description);
    if !purpose.is_empty() {
        standard.purpose = Some(purpose);
    }
    standard.source_fields = fields;
    standard.source_fields.push(SourceField {
        label: "Moodle framework ID number".into(),
        value: framework.id.clone(),
    });
    standard.encoding_notes.push(
        "Imported from a Moodle competency framework CSV: top-level competencies are outcomes, \
         their children criteria (a top-level competency named \"Knowledge …\" holds knowledge \
         items); texts are the competencies' descriptions (HTML removed), or their short names \
         where there is no description."
            .into(),
    );
    let index: HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, row)| (row.id.as_str(), i))
        .collect();
    let children = |parent: &str| -> Vec<&Row> {
        rows.iter()
            .filter(|row| row.parent == parent && row.id != parent)
            .collect()
    };
    for row in &rows {
        if !row.parent.is_empty()
            && row.parent != framework.id
            && !index.contains_key(row.parent.as_str())
        {
            problems.push(Problem {
                position: Some(Position {
                    line: row.line,
                    column: 1,
                }),
                element: format!("competency \"{}\"", row.id),
                reason: format!(
                    "its parent \"{}\" is not in the file; not imported",
                    row.parent
                ),
            });
        }
    }
    let mut top: Vec<&Row> = children("");
    if !framework.id.is_empty() {
        top.extend(children(&framework.id));
        top.sort_by_key(|row| row.line);
    }
    let text_of = |row: &Row| {
        let text = html_to_text(&row.description);
        if text.is_empty() {
            row.short_name.clone()
        } else {
            text
        }
    };
    let report_below = |row: &Row, problems: &mut Vec<Problem>| {
        let mut stack: Vec<&Row> = children(&row.id);
        stack.reverse();
        while let Some(deeper) = stack.pop() {
            problems.push(Problem {
                position: Some(Position {
                    line: deeper.line,
                    column: 1,
                }),
                element: format!("competency \"{}\"", deeper.id),
                reason: format!(
                    "nested below criterion \"{}\": a standard has outcomes and criteria only; not imported",
                    row.id
                ),
            });
            let mut below = children(&deeper.id);
            below.reverse();
            stack.extend(below);
        }
    };
    for outcome_row in top {
        let under = children(&outcome_row.id);
        let id = clean_id(&outcome_row.id).unwrap_or_default();
        if outcome_row
            .short_name
            .to_ascii_lowercase()
            .starts_with("knowledge")
        {
            for item in under {
                standard.knowledge.push(KnowledgeItem {
                    id: clean_id(&item.id).unwrap_or_default(),
                    label: None,
                    text: text_of(item),
                });
                report_below(item, &mut problems);
            }
            continue;
        }
        if under.is_empty() {
            problems.push(Problem {
                position: Some(Position {
                    line: outcome_row.line,
                    column: 1,
                }),
                element: format!("competency \"{}\"", outcome_row.id),
                reason: "a top-level competency with no children is an outcome without criteria; not imported".into(),
            });
            continue;
        }
        let mut outcome = Outcome {
            id,
            label: None,
            title: text_of(outcome_row),
            criteria: Vec::new(),
            range: Vec::new(),
        };
        for criterion in under {
            outcome.criteria.push(Criterion {
                id: clean_id(&criterion.id).unwrap_or_default(),
                label: None,
                text: text_of(criterion),
                condition: None,
                range: Vec::new(),
            });
            report_below(criterion, &mut problems);
        }
        standard.outcomes.push(outcome);
    }
    standard.rules = draft_rules(
        &standard,
        &title,
        &format!(
            "Moodle framework \"{}\" (line {})",
            framework.id, framework.line
        ),
    );
    problems.sort_by_key(|p| p.position);
    Ok(Imported {
        standard,
        problems,
        draft_rules: true,
        source_format: "Moodle competency framework CSV",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "\"Parent ID number\",\"ID number\",\"Short name\",Description,\"Description format\",\"Scale values\",\"Scale configuration\",\"Rule type (optional)\",\"Rule outcome (optional)\",\"Rule config (optional)\",\"Cross-referenced competency ID numbers\",\"Exported ID (optional)\",\"Is framework\",Taxonomy\n";

    #[test]
    fn a_missing_framework_row_fails_with_its_reason() {
        let text = format!("{HEADER},O1,Outcome,,1,,,,0,null,,1,,\n");
        let Err(ImportFailed(problem)) = import_moodle_csv(&text, &ImportOptions::default()) else {
            panic!("expected a failure");
        };
        assert!(problem.reason.contains("no framework row"), "{problem}");
    }

    #[test]
    fn a_wrong_header_fails_naming_the_column() {
        let Err(ImportFailed(problem)) =
            import_moodle_csv("a,b,c\n1,2,3\n", &ImportOptions::default())
        else {
            panic!("expected a failure");
        };
        assert!(problem.reason.contains("\"Parent ID number\""), "{problem}");
    }
}
