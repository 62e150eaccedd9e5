//! Moves as people make them, one function per use case: each loads the enrolment, asks the policy
//! (moving an enrolment is the admin's), acts and audits in the caller's transaction. The API and
//! the pages call these and only translate requests and answers.

use crate::action::{Acting, ActionError, Services};
use crate::auth::policy::Action;
use crate::db::DbConnection;
use crate::db::ids::{EnrolmentId, MappingId};
use crate::portfolio::access::enrolment_for;

use super::{LastMove, Move, MovePreview};

/// What moving the enrolment with the mapping file `mapping_id` would do, before anything changes.
pub fn preview(
    conn: &mut DbConnection,
    services: Services<'_>,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    mapping_id: MappingId,
) -> Result<MovePreview, ActionError> {
    let enrolment = enrolment_for(conn, acting, enrolment_id, Action::MoveEnrolment)?;
    super::preview(conn, services.catalogue, &enrolment, mapping_id)
}

/// Moves the enrolment to the next version of its standard with the mapping file `mapping_id`.
pub fn move_version(
    conn: &mut DbConnection,
    services: Services<'_>,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    mapping_id: MappingId,
) -> Result<Move, ActionError> {
    let enrolment = enrolment_for(conn, acting, enrolment_id, Action::MoveEnrolment)?;
    super::confirm(
        conn,
        services.catalogue,
        &enrolment,
        acting.user()?,
        mapping_id,
        acting.now,
    )
}

/// Undoes the enrolment's last move, while nothing has happened since.
pub fn undo(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
) -> Result<LastMove, ActionError> {
    let enrolment = enrolment_for(conn, acting, enrolment_id, Action::MoveEnrolment)?;
    super::undo(conn, &enrolment, acting.user()?, acting.now)
}
