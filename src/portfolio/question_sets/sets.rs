//! Question sets: building them from a unit's knowledge items, creating, changing and listing them.

use super::*;

/// The standard's knowledge items as prompts, in the standard's order.
pub fn prompts(standard: &Standard) -> Vec<Prompt> {
    standard
        .knowledge
        .iter()
        .map(|k| Prompt {
            id: k.id.clone(),
            text: k.text.clone(),
            question: prefill(&k.text),
        })
        .collect()
}

/// A knowledge item's text turned into a first wording of the question.
pub(super) fn prefill(text: &str) -> String {
    let text = text.trim().trim_end_matches(['.', ';', ',']);
    format!("Explain {text}.")
}

/// Checks a set's title and questions against its standard.
fn check_set(standard: &Standard, input: &NewQuestionSet, problems: &mut Problems) {
    let title = input.title.trim();
    if title.is_empty() {
        problems.add(
            "title",
            "give the set a title, e.g. \"Handling complaints\"",
        );
    } else if title.chars().count() > 200 {
        problems.add("title", "keep the title under 200 characters");
    }
    if input.items.is_empty() {
        problems.add("items", "include at least one question");
    } else if input.items.len() > MOST_QUESTIONS {
        problems.add(
            "items",
            format!("a set has at most {MOST_QUESTIONS} questions"),
        );
    }
    for (i, item) in input.items.iter().enumerate() {
        let question = item.question.trim();
        if question.is_empty() {
            problems.add(&format!("items[{i}].question"), "word the question");
        } else if question.chars().count() > LONGEST_QUESTION {
            problems.add(
                &format!("items[{i}].question"),
                "keep the question under 2000 characters",
            );
        }
        if item.covers.iter().all(|c| c.trim().is_empty()) {
            problems.add(
                &format!("items[{i}].covers"),
                "name the knowledge item the question covers",
            );
        }
        for id in &item.covers {
            if !id.trim().is_empty() && !known(standard, id.trim()) {
                problems.add(
                    &format!("items[{i}].covers"),
                    format!(
                        "{} is not a knowledge item or criterion of {}",
                        id.trim(),
                        standard.code
                    ),
                );
            }
        }
    }
}

