//! The rows of a Moodle competency framework CSV: its columns (by header), the framework row
//! and the competency rows, with what the import leaves out reported.

use std::collections::HashMap;

use csv::{StringRecord, StringRecordsIter};

use super::super::super::model::SourceField;
use super::super::super::position::Position;
use super::super::{ImportFailed, Problem};
use super::fail;

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
pub(super) enum Column {
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

/// A competency (or the framework) as its row gives it.
pub(super) struct Row {
    pub(super) line: usize,
    pub(super) parent: String,
    pub(super) id: String,
    pub(super) short_name: String,
    pub(super) description: String,
}

/// The known columns by index; an unknown column is reported, a missing required one fails.
pub(super) fn read_columns(
    header: &StringRecord,
    problems: &mut Vec<Problem>,
) -> Result<HashMap<Column, usize>, ImportFailed> {
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
    Ok(columns)
}

/// The framework row with its fields kept verbatim (the first, if there are several), and the
/// competency rows with an ID number and a short name, in file order.
pub(super) fn read_rows(
    records: StringRecordsIter<'_, &[u8]>,
    columns: &HashMap<Column, usize>,
    problems: &mut Vec<Problem>,
) -> (Option<(Row, Vec<SourceField>)>, Vec<Row>) {
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
        if record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        let fields = Fields {
            record: &record,
            columns,
        };
        let line = record
            .position()
            .map_or(1, |p| usize::try_from(p.line()).unwrap_or(1));
        let at = Some(Position { line, column: 1 });
        let row = Row {
            line,
            parent: fields.get(Column::Parent),
            id: fields.get(Column::Id),
            short_name: fields.get(Column::ShortName),
            description: fields.get(Column::Description),
        };
        let is_framework = !matches!(fields.get(Column::IsFramework).as_str(), "" | "0");
        if is_framework {
            if framework.is_some() {
                problems.push(Problem {
                    position: at,
                    element: format!("framework \"{}\"", row.id),
                    reason: "a second framework row; only the first is imported".into(),
                });
                continue;
            }
            framework = Some((row, framework_fields(&fields)));
            continue;
        }
        let name = if row.id.is_empty() {
            format!("row at line {line}")
        } else {
            format!("competency \"{}\"", row.id)
        };
        report_left_out(&fields, &name, at, problems);
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
    (framework, rows)
}

/// One record's values by column.
struct Fields<'r> {
    record: &'r StringRecord,
    columns: &'r HashMap<Column, usize>,
}

impl Fields<'_> {
    /// The value in `column`, trimmed; empty where the file has no such column.
    fn get(&self, column: Column) -> String {
        self.columns
            .get(&column)
            .and_then(|&i| self.record.get(i))
            .unwrap_or("")
            .trim()
            .to_owned()
    }
}

/// The framework row's scale and taxonomy, kept verbatim as source fields.
fn framework_fields(fields: &Fields<'_>) -> Vec<SourceField> {
    let mut kept = Vec::new();
    for (label, column) in [
        ("Scale values", Column::ScaleValues),
        ("Scale configuration", Column::ScaleConfiguration),
        ("Taxonomy", Column::Taxonomy),
    ] {
        let value = fields.get(column);
        if !value.is_empty() {
            kept.push(SourceField {
                label: format!("Moodle {label}"),
                value,
            });
        }
    }
    kept
}

/// Reports a competency's completion rule, cross-references and own scale: none has a place in
/// a standard.
fn report_left_out(
    fields: &Fields<'_>,
    name: &str,
    at: Option<Position>,
    problems: &mut Vec<Problem>,
) {
    let rule_type = fields.get(Column::RuleType);
    if !rule_type.is_empty() && rule_type != "null" {
        problems.push(Problem {
            position: at,
            element: format!("{name}, Rule type"),
            reason: format!(
                "Moodle's completion rule `{rule_type}` is not imported: evidence rules are written by a person"
            ),
        });
    }
    let related = fields.get(Column::Related);
    if !related.is_empty() {
        problems.push(Problem {
            position: at,
            element: format!("{name}, Cross-referenced competency ID numbers"),
            reason: format!(
                "cross-references ({related}) have no place in a standard; not imported"
            ),
        });
    }
    if !fields.get(Column::ScaleValues).is_empty() {
        problems.push(Problem {
            position: at,
            element: format!("{name}, Scale values"),
            reason:
                "a competency's own rating scale is not imported (a standard is met or not yet met)"
                    .into(),
        });
    }
}
