//! The notification use cases as people carry them out: reading one's inbox and marking it read
//! (only one's own: another person's item is not found), and an admin reading the organisation's
//! mail outbox. The API and the pages call these and only translate requests and answers.

use serde::Serialize;

use crate::action::{Acting, ActionError};
use crate::auth::policy::{Action, Resource};
use crate::db::DbConnection;
use crate::db::ids::{NotificationId, OrgId};

use super::{Notification, OutboxMail};

/// The inbox with its unread count.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Inbox {
    /// Items not yet read.
    pub unread: i64,
    /// The newest 200 items, newest first.
    pub items: Vec<Notification>,
}

/// The acting person's inbox: the newest `limit` items and how many are unread.
pub fn inbox(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    limit: i64,
) -> Result<Inbox, ActionError> {
    Ok(Inbox {
        unread: super::unread_count(conn, acting.user()?)?,
        items: super::inbox(conn, acting.user()?, limit)?,
    })
}

/// Marks one of the acting person's notifications read.
pub fn mark_read(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    id: NotificationId,
) -> Result<Notification, ActionError> {
    super::mark_read(conn, acting.user()?, id, acting.now)
}

/// Marks all the acting person's notifications read; how many were unread.
pub fn mark_all_read(conn: &mut DbConnection, acting: &Acting<'_>) -> Result<usize, ActionError> {
    super::mark_all_read(conn, acting.user()?, acting.now)
}

/// The organisation's mail outbox, newest first (at most `limit`): what was sent, what waits, and
/// what failed after every retry.
pub fn outbox(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
    limit: i64,
) -> Result<Vec<OutboxMail>, ActionError> {
    acting.require(
        Action::ManageOrganisation,
        &Resource::Organisation {
            org_id: org_id.into(),
        },
    )?;
    super::outbox_of(conn, org_id, limit)
}
