//! The last move, and undoing it while nothing has happened since.

use super::*;
use crate::db::FirstRow;

pub(super) type MoveRow = (
    MoveId,
    MappingId,
    i32,
    String,
    i32,
    String,
    String,
    String,
    NaiveDateTime,
    Option<NaiveDateTime>,
);

/// The enrolment's last move, if it has one: (id, mapping, from version, from hash, to version,
/// to hash, evidence before, marks before, moved at, undone at).
pub(super) fn last_move(
    conn: &mut DbConnection,
    enrolment_id: EnrolmentId,
) -> QueryResult<Option<MoveRow>> {
    enrolment_moves::table
        .filter(enrolment_moves::enrolment_id.eq(enrolment_id))
        .order((enrolment_moves::moved_at.desc(), enrolment_moves::id.desc()))
        .select((
            enrolment_moves::id,
            enrolment_moves::mapping_id,
            enrolment_moves::from_version,
            enrolment_moves::from_hash,
            enrolment_moves::to_version,
            enrolment_moves::to_hash,
            enrolment_moves::evidence_before,
            enrolment_moves::marks_before,
            enrolment_moves::moved_at,
            enrolment_moves::undone_at,
        ))
        .first_row(conn)
        .optional()
}

/// The enrolment's last move as the pages show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LastMove {
    /// Its id.
    #[schema(value_type = String)]
    pub id: MoveId,
    /// The version left.
    pub from_version: u32,
    /// The version reached.
    pub to_version: u32,
    /// When.
    #[schema(value_type = String)]
    pub moved_at: NaiveDateTime,
    /// When it was undone.
    #[schema(value_type = Option<String>)]
    pub undone_at: Option<NaiveDateTime>,
    /// Why it can no longer be undone, when it cannot.
    pub undo_refused: Option<String>,
}

/// The enrolment's last move, and whether it can still be undone.
pub fn last(
    conn: &mut DbConnection,
    enrolment: &Enrolment,
) -> Result<Option<LastMove>, ActionError> {
    let Some(row) = last_move(conn, enrolment.id)? else {
        return Ok(None);
    };
    let undo_refused = why_not_undo(conn, enrolment, &row)?;
    let (id, _, from, _, to, _, _, _, moved_at, undone_at) = row;
    Ok(Some(LastMove {
        id,
        from_version: u32::try_from(from).unwrap_or(0),
        to_version: u32::try_from(to).unwrap_or(0),
        moved_at,
        undone_at,
        undo_refused,
    }))
}

pub(super) fn why_not_undo(
    conn: &mut DbConnection,
    enrolment: &Enrolment,
    row: &MoveRow,
) -> Result<Option<String>, ActionError> {
    let (_, _, _, _, _, to_hash, _, _, moved_at, undone_at) = row;
    if undone_at.is_some() {
        return Ok(Some("it has been undone".into()));
    }
    if &enrolment.standard_hash != to_hash {
        return Ok(Some("the enrolment has moved since".into()));
    }
    let decided: i64 = sign_offs::table
        .filter(sign_offs::enrolment_id.eq(&enrolment.id))
        .filter(sign_offs::signed_at.ge(*moved_at))
        .count()
        .get_result(conn)?;
    if decided > 0 {
        return Ok(Some("a decision has been signed since the move".into()));
    }
    let changed: i64 = evidence::table
        .filter(evidence::enrolment_id.eq(&enrolment.id))
        .filter(
            evidence::recorded_at
                .gt(*moved_at)
                .or(evidence::updated_at.gt(*moved_at)),
        )
        .count()
        .get_result(conn)?;
    if changed > 0 {
        return Ok(Some(
            "evidence has been added, changed or judged since the move".into(),
        ));
    }
    Ok(None)
}

/// Undoes the enrolment's last move (audited `enrolment.undo_move`): back to the version and hash
/// it left, each evidence record's original mapping and the marks as they were. Refused (409)
/// once a decision has been signed, or evidence added, changed or judged, since the move.
pub fn undo(
    conn: &mut DbConnection,
    enrolment: &Enrolment,
    actor: crate::db::ids::UserId,
    now: DateTime<Utc>,
) -> Result<LastMove, ActionError> {
    let row = last_move(conn, enrolment.id)?
        .ok_or_else(|| ActionError::Conflict("the enrolment has not been moved".into()))?;
    if let Some(why) = why_not_undo(conn, enrolment, &row)? {
        return Err(ActionError::Conflict(format!(
            "the move can no longer be undone: {why}"
        )));
    }
    let (id, _, from_version, from_hash, to_version, _, evidence_before, marks_before, moved_at, _) =
        row;
    let originals: BTreeMap<String, Evidence> = serde_json::from_str(&evidence_before)
        .map_err(|e| ActionError::Conflict(format!("the move's record is unreadable: {e}")))?;
    for (evidence_id, instance) in &originals {
        diesel::update(evidence::table.find(evidence_id))
            .set(evidence::instance.eq(crate::db::json::to_text(instance)?))
            .execute(conn)?;
    }
    let timestamp = now.naive_utc();
    diesel::update(enrolments::table.find(&enrolment.id))
        .set((
            enrolments::standard_version.eq(from_version),
            enrolments::standard_hash.eq(&from_hash),
            enrolments::assessor_marks.eq(&marks_before),
            enrolments::updated_at.eq(timestamp),
        ))
        .execute(conn)?;
    diesel::update(enrolment_moves::table.find(id))
        .set((
            enrolment_moves::undone_by.eq(actor),
            enrolment_moves::undone_at.eq(timestamp),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(&actor.to_string()),
            action: "enrolment.undo_move",
            entity: "enrolment",
            entity_id: &enrolment.id.to_string(),
            before: Some(serde_json::json!({
                "move_id": id, "standard_version": to_version,
                "standard_hash": enrolment.standard_hash,
            })),
            after: Some(serde_json::json!({
                "standard_version": from_version, "standard_hash": from_hash,
            })),
        },
    )?;
    Ok(LastMove {
        id,
        from_version: u32::try_from(from_version).unwrap_or(0),
        to_version: u32::try_from(to_version).unwrap_or(0),
        moved_at,
        undone_at: Some(timestamp),
        undo_refused: Some("it has been undone".into()),
    })
}
