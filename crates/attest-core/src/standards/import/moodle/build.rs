//! The standard from the rows of a Moodle framework: its description from the framework row,
//! outcomes and criteria (or knowledge items) from the competency tree; anything deeper is
//! reported.

use std::collections::HashMap;

use super::super::super::model::{Criterion, KnowledgeItem, Outcome, SourceField, Standard};
use super::super::super::position::Position;
use super::super::{
    ImportFailed, ImportOptions, Imported, Problem, blank, clean_id, draft_rules, html_to_text,
};
use super::rows::Row;

/// The standard the framework row and the competency rows make, with drafted evidence rules.
pub(super) fn build(
    framework: Row,
    fields: Vec<SourceField>,
    rows: Vec<Row>,
    options: &ImportOptions,
    mut problems: Vec<Problem>,
) -> Result<Imported, ImportFailed> {
    let (mut standard, title) = describe(&framework, fields, options);
    let tree = Tree { rows: &rows };
    tree.report_missing_parents(&framework, &mut problems);
    for outcome_row in tree.top(&framework) {
        read_top_level(&tree, outcome_row, &mut standard, &mut problems);
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

/// A standard with no outcomes yet, described by the framework row; and its title.
fn describe(
    framework: &Row,
    fields: Vec<SourceField>,
    options: &ImportOptions,
) -> (Standard, String) {
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
    (standard, title)
}

/// A top-level competency: a group of knowledge items if its short name begins "Knowledge",
/// else an outcome whose children are its criteria.
fn read_top_level(
    tree: &Tree<'_>,
    outcome_row: &Row,
    standard: &mut Standard,
    problems: &mut Vec<Problem>,
) {
    let under = tree.children(&outcome_row.id);
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
            tree.report_below(item, problems);
        }
        return;
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
        return;
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
        tree.report_below(criterion, problems);
    }
    standard.outcomes.push(outcome);
}

/// A competency's text: its description (HTML removed), or its short name where there is none.
fn text_of(row: &Row) -> String {
    let text = html_to_text(&row.description);
    if text.is_empty() {
        row.short_name.clone()
    } else {
        text
    }
}

/// The competency rows as a tree, each naming its parent by id number.
struct Tree<'r> {
    rows: &'r [Row],
}

impl<'r> Tree<'r> {
    /// The rows whose parent is `parent`, in file order.
    fn children(&self, parent: &str) -> Vec<&'r Row> {
        self.rows
            .iter()
            .filter(|row| row.parent == parent && row.id != parent)
            .collect()
    }

    /// The top-level competencies: those with no parent or the framework as parent, in file order.
    fn top(&self, framework: &Row) -> Vec<&'r Row> {
        let mut top: Vec<&Row> = self.children("");
        if !framework.id.is_empty() {
            top.extend(self.children(&framework.id));
            top.sort_by_key(|row| row.line);
        }
        top
    }

    /// Reports each row whose parent is neither empty, the framework, nor a row of the file.
    fn report_missing_parents(&self, framework: &Row, problems: &mut Vec<Problem>) {
        let index: HashMap<&str, usize> = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, row)| (row.id.as_str(), i))
            .collect();
        for row in self.rows {
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
    }

    /// Reports every competency below `row` (a criterion or knowledge item), depth first.
    fn report_below(&self, row: &Row, problems: &mut Vec<Problem>) {
        let mut stack: Vec<&Row> = self.children(&row.id);
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
            let mut below = self.children(&deeper.id);
            below.reverse();
            stack.extend(below);
        }
    }
}
