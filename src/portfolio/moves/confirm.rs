//! Confirming a move: the enrolment pinned to the new version, every record given its new mapping.

use super::*;

/// A move made.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Move {
    /// Its id.
    #[schema(value_type = String)]
    pub id: MoveId,
    /// The enrolment.
    #[schema(value_type = String)]
    pub enrolment_id: EnrolmentId,
    /// The mapping file applied.
    #[schema(value_type = String)]
    pub mapping_id: MappingId,
    /// The version left.
    pub from_version: u32,
    /// The version reached.
    pub to_version: u32,
    /// The hash the enrolment is now pinned to.
    pub to_hash: String,
    /// When.
    #[schema(value_type = String)]
    pub moved_at: NaiveDateTime,
    /// When it was undone, if it was.
    #[schema(value_type = Option<String>)]
    pub undone_at: Option<NaiveDateTime>,
    /// What the engine said before confirming.
    pub preview: MovePreview,
}

/// Moves `enrolment` to the mapping file's version (audited `enrolment.move_version`): pinned to
/// the new version's hash, each evidence record mapped, the originals kept in the move.
pub fn confirm(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    enrolment: &Enrolment,
    actor: UserId,
    mapping_id: MappingId,
    now: DateTime<Utc>,
) -> Result<Move, ActionError> {
    check_movable(enrolment)?;
    let ready = ready(conn, catalogue, enrolment, mapping_id)?;
    let records = list_evidence(conn, enrolment.id)?;
    let Plan {
        preview,
        mapped,
        marks,
    } = plan(conn, catalogue, enrolment, &ready, &records)?;
    let before: BTreeMap<String, &Evidence> = records
        .iter()
        .map(|r| (r.id.to_string(), &r.instance))
        .collect();
    let timestamp = now.naive_utc();
    for (id, instance) in &mapped {
        diesel::update(evidence::table.find(*id))
            .set(evidence::instance.eq(crate::db::json::to_text(instance)?))
            .execute(conn)?;
    }
    let new = &ready.new;
    let to_version = i32::try_from(new.standard.version).unwrap_or(i32::MAX);
    diesel::update(enrolments::table.find(&enrolment.id))
        .set((
            enrolments::standard_version.eq(to_version),
            enrolments::standard_hash.eq(&new.content_hash),
            enrolments::assessor_marks.eq(crate::db::json::to_text(&marks)?),
            enrolments::updated_at.eq(timestamp),
        ))
        .execute(conn)?;
    let made = Move {
        id: MoveId::random(),
        enrolment_id: enrolment.id,
        mapping_id: ready.id,
        from_version: ready.old.standard.version,
        to_version: new.standard.version,
        to_hash: new.content_hash.clone(),
        moved_at: timestamp,
        undone_at: None,
        preview,
    };
    diesel::insert_into(enrolment_moves::table)
        .values((
            enrolment_moves::id.eq(made.id),
            enrolment_moves::enrolment_id.eq(enrolment.id),
            enrolment_moves::mapping_id.eq(made.mapping_id),
            enrolment_moves::from_version.eq(enrolment.standard_version),
            enrolment_moves::from_hash.eq(&enrolment.standard_hash),
            enrolment_moves::to_version.eq(to_version),
            enrolment_moves::to_hash.eq(&made.to_hash),
            enrolment_moves::evidence_before.eq(crate::db::json::to_text(&before)?),
            enrolment_moves::marks_before.eq(&enrolment.assessor_marks),
            enrolment_moves::moved_by.eq(actor),
            enrolment_moves::moved_at.eq(timestamp),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(&actor.to_string()),
            action: "enrolment.move_version",
            entity: "enrolment",
            entity_id: &enrolment.id.to_string(),
            before: Some(serde_json::json!({
                "standard_code": enrolment.standard_code,
                "standard_version": enrolment.standard_version,
                "standard_hash": enrolment.standard_hash,
                "evidence": before,
            })),
            after: Some(serde_json::json!({
                "move_id": made.id, "mapping_id": made.mapping_id,
                "standard_version": made.to_version, "standard_hash": made.to_hash,
                "evidence": mapped.iter().map(|(id, i)| (id.to_string(), i)).collect::<BTreeMap<_, _>>(),
            })),
        },
    )?;
    Ok(made)
}
