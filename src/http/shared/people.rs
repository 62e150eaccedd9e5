//! Importing people and re-sending invitations.

use chrono::Utc;
use uuid::Uuid;

use crate::action::ActionError;
use crate::http::AppState;
use crate::identity::import::{self, ImportReport};
use crate::identity::invitations::{self, InvitationLink};

/// Reads and imports `csv` for `org_id` (the API and the page share it).
pub(crate) async fn run_import(
    state: &AppState,
    actor: &str,
    org_id: Uuid,
    csv: Vec<u8>,
    dry_run: bool,
) -> Result<ImportReport, import::ImportError> {
    let rows = import::read_csv(&csv)?;
    let catalogue = state.catalogue.clone();
    let actor = actor.to_owned();
    state
        .db
        .write(move |conn| {
            import::import_people(
                conn,
                &catalogue,
                Some(&actor),
                &org_id.to_string(),
                &rows,
                dry_run,
                Utc::now(),
            )
        })
        .await
}

/// A new link for a member of `org_id` who has no password yet.
pub(crate) fn reinvite_in(
    conn: &mut crate::db::DbConnection,
    actor: &str,
    org_id: &str,
    user_id: &str,
) -> Result<InvitationLink, ActionError> {
    if !crate::identity::is_member(conn, user_id, org_id)? {
        return Err(ActionError::NotFound);
    }
    if invitations::has_password(conn, user_id)? {
        return Err(ActionError::Conflict(
            "this person has already chosen a password".into(),
        ));
    }
    invitations::invite(conn, Some(actor), user_id, Utc::now())
}
