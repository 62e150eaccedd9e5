//! The question-set builder's form: the rows of questions shown, read back and checked.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::http::pages::form::{Fields, FormState, Ticked, field_id};
use crate::http::session::Session;
use crate::portfolio::question_sets::{self, NewQuestion, NewQuestionSet, QuestionSet};
use crate::standards::Standard;

#[derive(Serialize)]
pub(super) struct BuilderRow {
    /// The knowledge item id (or `extra-N` for a question covering something else).
    key: String,
    covers: String,
    prompt: String,
    included: bool,
    question: String,
    include_name: String,
    question_name: String,
    include_id: String,
    question_id: String,
    error: String,
}

#[derive(Serialize)]
pub(super) struct BuilderView {
    title: String,
    action: String,
    unit: String,
    standard: String,
    csrf: String,
    rows: Vec<BuilderRow>,
    pub(super) form: FormState,
    cancel: String,
}

/// The builder's form as posted: the unit (new sets), the title, and per row (by knowledge item
/// id, or `extra-N`) whether it is included, its question and, for extra rows, what it covers.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct BuilderForm {
    /// `CODE@VERSION` (new sets only).
    pub(super) standard: String,
    title: String,
    /// `include.KEY`: the row is in the set.
    include: BTreeMap<String, Ticked>,
    /// `question.KEY`.
    question: BTreeMap<String, String>,
    /// `covers.KEY`: what an extra row covers, comma-separated.
    covers: BTreeMap<String, String>,
}

impl BuilderForm {
    fn included(&self, key: &str) -> bool {
        self.include.contains_key(key)
    }

    fn question(&self, key: &str) -> String {
        self.question.get(key).cloned().unwrap_or_default()
    }
}

pub(super) fn builder_rows(
    standard: &Standard,
    set: Option<&QuestionSet>,
    fields: Option<&BuilderForm>,
) -> Vec<BuilderRow> {
    let mut rows: Vec<BuilderRow> = question_sets::prompts(standard)
        .into_iter()
        .map(|p| {
            let existing = set.and_then(|s| {
                s.items
                    .iter()
                    .find(|i| i.covers.len() == 1 && i.covers[0] == p.id)
            });
            let include_name = format!("include.{}", p.id);
            let question_name = format!("question.{}", p.id);
            let (included, question) = match fields {
                Some(f) => (f.included(&p.id), f.question(&p.id)),
                None => (
                    existing.is_some(),
                    existing.map_or(p.question.clone(), |i| i.question.clone()),
                ),
            };
            BuilderRow {
                covers: p.id.clone(),
                prompt: format!("{} {}", p.id, p.text),
                included,
                question,
                include_id: field_id(&include_name),
                question_id: field_id(&question_name),
                include_name,
                question_name,
                key: p.id,
                error: String::new(),
            }
        })
        .collect();
    // Questions covering more than one item, or criteria (written through the API), stay as they are.
    if let Some(set) = set {
        for (n, item) in set
            .items
            .iter()
            .filter(|i| {
                !(i.covers.len() == 1 && standard.knowledge.iter().any(|k| k.id == i.covers[0]))
            })
            .enumerate()
        {
            let key = format!("extra-{n}");
            let include_name = format!("include.{key}");
            let question_name = format!("question.{key}");
            rows.push(BuilderRow {
                covers: item.covers.join(","),
                prompt: format!("Covers {}", item.covers.join(", ")),
                included: fields.is_none_or(|f| f.included(&key)),
                question: fields.map_or(item.question.clone(), |f| f.question(&key)),
                include_id: field_id(&include_name),
                question_id: field_id(&question_name),
                include_name,
                question_name,
                key,
                error: String::new(),
            });
        }
    }
    rows
}

/// The set as the builder's form describes it, and which row each question came from.
pub(super) fn read_builder(
    form: &BuilderForm,
    standard_spec: &str,
    rows: &[BuilderRow],
) -> (NewQuestionSet, Vec<String>) {
    let mut items = Vec::new();
    let mut keys = Vec::new();
    for row in rows {
        if form.included(&row.key) {
            let covers = if row.key.starts_with("extra-") {
                form.covers
                    .get(&row.key)
                    .map_or("", String::as_str)
                    .split(',')
                    .map(|c| c.trim().to_owned())
                    .filter(|c| !c.is_empty())
                    .collect()
            } else {
                vec![row.key.clone()]
            };
            items.push(NewQuestion {
                covers,
                question: form.question(&row.key),
            });
            keys.push(row.key.clone());
        }
    }
    (
        NewQuestionSet {
            standard: standard_spec.to_owned(),
            title: form.title.clone(),
            items,
        },
        keys,
    )
}

/// The action's field names as the builder's.
pub(super) fn builder_errors(
    errors: BTreeMap<String, String>,
    keys: &[String],
    rows: &[BuilderRow],
) -> BTreeMap<String, String> {
    errors
        .into_iter()
        .map(|(field, reason)| {
            if field == "items" {
                let first = rows
                    .first()
                    .map_or("title".to_owned(), |r| r.include_name.clone());
                return (first, reason);
            }
            if let Some(rest) = field.strip_prefix("items[") {
                if let Some((i, what)) = rest.split_once("].") {
                    if let Some(key) = i.parse::<usize>().ok().and_then(|i| keys.get(i)) {
                        let _ = what;
                        return (format!("question.{key}"), reason);
                    }
                }
            }
            (field, reason)
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
pub(super) fn builder_view(
    session: &Session,
    title: String,
    action: String,
    standard: &Standard,
    set: Option<&QuestionSet>,
    sent: Option<(&Fields, &BuilderForm)>,
    errors: BTreeMap<String, String>,
    cancel: String,
) -> BuilderView {
    let mut rows = builder_rows(standard, set, sent.map(|(_, form)| form));
    for row in &mut rows {
        if let Some(error) = errors
            .get(&row.question_name)
            .or_else(|| errors.get(&row.include_name))
        {
            row.error = crate::http::pages::form::sentence("question", error);
        }
    }
    let form = match sent {
        Some((f, _)) => FormState::again(f, errors),
        None => FormState::with_values([(
            "title".to_owned(),
            set.map(|s| s.title.clone()).unwrap_or_default(),
        )]),
    };
    BuilderView {
        title,
        action,
        unit: format!(
            "{} v{} — {}",
            standard.code, standard.version, standard.title
        ),
        standard: format!("{}@{}", standard.code, standard.version),
        csrf: session.csrf.clone(),
        rows,
        form,
        cancel,
    }
}