fn write_items(
    conn: &mut DbConnection,
    set_id: QuestionSetId,
    items: &[NewQuestion],
) -> Result<(), ActionError> {
    diesel::delete(question_set_items::table.filter(question_set_items::set_id.eq(set_id)))
        .execute(conn)?;
    let rows: Vec<ItemRow> = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            Ok(ItemRow {
                id: QuestionItemId::random(),
                set_id,
                position: i32::try_from(i + 1).unwrap_or(i32::MAX),
                covers: covers_text(
                    &item
                        .covers
                        .iter()
                        .map(|c| c.trim().to_owned())
                        .filter(|c| !c.is_empty())
                        .collect::<Vec<_>>(),
                )?,
                question: item.question.trim().to_owned(),
            })
        })
        .collect::<Result<_, crate::db::DbError>>()?;
    for row in &rows {
        diesel::insert_into(question_set_items::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

/// Creates a question set in `org_id` (audited as `question_set.create`): an assessor or provider
/// admin of the organisation, on a unit of its catalogue.
pub fn create_set(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    actor: &Actor,
    org_id: OrgId,
    input: NewQuestionSet,
    now: DateTime<Utc>,
) -> Result<QuestionSet, ActionError> {
    require(actor, Action::ManageQuestionSets, &org_resource(org_id))?;
    let Some(loaded) = catalogue.find_in(org_id.uuid(), input.standard.trim()) else {
        let mut problems = Problems::default();
        problems.add(
            "standard",
            if input.standard.trim().is_empty() {
                "choose the unit the questions are for".to_owned()
            } else {
                format!("no standard {} in the catalogue", input.standard.trim())
            },
        );
        check_title_only(&input, &mut problems);
        return Err(problems
            .finish()
            .err()
            .unwrap_or(ActionError::invalid("standard", "not found")));
    };
    let standard = &loaded.standard;
    let mut problems = Problems::default();
    check_set(standard, &input, &mut problems);
    problems.finish()?;
    let timestamp = now.naive_utc();
    let row = SetRow {
        id: QuestionSetId::random(),
        org_id,
        standard_code: standard.code.clone(),
        standard_version: i32::try_from(standard.version).unwrap_or(i32::MAX),
        title: input.title.trim().to_owned(),
        created_by: actor.user_id.into(),
        created_at: timestamp,
        updated_at: timestamp,
    };
    diesel::insert_into(question_sets::table)
        .values(&row)
        .execute(conn)?;
    write_items(conn, row.id, &input.items)?;
    let set = read_set(conn, row.id)?;
    let actor_id = actor.user_id.to_string();
    audit::append(
        conn,
        Change {
            actor_id: Some(&actor_id),
            action: "question_set.create",
            entity: "organisation",
            entity_id: &org_id.to_string(),
            before: None,
            after: Some(crate::db::json::to_value(&set)?),
        },
    )?;
    Ok(set)
}

fn check_title_only(input: &NewQuestionSet, problems: &mut Problems) {
    if input.title.trim().is_empty() {
        problems.add(
            "title",
            "give the set a title, e.g. \"Handling complaints\"",
        );
    }
    if input.items.is_empty() {
        problems.add("items", "include at least one question");
    }
}

/// Changes a set's title and questions (audited as `question_set.change`). Requests already sent
/// keep the questions they were sent with.
pub fn update_set(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    actor: &Actor,
    set_id: QuestionSetId,
    input: NewQuestionSet,
    now: DateTime<Utc>,
) -> Result<QuestionSet, ActionError> {
    let before = load_set(conn, actor, set_id)?;
    require(
        actor,
        Action::ManageQuestionSets,
        &org_resource(before.org_id),
    )?;
    let standard = catalogue
        .get_in(
            before.org_id.uuid(),
            &before.standard_code,
            u32::try_from(before.standard_version).unwrap_or_default(),
        )
        .map(|l| &l.standard)
        .ok_or_else(|| {
            ActionError::Conflict(format!(
                "{}@{} is no longer in the catalogue",
                before.standard_code, before.standard_version
            ))
        })?;
    let mut problems = Problems::default();
    check_set(standard, &input, &mut problems);
    problems.finish()?;
    diesel::update(question_sets::table.find(set_id))
        .set((
            question_sets::title.eq(input.title.trim()),
            question_sets::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    write_items(conn, set_id, &input.items)?;
    let after = read_set(conn, set_id)?;
    let actor_id = actor.user_id.to_string();
    audit::append(
        conn,
        Change {
            actor_id: Some(&actor_id),
            action: "question_set.change",
            entity: "organisation",
            entity_id: &after.org_id.to_string(),
            before: Some(crate::db::json::to_value(&before)?),
            after: Some(crate::db::json::to_value(&after)?),
        },
    )?;
    Ok(after)
}

/// One set, for someone who may manage the organisation's sets (another organisation's set is not
/// found).
pub fn load_set(
    conn: &mut DbConnection,
    actor: &Actor,
    set_id: QuestionSetId,
) -> Result<QuestionSet, ActionError> {
    let set = read_set(conn, set_id)?;
    match policy::can(
        actor,
        Action::ManageQuestionSets,
        &org_resource(set.org_id),
        Utc::now(),
    ) {
        policy::Decision::Allow => Ok(set),
        policy::Decision::Forbidden => Err(ActionError::Forbidden(
            "only assessors and admins of the organisation see its question sets".into(),
        )),
        policy::Decision::NotFound => Err(ActionError::NotFound),
    }
}

/// The organisation's sets, newest first; `standard_code` keeps those of one unit.
pub fn list_sets(
    conn: &mut DbConnection,
    actor: &Actor,
    org_id: OrgId,
    standard_code: Option<&str>,
) -> Result<Vec<QuestionSet>, ActionError> {
    require(actor, Action::ManageQuestionSets, &org_resource(org_id))?;
    let mut query = question_sets::table
        .filter(question_sets::org_id.eq(org_id))
        .into_boxed();
    if let Some(code) = standard_code {
        query = query.filter(question_sets::standard_code.eq(code.to_owned()));
    }
    let rows: Vec<SetRow> = query
        .order((question_sets::updated_at.desc(), question_sets::id.asc()))
        .select(SetRow::as_select())
        .load(conn)?;
    let ids: Vec<QuestionSetId> = rows.iter().map(|r| r.id).collect();
    let items: Vec<ItemRow> = question_set_items::table
        .filter(question_set_items::set_id.eq_any(&ids))
        .order((
            question_set_items::set_id.asc(),
            question_set_items::position.asc(),
        ))
        .select(ItemRow::as_select())
        .load(conn)?;
    let mut by_set: BTreeMap<QuestionSetId, Vec<ItemRow>> = BTreeMap::new();
    for item in items {
        by_set.entry(item.set_id).or_default().push(item);
    }
    rows.into_iter()
        .map(|row| {
            let items = by_set.remove(&row.id).unwrap_or_default();
            Ok(to_set(row, items)?)
        })
        .collect()
}
