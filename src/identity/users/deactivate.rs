//! Deactivating a user: their sessions end with it.

use diesel::prelude::*;

use super::load_user_row;
use crate::action::ActionError;
use crate::audit::{self, Change};
use crate::db::DbConnection;
use crate::db::ids::UserId;
use crate::db::schema::users;

/// Deactivates a user and ends every session they hold (audited).
pub fn deactivate_user(
    conn: &mut DbConnection,
    actor_id: Option<&str>,
    user_id: UserId,
) -> Result<(), ActionError> {
    if actor_id.is_some_and(|actor| user_id == actor) {
        // Nobody locks themselves out by mistake: another admin does it.
        return Err(ActionError::Conflict(
            "you cannot deactivate yourself: ask another administrator".into(),
        ));
    }
    let row = load_user_row(conn, user_id)?;
    if !row.active {
        return Err(ActionError::Conflict("already deactivated".into()));
    }
    diesel::update(users::table.find(user_id))
        .set((
            users::active.eq(false),
            users::token_generation.eq(row.token_generation + 1),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id,
            action: "user.deactivate",
            entity: "user",
            entity_id: &user_id.to_string(),
            before: Some(serde_json::json!({ "active": row.active })),
            after: Some(serde_json::json!({ "active": false })),
        },
    )?;
    Ok(())
}
