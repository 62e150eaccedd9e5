//! The assessor's caseload and its "next item" link.

use actix_web::web;
use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::*;
use crate::action::ActionError;
use crate::auth::policy::Role;
use crate::http::AppState;
use crate::http::pages::rows::{EnrolmentRow, live_orgs, rows_in_org};
use crate::http::pages::view::{Html, PageError, PageSession, page, see_other};
use crate::http::shared::enrolments::next_waiting;

/// `?sort=waiting|close|idle`; `?nothing=1` when "next item waiting" found nothing.
#[derive(Debug, Deserialize)]
pub struct CaseloadQuery {
    sort: Option<String>,
    nothing: Option<String>,
}

#[derive(Serialize)]
struct CaseloadView {
    title: &'static str,
    sort: &'static str,
    rows: Vec<EnrolmentRow>,
    waiting: usize,
    /// Decisions the internal verifier sent back, waiting for the assessor's answer.
    sent_back: usize,
    /// Arrived from "next item waiting" (or from saving judgements) with nothing left to judge.
    nothing_waiting: bool,
    /// Answers to questions waiting for marking.
    to_mark: Vec<crate::http::pages::questions::MarkLink>,
}

/// `GET /caseload`: every enrolment the assessor assesses, sorted by what needs them first.
pub async fn caseload(
    state: web::Data<AppState>,
    session: PageSession,
    query: web::Query<CaseloadQuery>,
) -> Html {
    let sort = match query.sort.as_deref() {
        Some("close") => "close",
        Some("idle") => "idle",
        _ => "waiting",
    };
    let catalogue = state.catalogue.clone();
    let for_tx = session.0.clone();
    let loaded = state
        .db
        .read(move |conn| {
            let me = for_tx.user_id.clone();
            let now = Utc::now();
            let mut rows = Vec::new();
            for org in live_orgs(&for_tx.actor) {
                let assesses = for_tx
                    .actor
                    .grants
                    .iter()
                    .any(|g| g.org_id == org && g.role == Role::Assessor && g.is_live(now));
                if assesses {
                    rows.extend(rows_in_org(conn, &catalogue, &for_tx.actor, org, |e| {
                        e.assessor_id.is_some_and(|id| id == me)
                    })?);
                }
            }
            let to_mark = crate::http::pages::questions::to_mark(conn, &rows)?;
            Ok::<_, ActionError>((rows, to_mark))
        })
        .await;
    let (mut rows, to_mark) = match loaded {
        Ok(loaded) => loaded,
        Err(err) => return Html(Err(err.into())),
    };
    // Finished work (certified, withdrawn) stays listed, last; a decision the IV sent back comes
    // first in every sort, until the assessor has answered it.
    let done = |r: &EnrolmentRow| matches!(r.status.as_str(), "certified" | "withdrawn");
    match sort {
        "close" => rows.sort_by_key(|r| {
            (
                !r.sent_back,
                done(r),
                r.complete,
                std::cmp::Reverse(r.confirmed),
            )
        }),
        "idle" => rows.sort_by_key(|r| (!r.sent_back, done(r), std::cmp::Reverse(r.idle_days))),
        _ => rows.sort_by_key(|r| {
            (
                !r.sent_back,
                done(r),
                std::cmp::Reverse(r.waiting),
                std::cmp::Reverse(r.idle_days),
            )
        }),
    }
    let view = CaseloadView {
        title: "Your caseload",
        sent_back: rows.iter().filter(|r| r.sent_back).count(),
        sort,
        waiting: rows.iter().map(|r| r.waiting).sum(),
        nothing_waiting: query.nothing.is_some(),
        rows,
        to_mark,
    };
    page(&state, Some(&session), "pages/caseload.html", &view).into()
}

/// `GET /caseload/next`: one action from the caseload to the oldest evidence waiting for judgement.
pub async fn caseload_next(state: web::Data<AppState>, session: PageSession) -> Html {
    let for_tx = session.0.clone();
    let next = state
        .db
        .read(move |conn| next_waiting(conn, &for_tx, None))
        .await;
    Html(
        next.map(|next| see_other(&next_location(next.as_ref(), false)))
            .map_err(PageError::from),
    )
}
