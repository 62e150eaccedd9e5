//! Tracking grids: criterion × evidence for a portfolio, learner × criterion for a cohort.

use actix_web::{HttpResponse, web};

use crate::db::ids::{CohortId, EnrolmentId};
use crate::http::extract::typed_path_id;
use crate::http::session::Session;
use crate::http::{ApiError, AppState};
use crate::portfolio::actions;
use crate::portfolio::grid::{CohortGrid, PortfolioGrid};

/// Which evidence shows which criterion and knowledge item, and how each mapping was judged.
#[utoipa::path(get, path = "/api/enrolments/{id}/grid", params(("id" = Uuid, Path)),
    responses((status = 200, body = PortfolioGrid),
              (status = 401, body = crate::http::error::Problem),
              (status = 403, body = crate::http::error::Problem),
              (status = 404, body = crate::http::error::Problem)))]
pub async fn enrolment(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: EnrolmentId = typed_path_id(&path)?;
    let catalogue = state.catalogue.clone();
    let (_, grid) = state
        .db
        .read(move |conn| actions::enrolment_grid(conn, &catalogue, &session.acting(), id))
        .await?;
    Ok(HttpResponse::Ok().json(grid))
}

/// Which learner of the cohort has met which criterion and knowledge item, per standard version.
#[utoipa::path(get, path = "/api/cohorts/{id}/grid", params(("id" = Uuid, Path)),
    responses((status = 200, body = CohortGrid),
              (status = 401, body = crate::http::error::Problem),
              (status = 403, body = crate::http::error::Problem),
              (status = 404, body = crate::http::error::Problem)))]
pub async fn cohort(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: CohortId = typed_path_id(&path)?;
    let catalogue = state.catalogue.clone();
    let (_, grid) = state
        .db
        .read(move |conn| actions::cohort_grid(conn, &catalogue, &session.acting(), id))
        .await?;
    Ok(HttpResponse::Ok().json(grid))
}
