//! The daily digest: one mail per staff member with the inbox items of earlier days.

use crate::db::FirstRow;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::action::ActionError;
use crate::db::DbConnection;
use crate::db::ids::{OrgId, UserId};
use crate::db::schema::{notifications, role_grants, users};

use super::Notification;
use super::outbox::enqueue;

/// The start of `now`'s UTC day.
fn day_start(now: DateTime<Utc>) -> NaiveDateTime {
    now.date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap_or(now.naive_utc())
}

/// Queues the daily digests: one mail per staff member with every item of earlier days not yet
/// mailed. Each item is taken with a conditional update, so two instances never put the same item
/// in two digests. Returns the number of digests queued.
pub fn queue_digests(
    conn: &mut DbConnection,
    base: &str,
    now: DateTime<Utc>,
) -> Result<usize, ActionError> {
    let cutoff = day_start(now);
    let due: Vec<Notification> = notifications::table
        .filter(notifications::digest.eq("daily"))
        .filter(notifications::digested_at.is_null())
        .filter(notifications::created_at.lt(cutoff))
        .order((
            notifications::user_id.asc(),
            notifications::created_at.asc(),
        ))
        .select(Notification::as_select())
        .load(conn)?;
    let mut by_user: std::collections::BTreeMap<UserId, Vec<Notification>> = Default::default();
    for item in due {
        let taken = diesel::update(
            notifications::table
                .find(item.id)
                .filter(notifications::digested_at.is_null()),
        )
        .set(notifications::digested_at.eq(now.naive_utc()))
        .execute(conn)?;
        if taken == 1 {
            by_user.entry(item.user_id).or_default().push(item);
        }
    }
    let mut queued = 0;
    for (user_id, items) in by_user {
        let (email, active): (String, bool) = users::table
            .find(user_id)
            .select((users::email, users::active))
            .first_row(conn)?;
        if !active {
            continue;
        }
        let mut body = format!(
            "Your Attest digest: {} item{} since the last one.\n\n",
            items.len(),
            if items.len() == 1 { "" } else { "s" }
        );
        for item in &items {
            body.push_str(&format!(
                "- {} ({})\n  {base}{}\n",
                item.message,
                item.created_at.format("%Y-%m-%d %H:%M UTC"),
                item.link
            ));
        }
        body.push_str(&format!("\nYour inbox: {base}/inbox\n"));
        let subject = format!("Attest daily digest: {} to look at", items.len());
        let org: Option<OrgId> = role_grants::table
            .filter(role_grants::user_id.eq(user_id))
            .order(role_grants::org_id.asc())
            .select(role_grants::org_id)
            .first_row(conn)
            .optional()?;
        enqueue(conn, org, &email, &subject, &body, "digest", now)?;
        queued += 1;
    }
    Ok(queued)
}
