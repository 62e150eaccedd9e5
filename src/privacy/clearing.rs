//! Clearing content while keeping rows: evidence details, answers and files, shared by retention
//! and erasure.

use std::collections::BTreeSet;

use diesel::prelude::*;

use crate::action::ActionError;
use crate::db::DbConnection;
use crate::db::schema::{evidence, files, question_answers, question_requests};

/// What an evidence record's details become when its content is cleared.
pub const CLEARED: &str = r#"{"cleared":true}"#;

/// Drops the file reference of `ids` (the rows stay) and forgets file rows no record refers to.
pub(super) fn remove_files(conn: &mut DbConnection, ids: &[String]) -> Result<(), ActionError> {
    let hashes: Vec<Option<String>> = evidence::table
        .filter(evidence::id.eq_any(ids))
        .select(evidence::file_sha256)
        .load(conn)?;
    diesel::update(evidence::table.filter(evidence::id.eq_any(ids)))
        .set((
            evidence::file_sha256.eq(None::<String>),
            evidence::file_name.eq(None::<String>),
        ))
        .execute(conn)?;
    forget_unused_files(conn, hashes.into_iter().flatten())
}

/// Forgets the file rows of `hashes` that no record refers to any more (evidence, an answer's
/// recording, an export batch), so `attest files gc` removes their stored content.
pub(super) fn forget_unused_files(
    conn: &mut DbConnection,
    hashes: impl IntoIterator<Item = String>,
) -> Result<(), ActionError> {
    for sha256 in hashes {
        let still_used: i64 = evidence::table
            .filter(evidence::file_sha256.eq(&sha256))
            .count()
            .get_result(conn)?;
        let in_answers: i64 = question_answers::table
            .filter(question_answers::file_sha256.eq(&sha256))
            .count()
            .get_result(conn)?;
        let in_batches: i64 = crate::db::schema::export_batches::table
            .filter(crate::db::schema::export_batches::file_sha256.eq(&sha256))
            .count()
            .get_result(conn)?;
        if still_used == 0 && in_answers == 0 && in_batches == 0 {
            diesel::delete(files::table.find(&sha256)).execute(conn)?;
        }
    }
    Ok(())
}

/// Clears the candidate's answers to the questions sent on `enrolment_ids`: the typed text, the
/// recording (its file row goes when nothing else refers to it) and the assessor's comment. The
/// question as sent, what it covers, when it was answered and its mark stay: the questioning
/// evidence record the marks made is part of the certification record. Answers how many answers
/// had content to clear.
pub(super) fn clear_answers(
    conn: &mut DbConnection,
    enrolment_ids: &[String],
) -> Result<usize, ActionError> {
    let requests = question_requests::table
        .filter(question_requests::enrolment_id.eq_any(enrolment_ids))
        .select(question_requests::id);
    let given: Vec<(String, Option<String>)> = question_answers::table
        .filter(question_answers::request_id.eq_any(requests))
        .filter(
            question_answers::answer_text
                .is_not_null()
                .or(question_answers::file_sha256.is_not_null())
                .or(question_answers::comment.is_not_null()),
        )
        .select((question_answers::id, question_answers::file_sha256))
        .load(conn)?;
    let ids: Vec<&String> = given.iter().map(|(id, _)| id).collect();
    diesel::update(question_answers::table.filter(question_answers::id.eq_any(&ids)))
        .set((
            question_answers::answer_text.eq(None::<String>),
            question_answers::file_sha256.eq(None::<String>),
            question_answers::file_name.eq(None::<String>),
            question_answers::comment.eq(None::<String>),
        ))
        .execute(conn)?;
    let hashes: BTreeSet<String> = given.iter().filter_map(|(_, sha)| sha.clone()).collect();
    forget_unused_files(conn, hashes)?;
    Ok(given.len())
}

/// Clears the free text of `ids` (titles, notes, witness details); the engine's view of which
/// criteria each record was judged against stays, so the certification record still reads.
pub(super) fn clear_content(conn: &mut DbConnection, ids: &[String]) -> Result<(), ActionError> {
    let rows: Vec<(String, String)> = evidence::table
        .filter(evidence::id.eq_any(ids))
        .select((evidence::id, evidence::instance))
        .load(conn)?;
    for (id, instance) in rows {
        let mut value: serde_json::Value = crate::db::json::from_text(&instance)?;
        if let Some(object) = value.as_object_mut() {
            for key in FREE_TEXT {
                object.remove(*key);
            }
        }
        diesel::update(evidence::table.find(&id))
            .set((
                evidence::details.eq(CLEARED),
                evidence::instance.eq(value.to_string()),
            ))
            .execute(conn)?;
    }
    // A recording's time points keep where and what they point at; their notes are free text.
    diesel::update(
        crate::db::schema::evidence_time_points::table
            .filter(crate::db::schema::evidence_time_points::evidence_id.eq_any(ids)),
    )
    .set(crate::db::schema::evidence_time_points::note.eq(""))
    .execute(conn)?;
    Ok(())
}

/// The free-text fields of an evidence record's engine view that can name or describe people; the
/// structured fields (method, setting, dates, attributes, criteria and judgements) stay, so the
/// record still shows what the decision rested on.
const FREE_TEXT: &[&str] = &[
    "title",
    "site",
    "notes",
    "description",
    "comments",
    "witness",
];
