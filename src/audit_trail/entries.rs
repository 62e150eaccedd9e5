//! Reading a scope's entries from the database: the filtered query, one screen at a time, every
//! entry in chain order, and the actions found.

use diesel::prelude::*;

use super::{Scope, TrailFilter};
use crate::action::ActionError;
use crate::audit::Entry;
use crate::db::DbConnection;
use crate::db::schema::{audit_log, cohorts, enrolments, export_batches, sampling_plans};

/// The entries of `scope` that `filter` keeps, as a query: oldest first when `ascending`.
pub(super) fn query<'a>(
    scope: &Scope,
    filter: &TrailFilter,
) -> audit_log::BoxedQuery<'a, crate::db::MultiBackend> {
    let mut query = audit_log::table.into_boxed();
    match scope {
        Scope::Organisation(org) => {
            // A person's entries belong to the organisation they name, so grants or ratings in
            // another organisation are never shown here.
            let names_org = format!("%\"org_id\":\"{org}\"%");
            query = query.filter(
                audit_log::entity
                    .eq("organisation")
                    .and(audit_log::entity_id.eq(org.clone()))
                    .or(audit_log::entity.eq("enrolment").and(
                        audit_log::entity_id.eq_any(
                            enrolments::table
                                .filter(enrolments::org_id.eq(org.clone()))
                                .select(enrolments::id),
                        ),
                    ))
                    .or(audit_log::entity.eq("sampling_plan").and(
                        audit_log::entity_id.eq_any(
                            sampling_plans::table
                                .filter(sampling_plans::org_id.eq(org.clone()))
                                .select(sampling_plans::id),
                        ),
                    ))
                    .or(audit_log::entity.eq("export_batch").and(
                        audit_log::entity_id.eq_any(
                            export_batches::table
                                .filter(export_batches::org_id.eq(org.clone()))
                                .select(export_batches::id),
                        ),
                    ))
                    .or(audit_log::entity.eq("cohort").and(
                        audit_log::entity_id.eq_any(
                            cohorts::table
                                .filter(cohorts::org_id.eq(org.clone()))
                                .select(cohorts::id),
                        ),
                    ))
                    .or(audit_log::entity.eq("user").and(
                        audit_log::after_json
                            .like(names_org.clone())
                            .or(audit_log::before_json.like(names_org))
                            .assume_not_null(),
                    )),
            );
        }
        Scope::Enrolment(id) => {
            query = query
                .filter(audit_log::entity.eq("enrolment"))
                .filter(audit_log::entity_id.eq(id.clone()));
        }
    }
    if let Some(person) = &filter.person {
        query = query.filter(
            audit_log::actor_id
                .eq(person.clone())
                .assume_not_null()
                .or(audit_log::entity
                    .eq("user")
                    .and(audit_log::entity_id.eq(person.clone()))),
        );
    }
    if let Some(enrolment) = &filter.enrolment {
        query = query
            .filter(audit_log::entity.eq("enrolment"))
            .filter(audit_log::entity_id.eq(enrolment.clone()));
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_log::action.eq(action.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_log::at.ge(from));
    }
    if let Some(until) = filter.until {
        query = query.filter(audit_log::at.lt(until));
    }
    query
}

/// One screen of entries, newest first: at most `limit`, before `filter`'s `before` position.
pub fn page(
    conn: &mut DbConnection,
    scope: &Scope,
    filter: &TrailFilter,
    limit: i64,
) -> Result<Vec<Entry>, ActionError> {
    let mut q = query(scope, filter);
    if let Some(before) = filter.before {
        q = q.filter(audit_log::seq.lt(before));
    }
    Ok(q.order(audit_log::seq.desc())
        .limit(limit)
        .select(Entry::as_select())
        .load(conn)?)
}

/// Every entry `filter` keeps, oldest first (chain order), a page of 500 at a time.
pub fn each<E: From<diesel::result::Error>>(
    conn: &mut DbConnection,
    scope: &Scope,
    filter: &TrailFilter,
    mut on_entry: impl FnMut(&Entry) -> Result<(), E>,
) -> Result<(), E> {
    const PAGE: i64 = 500;
    let mut after = 0;
    loop {
        let entries: Vec<Entry> = query(scope, filter)
            .filter(audit_log::seq.gt(after))
            .order(audit_log::seq.asc())
            .limit(PAGE)
            .select(Entry::as_select())
            .load(conn)?;
        for entry in &entries {
            on_entry(entry)?;
        }
        match entries.last() {
            Some(last) if entries.len() as i64 == PAGE => after = last.seq,
            _ => return Ok(()),
        }
    }
}

/// The actions found in `scope`, sorted (the choices of the action filter).
pub fn actions(conn: &mut DbConnection, scope: &Scope) -> Result<Vec<String>, ActionError> {
    Ok(query(scope, &TrailFilter::default())
        .select(audit_log::action)
        .distinct()
        .order(audit_log::action.asc())
        .load(conn)?)
}
