//! Tracking grids on screen: criterion × evidence for one portfolio, learner × criterion for a
//! cohort — what assessors and IVs keep on paper beside the portfolio, read off the engine.

use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::view::{Html, PageError, PageSession, page};
use crate::action::ActionError;
use crate::db::ids::{CohortId, EnrolmentId};
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::session::Session;
use crate::identity;
use crate::portfolio::actions;
use crate::portfolio::grid::{GridSection, Mark, StandardGrid, Standing};
use crate::rules::report::Status;

/// A mark as the grid prints it: a symbol, and words for screen readers and the legend.
#[derive(Serialize)]
struct MarkView {
    class: &'static str,
    symbol: &'static str,
    words: &'static str,
    note: Option<String>,
}

fn mark_view(mark: Mark, note: Option<String>) -> MarkView {
    let (class, symbol, words) = match mark {
        Mark::Accepted => ("accepted", "✓", "accepted"),
        Mark::NotCounted => ("not-counted", "!", "accepted, does not count"),
        Mark::Waiting => ("waiting", "…", "waiting for judgement"),
        Mark::AwaitingWitness => ("waiting", "W", "awaiting the witness"),
        Mark::Rejected => ("rejected", "✗", "rejected"),
    };
    MarkView {
        class,
        symbol,
        words,
        note,
    }
}

fn status_words(status: Status, not_applicable: bool) -> &'static str {
    if not_applicable {
        "not applicable"
    } else {
        status.as_words()
    }
}

#[derive(Serialize)]
struct RowView {
    id: String,
    text: String,
    status: &'static str,
    met: bool,
    claimed: &'static str,
    /// One per evidence column; `None` where the evidence is not mapped to the item.
    cells: Vec<Option<MarkView>>,
}

#[derive(Serialize)]
struct SectionView {
    id: String,
    title: String,
    rows: Vec<RowView>,
}

#[derive(Serialize)]
struct ColumnView {
    n: usize,
    id: String,
    label: String,
    date: String,
}

#[derive(Serialize)]
struct PortfolioGridView {
    title: &'static str,
    id: String,
    candidate: String,
    standard: String,
    columns: Vec<ColumnView>,
    sections: Vec<SectionView>,
    legend: Vec<MarkView>,
}

fn section_view(section: GridSection, columns: usize) -> SectionView {
    SectionView {
        id: section.id,
        title: section.title,
        rows: section
            .rows
            .into_iter()
            .map(|row| {
                let mut cells: Vec<Option<MarkView>> = (0..columns).map(|_| None).collect();
                for cell in row.cells {
                    if let Some(slot) = cells.get_mut(cell.column) {
                        *slot = Some(mark_view(cell.mark, cell.note));
                    }
                }
                RowView {
                    status: status_words(row.confirmed, row.not_applicable),
                    met: row.not_applicable || row.confirmed == Status::Met,
                    claimed: status_words(row.claimed, row.not_applicable),
                    id: row.id,
                    text: row.text,
                    cells,
                }
            })
            .collect(),
    }
}

/// `GET /enrolments/{id}/grid`: which evidence shows which criterion, and how it was judged.
pub async fn enrolment(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    Html(async { enrolment_page(&state, &session, typed_path_id(&path)?).await }.await)
}

async fn enrolment_page(
    state: &AppState,
    session: &Session,
    id: EnrolmentId,
) -> Result<HttpResponse, PageError> {
    let catalogue = state.catalogue.clone();
    let for_tx = session.clone();
    // The action loads and authorizes the enrolment once; the candidate's name is read in the
    // same transaction.
    let (enrolment, candidate, found) = state
        .db
        .read(move |conn| {
            let (enrolment, grid) =
                actions::enrolment_grid(conn, &catalogue, &for_tx.acting(), id)?;
            let candidate = identity::load_user(conn, enrolment.candidate_id)?.name;
            Ok::<_, ActionError>((enrolment, candidate, grid))
        })
        .await?;
    let standard = crate::http::shared::enrolments::standard_of(state, &enrolment)?;
    let columns = found.evidence.len();
    let view = PortfolioGridView {
        title: "Tracking grid",
        id: enrolment.id.to_string(),
        candidate,
        standard: format!(
            "{} {} {}",
            standard.framework, standard.code, standard.title
        ),
        columns: found
            .evidence
            .into_iter()
            .enumerate()
            .map(|(i, e)| ColumnView {
                n: i + 1,
                id: e.id,
                label: e.label,
                date: e.date.format("%-d %b %Y").to_string(),
            })
            .collect(),
        sections: found
            .sections
            .into_iter()
            .map(|s| section_view(s, columns))
            .collect(),
        legend: [
            Mark::Accepted,
            Mark::Waiting,
            Mark::AwaitingWitness,
            Mark::Rejected,
            Mark::NotCounted,
        ]
        .into_iter()
        .map(|m| mark_view(m, None))
        .collect(),
    };
    page(state, Some(session), "pages/grid_portfolio.html", &view)
}

#[derive(Serialize)]
struct StandingView {
    /// The criterion or knowledge item (empty in the legend).
    item: String,
    class: &'static str,
    symbol: &'static str,
    words: &'static str,
}

fn standing_view(standing: Standing, item: String) -> StandingView {
    let (class, symbol, words) = match standing {
        Standing::Met => ("accepted", "✓", "met"),
        Standing::PartlyMet => ("partly", "◐", "partly met"),
        Standing::Claimed => ("waiting", "…", "evidence waiting for judgement"),
        Standing::NotApplicable => ("not-applicable", "–", "not applicable"),
        Standing::Missing => ("missing", "", "no evidence yet"),
    };
    StandingView {
        item,
        class,
        symbol,
        words,
    }
}

#[derive(Serialize)]
struct LearnerView {
    enrolment_id: String,
    name: String,
    complete: bool,
    met: usize,
    cells: Vec<StandingView>,
}

#[derive(Serialize)]
struct ItemView {
    id: String,
    text: String,
    knowledge: bool,
}

#[derive(Serialize)]
struct StandardGridView {
    heading: String,
    items: Vec<ItemView>,
    learners: Vec<LearnerView>,
}

#[derive(Serialize)]
struct CohortGridView {
    title: String,
    cohort_id: String,
    org_id: String,
    name: String,
    not_evaluated: u32,
    standards: Vec<StandardGridView>,
    legend: Vec<StandingView>,
}

fn standard_grid_view(grid: StandardGrid) -> StandardGridView {
    let ids: Vec<String> = grid.items.iter().map(|i| i.id.clone()).collect();
    StandardGridView {
        heading: format!(
            "{} {} v{} {}",
            grid.framework, grid.code, grid.version, grid.title
        ),
        items: grid
            .items
            .into_iter()
            .map(|i| ItemView {
                knowledge: i.section == "knowledge",
                id: i.id,
                text: i.text,
            })
            .collect(),
        learners: grid
            .learners
            .into_iter()
            .map(|l| LearnerView {
                met: l
                    .standings
                    .iter()
                    .filter(|s| matches!(s, Standing::Met | Standing::NotApplicable))
                    .count(),
                enrolment_id: l.enrolment_id,
                name: l.name,
                complete: l.complete,
                cells: l
                    .standings
                    .into_iter()
                    .zip(&ids)
                    .map(|(s, id)| standing_view(s, id.clone()))
                    .collect(),
            })
            .collect(),
    }
}

/// `GET /cohorts/{id}/grid`: which learner has met which criterion.
pub async fn cohort(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    Html(async { cohort_page(&state, &session, typed_path_id(&path)?).await }.await)
}

async fn cohort_page(
    state: &AppState,
    session: &Session,
    id: CohortId,
) -> Result<HttpResponse, PageError> {
    let catalogue = state.catalogue.clone();
    let for_tx = session.clone();
    let (cohort, found) = state
        .db
        .read(move |conn| actions::cohort_grid(conn, &catalogue, &for_tx.acting(), id))
        .await?;
    let view = CohortGridView {
        title: format!("Tracking grid: {}", cohort.name),
        cohort_id: cohort.id.to_string(),
        org_id: cohort.org_id.to_string(),
        name: cohort.name.clone(),
        not_evaluated: found.not_evaluated,
        standards: found
            .standards
            .into_iter()
            .map(standard_grid_view)
            .collect(),
        legend: [
            Standing::Met,
            Standing::PartlyMet,
            Standing::Claimed,
            Standing::NotApplicable,
            Standing::Missing,
        ]
        .into_iter()
        .map(|s| standing_view(s, String::new()))
        .collect(),
    };
    page(state, Some(session), "pages/grid_cohort.html", &view)
}
